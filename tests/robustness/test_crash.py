"""Crash safety: SIGKILL in the middle of work loses nothing that was confirmed.

- A batch job over a folder (txt, JSONL, CSV) killed twice, then resumed: every output is
  byte-identical to an uninterrupted run, and after each kill an output either is complete or
  does not exist (tests/test_translate_cli.py kills a one-file job once).
- Processes saving as the web app's editor page does (open, then save, approve, reopen or revert
  through the repository), killed at once while they save: the database opens and migrates
  cleanly, every segment holds exactly the version and text of its last logged change, each
  with its event, and every change the store confirmed before the kill is there.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mt.checkpoint import SUFFIX
from tests.conftest import TRANSDESK, run_cli_process, shared_lines
from tests.robustness.conftest import model_options
from tests.robustness.test_load import load_saves

pytestmark = pytest.mark.slow


# --- batch job ------------------------------------------------------------------------------


def _inbox(folder: Path) -> None:
    lines = shared_lines("ntrex128", "ko", 450)
    (folder / "a_news.txt").write_text("\n".join(lines[:150]) + "\n", encoding="utf-8")
    (folder / "b_news.jsonl").write_text(
        "".join(
            json.dumps({"id": i, "ko": line}, ensure_ascii=False) + "\n"
            for i, line in enumerate(lines[150:300])
        ),
        encoding="utf-8",
    )
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([["id", "ko"], *enumerate(lines[300:450])])
    (folder / "c_news.csv").write_text(buffer.getvalue(), encoding="utf-8")


def _batches_done(outbox: Path) -> int:
    """Finished batches recorded in the checkpoints now in `outbox`."""
    total = 0
    for path in outbox.glob(f"*{SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):  # finished and removed meanwhile
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            total += max(0, len(lines) - 1)
    return total


def _kill_after(args: list[str], outbox: Path, batches: int) -> None:
    """Run the CLI and SIGKILL it once `batches` more batches are in its checkpoints."""
    start = _batches_done(outbox)
    proc = subprocess.Popen(
        [*TRANSDESK, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 600
    while _batches_done(outbox) < start + batches and time.monotonic() < deadline:
        assert proc.poll() is None, "the job finished before it could be killed"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_folder_job_killed_twice_resumes_to_identical_output(tiny_model_dir, tmp_path):
    inbox, reference, outbox = tmp_path / "in", tmp_path / "reference", tmp_path / "out"
    inbox.mkdir()
    _inbox(inbox)
    options = [*model_options(tiny_model_dir), "--batch-tokens", "160", "--field", "ko"]
    options += ["--column", "ko", "--quiet"]
    result = run_cli_process("translate", str(inbox), "-o", str(reference), *options)
    assert result.returncode == 0, result.stderr.decode()
    expected = {p.name: p.read_bytes() for p in reference.iterdir()}
    assert sorted(expected) == ["a_news.txt", "b_news.jsonl", "c_news.csv"]

    job = ["translate", str(inbox), "-o", str(outbox), *options]
    _kill_after(job, outbox, batches=4)
    _kill_after([*job, "--resume"], outbox, batches=6)
    for path in outbox.iterdir():  # nothing half-written looks finished
        assert path.name.endswith(SUFFIX) or path.read_bytes() == expected[path.name]
    assert any(p.name.endswith(SUFFIX) for p in outbox.iterdir())

    result = run_cli_process(*job, "--resume")
    assert result.returncode == 0, result.stderr.decode()
    assert {p.name: p.read_bytes() for p in outbox.iterdir()} == expected  # no checkpoint left


# --- web app saves --------------------------------------------------------------------------


def _acks(folder: Path) -> list[list]:
    acks = []
    for path in folder.glob("acks*"):
        for line in path.read_text(encoding="utf-8").splitlines():
            # A line being written when the process died was not confirmed yet.
            with contextlib.suppress(ValueError):
                acks.append(json.loads(line))
    return acks


def _save_and_kill(url: str, doc_id: int, folder: Path, *, savers: int, round_: int) -> None:
    bench = load_saves()
    go = folder / f"go{round_}"
    procs = []
    for i in range(savers):
        args = [sys.executable, bench.__file__, "editor", url, str(doc_id), f"saver{i}"]
        args += ["--edits", "0", "--seed", str(round_ * 100 + i), "--mix", "app"]
        args += ["--ready", str(folder / f"ready{round_}.{i}"), "--go", str(go)]
        args += ["--acks", str(folder / f"acks{round_}.{i}")]
        procs.append(subprocess.Popen(args, stderr=subprocess.PIPE))
    deadline = time.monotonic() + 300
    while not all((folder / f"ready{round_}.{i}").exists() for i in range(savers)):
        assert all(p.poll() is None for p in procs), [p.stderr.read() for p in procs]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    go.touch()
    before = len(_acks(folder))
    while len(_acks(folder)) < before + 30 * savers:
        assert all(p.poll() is None for p in procs), [p.stderr.read().decode() for p in procs]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for p in procs:  # all at once, in the middle of their saves
        os.kill(p.pid, signal.SIGKILL)
    for p in procs:
        p.wait()
        assert p.returncode == -signal.SIGKILL


def _check_database(url: str, doc_id: int, folder: Path) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from mt.store import open_store
    from mt.store.db import alembic_config

    bench = load_saves()
    with open_store(url) as store:  # opens and migrates (a no-op) without complaint
        with store.engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head
            if store.dialect == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert bench.check_segments(store, doc_id) == []
        acks = _acks(folder)
        assert len(acks) >= 30
        assert bench.check_acknowledged(store, doc_id, acks) == []


def test_killed_savers_leave_a_consistent_database(store_url, tmp_path):
    bench = load_saves()
    doc_id = bench.create_document(store_url, 8)  # few segments: the savers meet on them
    for round_ in range(2):  # and the desk keeps working after a crash
        _save_and_kill(store_url, doc_id, tmp_path, savers=3, round_=round_)
        _check_database(store_url, doc_id, tmp_path)
