"""`transdesk documents` and the handover exports from the shell (#18): JSON rows, one-line
errors with the README's exit codes, the viewer's read-only rights."""

from __future__ import annotations

import json

import pytest

from mt.drafting import create_document
from mt.revising import approve_segment
from mt.store import add_user, list_segments
from mt.store import workflow as wf
from tests.conftest import run_cli
from tests.store.conftest import TableEngine


@pytest.fixture
def desk(store):
    for name, role in (("vera", "viewer"), ("eddie", "editor"), ("rita", "reviewer")):
        add_user(store, name, role=role, password="a long password")
    table = {"제목": "Headline <b>", "본문.": "Body & text."}
    doc = create_document(store, "제목\n\n본문.", title="story", engine=TableEngine("t", table),
                          created_by="eddie", segment_mode="line")  # fmt: skip
    return store, doc


def test_list_and_show_json(desk):
    store, doc = desk
    db = ["--db", store.url]
    assert run_cli("documents", "assign", str(doc), "eddie", "--editor",
                 "rita", *db)[0] == 0  # fmt: skip
    assert run_cli("documents", "deadline", str(doc), "2026-12-24",
                 "--editor", "eddie", *db)[0] == 0  # fmt: skip
    code, out, _ = run_cli("documents", "list", "--json", *db)
    assert code == 0
    (row,) = json.loads(out)
    assert set(row) >= {"id", "title", "state", "assignee", "deadline", "created_at",
                        "updated_at", "segments", "approved"}  # fmt: skip
    assert (row["id"], row["title"], row["state"], row["assignee"], row["segments"],
            row["approved"]) == (doc, "story", "drafted", "eddie", 2, 0)  # fmt: skip
    assert row["deadline"] == "2026-12-24T23:59:59+00:00"
    code, out, _ = run_cli("documents", "list", "--state", "review",
                         "--json", *db)  # fmt: skip
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run_cli("documents", "list", "--assignee", "eddie",
                         "--json", *db)  # fmt: skip
    assert [r["id"] for r in json.loads(out)] == [doc]
    code, out, _ = run_cli("documents", "state", str(doc), "editing",
                         "--note", "starting", "--editor", "eddie", *db)  # fmt: skip
    assert code == 0
    code, out, _ = run_cli("documents", "show", str(doc), "--json", *db)
    shown = json.loads(out)
    assert shown["state"] == "editing"
    assert [(h["kind"], h["editor"], h["to"]) for h in shown["history"]] == [
        ("assign", "rita", "eddie"), ("deadline", "eddie", "2026-12-24T23:59:59+00:00"),
        ("state", "eddie", "editing"),
    ]  # fmt: skip
    assert shown["history"][-1]["note"] == "starting"
    code, out, _ = run_cli("documents", "show", str(doc), *db)
    assert code == 0 and "state\tediting" in out and "eddie\tstate\tdrafted → editing" in out


def test_rename_archive_restore(desk):
    store, doc = desk
    db = ["--db", store.url]
    assert run_cli("documents", "rename", str(doc), "Fares rise",
                 "--editor", "eddie", *db)[0] == 0  # fmt: skip
    assert run_cli("documents", "archive", str(doc), "--editor", "rita",
                 *db)[0] == 0  # fmt: skip
    code, out, _ = run_cli("documents", "list", "--json", *db)
    assert json.loads(out) == []
    code, out, _ = run_cli("documents", "list", "--archived", "--json", *db)
    assert code == 0
    assert [r["title"] for r in json.loads(out)] == ["Fares rise"]
    assert run_cli("documents", "restore", str(doc), "--editor", "rita",
                 *db)[0] == 0  # fmt: skip
    assert wf.get_article(store, doc).archived_at is None


@pytest.mark.parametrize(
    ("args", "code", "err"),
    [
        (["state", "{doc}", "finished", "--editor", "eddie"], 1,
         "Error: unknown state 'finished' (choose from: drafted, editing, review, ready, "
         "published)\n"),
        (["list", "--state", "finished"], 1,
         "Error: unknown state 'finished' (choose from: drafted, editing, review, ready, "
         "published)\n"),
        (["state", "{doc}", "published", "--editor", "rita"], 1,
         "Error: article {doc} cannot move from drafted to published (from drafted: editing)\n"),
        (["assign", "{doc}", "nobody", "--editor", "rita"], 6, "Error: no person named 'nobody'\n"),
        (["list", "--assignee", "nobody"], 6, "Error: no person named 'nobody'\n"),
        (["show", "999"], 6, "Error: no document 999\n"),
        (["state", "999", "editing", "--editor", "eddie"], 6, "Error: no document 999\n"),
        (["deadline", "{doc}", "tomorrow", "--editor", "eddie"], 1,
         "Error: deadline 'tomorrow' is not an ISO date (YYYY-MM-DD or "
         "YYYY-MM-DDTHH:MM[+HH:MM])\n"),
        (["state", "{doc}", "editing", "--editor", "stranger"], 7,
         "Error: no account named 'stranger'\n"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_exit_codes(desk, args, code, err):
    store, doc = desk
    args = [a.replace("{doc}", str(doc)) for a in args]
    got = run_cli("documents", *args, "--db", store.url)
    assert (got[0], got[2]) == (code, err.replace("{doc}", str(doc)))


@pytest.mark.parametrize(
    "args",
    [
        ["documents", "state", "{doc}", "editing"],
        ["documents", "assign", "{doc}", "eddie"],
        ["documents", "rename", "{doc}", "Mine"],
        ["documents", "deadline", "{doc}", "2026-12-01"],
        ["documents", "archive", "{doc}"],
    ],
)
def test_viewer_is_refused_every_change_in_the_cli(desk, args):
    store, doc = desk
    args = [a.replace("{doc}", str(doc)) for a in args]
    code, _, err = run_cli(*args, "--editor", "vera", "--db", store.url)
    assert code == 7 and err.startswith("Error: vera is a viewer; to ") and err.count("\n") == 1
    assert wf.history(store, doc) == []


def test_viewer_reads_lists_and_downloads(desk, tmp_path):
    store, doc = desk
    code, out, _ = run_cli("documents", "list", "--json", "--db", store.url)
    assert code == 0 and len(json.loads(out)) == 1
    out_file = tmp_path / "a.html"
    code, _, _ = run_cli("export", str(doc), "--format", "html", "-o",
                       str(out_file), "--allow-unapproved", "--db", store.url)  # fmt: skip
    assert code == 0


def test_export_html_md_refuse_or_mark_unapproved(desk, tmp_path):
    store, doc = desk
    out = tmp_path / "a.html"
    base = ["export", str(doc), "-o", str(out), "--db", store.url]
    code, _, err = run_cli(*base, "--format", "html")
    assert code == 1 and err.startswith(f"Error: document {doc} has 2 of 2 segments not approved")
    assert not out.exists()
    code, _, _ = run_cli(*base, "--format", "html", "--mark-unapproved")
    assert out.read_text(encoding="utf-8") == (
        "<h1>[UNAPPROVED: Headline &lt;b&gt;]</h1>\n<p>[UNAPPROVED: Body &amp; text.]</p>\n"
    )
    code, _, _ = run_cli(*base, "--format", "txt", "--allow-unapproved")
    assert out.read_text(encoding="utf-8") == "Headline <b>\n\nBody & text."
    for seg in list_segments(store, doc):
        approve_segment(store, seg.id, editor="rita", base_version=seg.version)
    md = tmp_path / "a.md"
    code, _, _ = run_cli("export", str(doc), "--format", "md", "-o", str(md),
                       "--db", store.url)  # fmt: skip
    assert code == 0 and md.read_text(encoding="utf-8") == "# Headline \\<b\\>\n\nBody & text.\n"
