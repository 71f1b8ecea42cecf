"""Resumable batch jobs: an append-only checkpoint of finished batches next to the output.

Layout: a JSON-lines file ``<output>.transdesk-resume``. The first record is the job's
fingerprint (input bytes, model, engine, decoding settings, segmenter); each later record is one
finished batch: ``{"batch": n, "pieces": [[piece_index, text, score, time_ms], ...], "sha": …}``
(a piece whose origin is not "mt", such as an LLM's NMT "fallback", has the origin fifth).
A record is written with one ``write`` call, flushed and fsynced, and carries a SHA-256 of its
payload, so a record torn by a crash (the file's unfinished last line) is recognised and dropped
on resume (that batch is simply translated again). An empty checkpoint (a kill between creating
and writing it) is no progress: the job starts over and says so. A complete line that is not a
valid record is refused in one line naming the file and the line, and the checkpoint is left as
it is: it was not written by a crash, and guessing could lose or mix up finished work. The batch
plan is a pure function of the input, so a resumed job re-creates the same batches and its
output is byte-identical to an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from mt.errors import TransdeskError
from mt.formats.base import atomic_write
from mt.types import Hypothesis

SUFFIX = ".transdesk-resume"


def checkpoint_path(output: Path) -> Path:
    return output.with_name(output.name + SUFFIX)


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Checkpoint:
    """Finished batches of one job; `record` appends one durably."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.done: dict[int, dict[int, Hypothesis]] = {}
        self._file: TextIO | None = None

    @classmethod
    def open(
        cls,
        path: Path,
        fingerprint: str,
        *,
        resume: bool,
        notice: Callable[[str], None] | None = None,
    ) -> Checkpoint:
        """Start a checkpoint; with `resume`, load the finished batches of the same job.

        An empty checkpoint (the job was stopped before it wrote its first record) is no
        progress: the job starts over, and `notice` is told so in one line.

        Raises:
            TransdeskError: the checkpoint cannot be read or written, belongs to another job,
                or a line of it is malformed (then it is left as it is).
        """
        cp = cls(path, fingerprint)
        lines, torn = _read(path) if resume and path.exists() else ([], False)
        if resume and path.exists() and not lines and notice:
            notice(
                f"{path}: the checkpoint is empty (the job was stopped before it finished a "
                "batch); starting over"
            )
        with _write_errors(path):
            if lines:
                cp._load(lines, torn=torn)
            else:
                path.unlink(missing_ok=True)
            cp._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
            if not cp.done and cp._file.tell() == 0:
                cp._append({"fingerprint": fingerprint})
        return cp

    def _load(self, lines: list[tuple[int, str]], *, torn: bool) -> None:
        if _header(self.path, *lines[0]) != self.fingerprint:
            raise TransdeskError(
                f"{self.path}: this checkpoint belongs to a different job (other input, model or "
                "settings); delete it to start again"
            )
        for number, line in lines[1:]:
            batch_no, results = _batch(self.path, number, line)
            self.done[batch_no] = results
        if torn:
            # Rewrite without the torn record so later appends start on a clean line.
            text = "".join(line + "\n" for _, line in lines)
            atomic_write(self.path, text.encode("utf-8"))

    def _append(self, record: dict) -> None:
        assert self._file is not None
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def record(self, batch_no: int, results: dict[int, Hypothesis]) -> None:
        """Durably note that `batch_no` finished with these per-piece results."""
        pieces = [
            [i, h.text, h.score, h.time_ms, *([h.origin] if h.origin != "mt" else [])]
            for i, h in sorted(results.items())
        ]
        payload = json.dumps(pieces, ensure_ascii=False)
        with _write_errors(self.path):
            self._append({"batch": batch_no, "pieces": pieces, "sha": _digest(payload)})
        self.done[batch_no] = results

    def close(self, *, remove: bool) -> None:
        # Closing after a failed write (a full disk) must not hide the first error.
        with contextlib.suppress(OSError):
            if self._file:
                self._file.close()
        self._file = None
        if remove:
            with _write_errors(self.path):
                self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def _write_errors(path: Path) -> Iterator[None]:
    """Turn an OSError (missing or read-only folder, full disk) into one TransdeskError line."""
    try:
        yield
    except OSError as e:
        raise TransdeskError(f"{path}: cannot write checkpoint ({e.strerror or e})") from None


def _read(path: Path) -> tuple[list[tuple[int, str]], bool]:
    """(line number, text) of each complete, non-blank line, and whether the file ends in an
    unfinished line (torn by a crash: its batch simply runs again). No lines when nothing is
    complete: the file is empty, or not even the header was finished.

    Raises:
        TransdeskError: the file cannot be read, or a line is not UTF-8 (naming the line).
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        raise TransdeskError(f"{path}: cannot read checkpoint ({e.strerror or e})") from None
    *complete, tail = data.split(b"\n")
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(complete, start=1):
        if not raw.strip():
            continue
        try:
            lines.append((number, raw.decode("utf-8")))
        except UnicodeDecodeError:
            raise _malformed(path, number, "not UTF-8 text") from None
    return lines, bool(lines) and bool(tail.strip())


def _malformed(path: Path, number: int, problem: str) -> TransdeskError:
    return TransdeskError(
        f"{path}: line {number} of the checkpoint is malformed ({problem}); "
        "delete the checkpoint to start again"
    )


def _header(path: Path, number: int, line: str) -> object:
    """The fingerprint the first line records (any JSON value: compared, not trusted)."""
    try:
        header = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply for json
        raise _malformed(path, number, "not JSON") from None
    if not isinstance(header, dict) or "fingerprint" not in header:
        raise _malformed(path, number, "not a checkpoint header")
    return header["fingerprint"]


def _batch(path: Path, number: int, line: str) -> tuple[int, dict[int, Hypothesis]]:
    """(batch number, piece index → Hypothesis) of one complete record line."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply for json
        raise _malformed(path, number, "not JSON") from None
    if not isinstance(record, dict):
        raise _malformed(path, number, "not a batch record")
    batch_no, pieces = record.get("batch"), record.get("pieces")
    if type(batch_no) is not int or batch_no < 0 or not isinstance(pieces, list):
        raise _malformed(path, number, "not a batch record")
    if record.get("sha") != _digest(json.dumps(pieces, ensure_ascii=False)):
        raise _malformed(path, number, "its checksum does not match")
    results: dict[int, Hypothesis] = {}
    for piece in pieces:
        if not (
            isinstance(piece, list)
            and len(piece) in (4, 5)
            and type(piece[0]) is int
            and isinstance(piece[1], str)
            and all(v is None or type(v) in (int, float) for v in piece[2:4])
            and all(isinstance(v, str) for v in piece[4:])
        ):
            raise _malformed(path, number, "a piece is not [index, text, score, time]")
        i, text, score, time_ms, *origin = piece
        results[i] = Hypothesis(
            text=text, score=score, time_ms=time_ms, origin=origin[0] if origin else "mt"
        )
    return batch_no, results
