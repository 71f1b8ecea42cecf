"""The store commands (import, export, users) and the export formats, through the CLI."""

from __future__ import annotations

import csv
import io
import json

import docx
import pytest

from mt.cli import app
from mt.drafting import create_document, document_text
from mt.formats import read_tmx
from mt.revising import approve_segment, save_segment
from mt.store import add_user, authenticate, list_documents, list_segments, list_users
from tests.conftest import run_cli, shared_lines

EXPORT_KEYS = {"source", "draft", "final", "status", "model", "editor", "active_ms", "hter", "chrf"}


@pytest.fixture
def doc(store, tiny_engine):
    ko = shared_lines("ntrex128", "ko", 4)
    doc = create_document(store, f"{ko[0]}\n\n{ko[1]} {ko[2]}\n{ko[3]}\n", title="news",
                          engine=tiny_engine, created_by="kim")  # fmt: skip
    segments = list_segments(store, doc)
    v = save_segment(store, segments[0].id, "=SUM(A1:A2) is not a formula here.", editor="lee",
                     base_version=1, active_ms=3000)  # fmt: skip
    approve_segment(store, v.id, editor="lee", base_version=v.version, active_ms=1000)
    save_segment(store, segments[1].id, "Second sentence.", editor="park", base_version=1)
    return doc


@pytest.mark.parametrize(
    ("first_line", "title"),
    [("서울 버스 요금 오른다", "서울 버스 요금 오른다"), ("가" * 121, "기사")],
    ids=["headline", "long-first-line"],
)
def test_import_without_title_takes_the_one_default_title(
    store, tiny_model_dir, tmp_path, first_line, title
):
    """`transdesk import` names an untitled article as the web upload does
    (`mt.drafting.default_title`): its headline, else the file name."""
    ko = shared_lines("ntrex128", "ko", 2)
    src = tmp_path / "기사.txt"
    src.write_text("\n\n".join([first_line, *ko]) + "\n", encoding="utf-8")
    args = ["import", str(src), "--model", str(tiny_model_dir), "--engine", "ctranslate2",
            "--db", store.url, "--editor", "kim", "-q"]  # fmt: skip
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert {d.id: d.title for d in list_documents(store)}[int(out.strip())] == title


def test_import_prints_document_id(store, tiny_model_dir, tmp_path):
    ko = shared_lines("ntrex128", "ko", 3)
    src = tmp_path / "기사.txt"
    src.write_bytes(("\n\n".join(ko) + "\n").encode("cp949"))
    args = ["import", str(src), "--model", str(tiny_model_dir), "--engine", "ctranslate2",
            "--db", store.url, "--title", "Seoul news", "--editor", "kim", "-q"]  # fmt: skip
    code, out, _ = run_cli(*args)
    assert code == 0
    doc = int(out.strip())
    code, out, _ = run_cli(*args, "--json")
    assert code == 0 and json.loads(out) == {"document_id": doc + 1}
    assert document_text(store, doc, which="source") == "\n\n".join(ko) + "\n"
    listed = {d.id: d for d in list_documents(store)}
    assert listed[doc].title == "Seoul news" and listed[doc].filename == "기사.txt"


def test_import_errors_are_one_line(store, tiny_model_dir, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, _, err = run_cli("import", str(empty), "--model", str(tiny_model_dir),
                         "--engine", "ctranslate2", "--db", store.url, "-q")  # fmt: skip
    assert (code, err) == (3, f"Error: {empty}: empty file\n")
    code, _, err = run_cli("export", "999", "--format", "txt", "-o",
                         str(tmp_path / "x.txt"), "--db", store.url)  # fmt: skip
    assert (code, err) == (6, "Error: no document 999\n")
    code, _, err = run_cli("export", "1", "--format", "pdf", "-o",
                         str(tmp_path / "x.pdf"), "--db", store.url)  # fmt: skip
    assert code == 3 and err.startswith("Error: cannot export as 'pdf'")


def test_export_article_formats(store, doc, tmp_path):
    txt, word = tmp_path / "a.txt", tmp_path / "a.docx"
    for fmt, out in (("txt", txt), ("docx", word)):
        result = run_cli("export", str(doc), "--format", fmt, "-o", str(out),
                         "--db", store.url, "--allow-unapproved")  # fmt: skip
        assert result.exit_code == 0, result.output
    article = txt.read_text(encoding="utf-8")
    assert article == document_text(store, doc)
    assert article.startswith("=SUM(A1:A2) is not a formula here.\n\nSecond sentence.")
    paragraphs = docx.Document(str(word)).paragraphs
    lines = [p for p in article.split("\n") if p]
    # #18: the Word file opens with the headline (the first paragraph when it is one short
    # segment, else the title) as Heading 1
    assert paragraphs[0].style.name == "Heading 1"
    expected = lines if paragraphs[0].text == lines[0] else ["news", *lines]
    assert [p.text for p in paragraphs] == expected
    # without the flag, unapproved segments are refused (one line, exit 1)
    refused = run_cli("export", str(doc), "--format", "txt", "-o", str(txt),
                      "--db", store.url)  # fmt: skip
    assert refused.exit_code == 1


def test_export_records(store, doc, tmp_path):
    jsonl, table, tmx = tmp_path / "a.jsonl", tmp_path / "a.csv", tmp_path / "a.tmx"
    for fmt, out in (("jsonl", jsonl), ("csv", table), ("tmx", tmx)):
        result = run_cli("export", str(doc), "-f", fmt, "-o", str(out),
                         "--db", store.url)  # fmt: skip
        assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    segments = list_segments(store, doc)
    assert len(records) == len(segments)
    assert set(records[0]) >= EXPORT_KEYS and "bleu" in records[0]
    first, second, untouched = records[0], records[1], records[-1]
    assert (first["status"], first["editor"], first["active_ms"]) == ("approved", "lee", 4000)
    assert first["final"] == segments[0].target and first["draft"] == segments[0].draft.text
    import sacrebleu

    expected = sacrebleu.metrics.TER(case_sensitive=True).sentence_score(
        second["draft"], [second["final"]]
    )
    assert second["hter"] == expected.score
    assert second["bleu"] == sacrebleu.sentence_bleu(second["draft"], [second["final"]]).score
    assert untouched["final"] is None and untouched["hter"] is None
    raw = table.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["final"] == "'=SUM(A1:A2) is not a formula here."  # neutralised for Excel
    assert rows[1]["source"] == segments[1].source
    assert read_tmx(tmx) == [(segments[0].source, segments[0].target)]


def test_users_commands(store):
    code, _, err = run_cli("users", "add", "min", "--role", "reviewer", "--password-stdin",
                           "--db", store.url, input="s3cret pass\n")  # fmt: skip
    assert code == 0, err
    assert authenticate(store, "min", "s3cret pass").role == "reviewer"
    code, out, _ = run_cli("users", "list", "--json", "--db", store.url)
    assert [(u["name"], u["role"], u["password"]) for u in json.loads(out)] == [
        ("min", "reviewer", True)
    ]
    code, _, _ = run_cli("users", "set-role", "min", "admin", "--db", store.url)
    assert [u.role for u in list_users(store)] == ["admin"]
    code, _, err = run_cli("users", "add", "bad", "--role", "boss",
                           "--no-password", "--db", store.url)  # fmt: skip
    roles = "viewer, editor, reviewer, admin"
    assert (code, err) == (1, f"Error: unknown role 'boss' (choose from: {roles})\n")


def test_users_add_prompts_without_echo(store):
    result = run_cli("users", "add", "jun", "--db", store.url, input="pw-1-long\npw-1-long\n")
    assert result.exit_code == 0, result.output
    assert "pw-1-long" not in result.output  # hidden input is not echoed
    assert authenticate(store, "jun", "pw-1-long") is not None


@pytest.mark.parametrize("command", [["add", "kim"], ["passwd", "min"]])
def test_users_commands_refuse_a_short_password(store, command):
    add_user(store, "min", role="admin", password="long enough")
    code, _, err = run_cli(
        "users", *command, "--password-stdin", "--db", store.url, input="short\n"
    )
    assert (code, err) == (1, "Error: a password needs at least 8 characters\n")
    assert authenticate(store, "min", "long enough") is not None
    assert [u.name for u in list_users(store)] == ["min"]


def test_every_command_has_help():
    for command in app.registered_commands:
        assert command.callback.__doc__, f"{command.name} is missing its help"


@pytest.mark.parametrize("columns", ["80", "1000"])
def test_report_by_editor_is_never_cut_in_a_narrow_terminal(doc, store, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    code, out, err = run_cli("report", "--by", "editor", "--db", store.url)
    assert code == 0, err
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= int(columns)
    for header in ("hter", "chrf", "seconds_per_word", "lee", "park"):
        assert header in out
    # wide: one row per editor; narrow: one block per editor, one measure per line
    assert ("editor: lee" in out) == (columns == "80")


def test_models_list_has_a_header_row(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_cli("models", "list")
    assert code == 0
    header = next(line for line in out.splitlines() if "hub id" in line)
    assert "name" in header and "FLORES-200 devtest" in header and "NTREX-128" in header
    assert "Helsinki-NLP/opus-mt-ko-en" in out and "--model test" in out
