"""Issue #25, items 3 and 8, through the CLI.

3. `-o` onto a FIFO or a character device writes into it (it stays what it was: no temporary
   file, no checkpoint beside it); `/dev/fd/1` onto a regular file writes into that file; a
   folder, a socket or a block device is refused in one line.
8. A read-only database (SQLite opened read-only, PostgreSQL in read-only transactions) and a
   full SQLite database: one "Error:" line naming the database and the problem, exit 8, no SQL
   parameter (article text) in it, and what was saved before is intact. An error the store
   does not turn into one line (a constraint) keeps its parameters out of its message too.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mt.drafting import create_document
from mt.formats.tmx import write_tmx
from mt.store import open_store
from tests.conftest import ROOT, TRANSDESK, run_cli
from tests.robustness.conftest import model_options
from tests.store.conftest import TableEngine

ARTICLE = ["서울시는 오늘 새 교통 정책을 발표했다.", "시민들은 대체로 환영했다."]
MARKER = "비밀기사문장"  # article text that must never reach an error message


def _document(url: str) -> int:
    table = {s: f"Draft {i}." for i, s in enumerate(ARTICLE)}
    with open_store(url) as store:
        return create_document(
            store,
            "\n".join(ARTICLE),
            title="news",
            engine=TableEngine("table-model", table),
            created_by="kim",
            segment_mode="line",
        )


def _read_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    """A reader of `fifo` (as `cat fifo` would be), started before the writer."""
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


def _export(doc: int, out: Path | str, db: str):
    return run_cli("export", str(doc), "-f", "jsonl", "-o", str(out), "--db", db)


def _leftovers(folder: Path, *keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# --- 3. outputs that are not regular files -----------------------------------------------------


def test_export_into_a_fifo_writes_through_it(sqlite_url, tmp_path):
    doc = _document(sqlite_url)
    assert _export(doc, tmp_path / "plain.jsonl", sqlite_url).exit_code == 0
    out = tmp_path / "out" / "pipe.jsonl"
    out.parent.mkdir()
    os.mkfifo(out)
    reader, got = _read_in_background(out)
    result = _export(doc, out, sqlite_url)
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert not reader.is_alive(), "the reader never saw the export (the FIFO was replaced)"
    assert got == [(tmp_path / "plain.jsonl").read_bytes()]
    assert stat.S_ISFIFO(os.lstat(out).st_mode)
    assert _leftovers(out.parent, out.name) == []  # no temporary file


def test_translate_into_a_fifo_keeps_no_checkpoint(tiny_model_dir, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("\n".join(ARTICLE) + "\n", encoding="utf-8")
    plain = run_cli("translate", str(src), "-o", str(tmp_path / "plain.txt"),
                    *model_options(tiny_model_dir), "--quiet")  # fmt: skip
    assert plain.exit_code == 0, plain.stderr
    out = tmp_path / "out" / "pipe.txt"
    out.parent.mkdir()
    os.mkfifo(out)
    reader, got = _read_in_background(out)
    result = run_cli("translate", str(src), "-o", str(out), *model_options(tiny_model_dir),
                     "--quiet", "--resume")  # fmt: skip
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert not reader.is_alive(), "the reader never saw the translation"
    assert got == [(tmp_path / "plain.txt").read_bytes()]
    assert stat.S_ISFIFO(os.lstat(out).st_mode)
    assert _leftovers(out.parent, out.name) == []  # no temporary file, no checkpoint


def _root() -> bool:
    return os.geteuid() == 0


@pytest.mark.skipif(not _root(), reason="only root can make a device node or replace /dev/null")
def test_a_character_device_stays_a_device(sqlite_url, tmp_path):
    doc = _document(sqlite_url)
    node = tmp_path / "dev" / "null"
    node.parent.mkdir()
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    result = _export(doc, node, sqlite_url)
    assert result.exit_code == 0, result.stderr
    info = os.lstat(node)
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert _leftovers(node.parent, "null") == []


@pytest.mark.skipif(not _root(), reason="the reported case: root writing to /dev/null")
def test_dev_null_as_root_stays_dev_null(sqlite_url, tiny_model_dir, tmp_path):
    before = os.lstat("/dev/null")
    dev = set(os.listdir("/dev"))
    doc = _document(sqlite_url)
    assert _export(doc, "/dev/null", sqlite_url).exit_code == 0
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE[0] + "\n", encoding="utf-8")
    result = run_cli("translate", str(src), "-o", "/dev/null", *model_options(tiny_model_dir),
                     "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert set(os.listdir("/dev")) - dev == set()  # no temporary file, no checkpoint


def test_dev_fd_onto_a_regular_file_writes_into_it(sqlite_url, tmp_path):
    """`transdesk export -o /dev/fd/1 > file`: the file gets the export, /dev/fd is untouched."""
    doc = _document(sqlite_url)
    assert _export(doc, tmp_path / "plain.jsonl", sqlite_url).exit_code == 0
    captured = tmp_path / "stdout.jsonl"
    with open(captured, "wb") as stdout:
        result = subprocess.run(
            [*TRANSDESK, "export", str(doc), "-f", "jsonl", "-o", "/dev/fd/1", "--db", sqlite_url],
            stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert captured.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def test_a_folder_or_socket_is_refused_in_one_line(sqlite_url, tmp_path):
    doc = _document(sqlite_url)
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    result = _export(doc, folder, sqlite_url)
    assert (result.exit_code, result.stderr) == (1, f"Error: {folder}: is a folder, not a file\n")
    assert folder.is_dir() and list(folder.iterdir()) == []

    sock_path = tmp_path / "s.jsonl"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        result = _export(doc, sock_path, sqlite_url)
        assert (result.exit_code, result.stderr) == (
            1,
            f"Error: {sock_path}: is a socket, not a file\n",
        )
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
        # translate refuses it before it loads the (here missing) model
        src = tmp_path / "a.txt"
        src.write_text(ARTICLE[0] + "\n", encoding="utf-8")
        result = run_cli("translate", str(src), "-o", str(sock_path), "--model", "/nonexistent")
        assert (result.exit_code, result.stderr) == (
            1,
            f"Error: {sock_path}: is a socket, not a file\n",
        )
    assert _leftovers(tmp_path, "folder.jsonl", "s.jsonl", "a.txt", "store.db", "store.db-wal",
                      "store.db-shm") == []  # fmt: skip


# --- 8. database errors ------------------------------------------------------------------------


def _tmx(path: Path, pairs: list[tuple[str, str]]) -> Path:
    write_tmx(pairs, path)
    return path


def _pairs(url: str) -> list[tuple[str, str]]:
    from mt.store.tm import tm_pairs

    with open_store(url) as store:
        return sorted(tm_pairs(store))


def _read_only(url: str) -> str:
    """`url` opened read-only: SQLite's read-only mode, PostgreSQL's read-only transactions
    (root is not stopped by a file's permission bits, so chmod would prove nothing here)."""
    from sqlalchemy.engine import make_url

    if url.startswith("sqlite"):
        return f"sqlite:///file:{make_url(url).database}?mode=ro&uri=true"
    parsed = make_url(url)
    options = f"{parsed.query.get('options', '')} -cdefault_transaction_read_only=on".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _one_error_line(result, url: str, problem: str) -> None:
    assert result.exit_code == 8, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: database {url}: {problem}"), lines
    assert lines[0].endswith("; nothing was saved"), lines
    assert MARKER not in result.stderr and "[SQL" not in result.stderr


def test_a_read_only_database_is_one_line(store_url, tmp_path):
    saved = [("한국은행은 기준금리를 동결했다.", "The Bank of Korea held its rate.")]
    first = run_cli("tm", "import", str(_tmx(tmp_path / "a.tmx", saved)), "--db", store_url)
    assert first.exit_code == 0, first.output
    ro = _read_only(store_url)
    new = [(f"{MARKER} {i}번.", f"Secret sentence {i}.") for i in range(50)]
    result = run_cli("tm", "import", str(_tmx(tmp_path / "b.tmx", new)), "--db", ro)
    _one_error_line(result, ro, "it is read-only")
    assert _pairs(store_url) == saved


@contextlib.contextmanager
def _full(url: str) -> Iterator[None]:
    """While open, connections to the SQLite file `url` may not make it any bigger than it is:
    SQLite answers "database or disk is full" (SQLITE_FULL), as on a full disk."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, make_url

    database = str(Path(make_url(url).database or "").resolve())

    def cap(dbapi_connection, _record) -> None:
        if dbapi_connection.execute("PRAGMA database_list").fetchone()[2] == database:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(Engine, "connect", cap)


def test_a_full_sqlite_database_is_one_line(sqlite_url, tmp_path):
    saved = [("한국은행은 기준금리를 동결했다.", "The Bank of Korea held its rate.")]
    first = run_cli("tm", "import", str(_tmx(tmp_path / "a.tmx", saved)), "--db", sqlite_url)
    assert first.exit_code == 0, first.output
    new = [(f"{MARKER} {i}번. " + "가나다" * 100, f"Secret sentence {i}.") for i in range(500)]
    with _full(sqlite_url):
        result = run_cli("tm", "import", str(_tmx(tmp_path / "b.tmx", new)), "--db", sqlite_url)
    _one_error_line(result, sqlite_url, "its disk is full")
    assert _pairs(sqlite_url) == saved
    with open_store(sqlite_url) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_other_database_errors_keep_their_parameters_out(store_url):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    insert = text(
        "INSERT INTO glossary_term (korean, english, avoid, case_sensitive, note, created_at, "
        "updated_at) VALUES (:korean, '[]', '[]', true, :note, :at, :at)"
    )
    # (PostgreSQL's own message names the duplicate key: the note is the parameter to hide)
    values = {"korean": "기준금리", "note": MARKER, "at": "2026-12-01 00:00:00"}
    with open_store(store_url) as store:
        with store.session(write=True) as session:
            session.execute(insert, values)
        with pytest.raises(IntegrityError) as info, store.session(write=True) as session:
            session.execute(insert, values)  # the same Korean term again: unique
    assert MARKER not in str(info.value)
