"""The big inputs (a 5 MB single line, 200,000 lines) through the CLI and the web upload.

Both must be translated completely and in place, in a time that does not grow faster than the
input: the 5 MB line in sentence mode (Kiwi sees it in pieces; before that fix it took about
half an hour), the 200,000 lines in line mode, one segment a line, as a corpus is translated.
"""

from __future__ import annotations

import time

import pytest

from mt import drafting
from mt import store as repo
from tests.conftest import run_cli_process
from tests.robustness.big import LINE_COUNT, five_mb_line, line_pool, many_lines, sentence_cycle
from tests.robustness.conftest import model_options
from tests.robustness.test_web_inputs import Desk

pytestmark = pytest.mark.slow


def test_cli_translates_a_5mb_single_line(tiny_model_dir, tmp_path):
    text, repeats = five_mb_line()
    assert len(text.encode()) >= 5 * 2**20 and text.count("\n") == 1
    (tmp_path / "cycle.txt").write_text(sentence_cycle() + "\n", encoding="utf-8")
    (tmp_path / "line.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli_process(
        "translate",
        str(tmp_path / "cycle.txt"),
        str(tmp_path / "line.txt"),
        "-o",
        str(out),
        *model_options(tiny_model_dir),
        timeout=900,
    )
    assert result.returncode == 0, result.stderr.decode()
    once = (out / "cycle.txt").read_text(encoding="utf-8").removesuffix("\n")
    assert once and "\n" not in once
    assert (out / "line.txt").read_text(encoding="utf-8") == " ".join([once] * repeats) + "\n"


def test_cli_translates_200000_lines_line_for_line(tiny_model_dir, tmp_path):
    pool = line_pool()
    (tmp_path / "pool.txt").write_text("\n".join(pool) + "\n", encoding="utf-8")
    (tmp_path / "lines.txt").write_text(many_lines(), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli_process(
        "translate",
        str(tmp_path / "pool.txt"),
        str(tmp_path / "lines.txt"),
        "-o",
        str(out),
        *model_options(tiny_model_dir),
        "--segment",
        "line",
        timeout=900,
    )
    assert result.returncode == 0, result.stderr.decode()
    translated_pool = (out / "pool.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert len(translated_pool) == len(pool) and all(translated_pool)
    lines = (out / "lines.txt").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == LINE_COUNT + 1
    assert lines[:-1] == [translated_pool[i % len(pool)] for i in range(LINE_COUNT)]


@pytest.fixture
def desk(tmp_path, tiny_model_dir, monkeypatch):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("TRANSDESK_DB", url)
    monkeypatch.setenv("TRANSDESK_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("TRANSDESK_USER", "desk")
    monkeypatch.delenv("TRANSDESK_MAX_UPLOAD_MB", raising=False)
    opened = Desk(url)
    yield opened
    opened.store.close()


def test_web_upload_of_a_5mb_single_line(desk):
    text, repeats = five_mb_line()
    cycle = drafting.create_document(
        desk.store, sentence_cycle(), title="cycle", engine=None, created_by="desk"
    )
    per_cycle = repo.count_segments(desk.store, cycle)
    errors, exceptions, new = desk.upload("line.txt", text.encode())
    assert not errors and not exceptions, (errors, exceptions)
    (doc_id,) = new
    assert repo.count_segments(desk.store, doc_id) == per_cycle * repeats
    assert drafting.document_text(desk.store, doc_id, which="source") == text


def test_web_upload_of_200000_lines(desk):
    text = many_lines()
    at = desk.fresh()
    at.selectbox(key="new_mode").set_value("line")
    started = time.monotonic()
    errors, exceptions, new = desk.upload("lines.txt", text.encode())
    took = time.monotonic() - started
    assert not errors and not exceptions, (errors, exceptions)
    (doc_id,) = new
    assert repo.count_segments(desk.store, doc_id) == LINE_COUNT
    assert drafting.document_text(desk.store, doc_id, which="source") == text
    first = repo.list_segments(desk.store, doc_id, limit=len(line_pool()))
    tail = repo.list_segments(desk.store, doc_id, offset=LINE_COUNT - len(line_pool()))
    assert [s.target for s in first] == [s.target for s in tail]  # same line, same draft
    assert took < 600
