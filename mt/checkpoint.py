"""Resumable batch jobs: an append-only checkpoint of finished batches next to the output.

Layout: a JSON-lines file ``<output>.transdesk-resume``. The first record is the job's
fingerprint (input bytes, model, engine, decoding settings, segmenter); each later record is one
finished batch: ``{"batch": n, "pieces": [[piece_index, text, score, time_ms], ...], "sha": …}``
(a piece whose origin is not "mt", such as an LLM's NMT "fallback", has the origin fifth).
A record is written with one ``write`` call, flushed and fsynced, and carries a SHA-256 of its
payload, so a record torn by a crash is recognised and dropped on resume (that batch is simply
translated again). The batch plan is a pure function of the input, so a resumed job re-creates
the same batches and its output is byte-identical to an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from mt.errors import TransdeskError
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
    def open(cls, path: Path, fingerprint: str, *, resume: bool) -> Checkpoint:
        """Start a checkpoint; with `resume`, load the finished batches of the same job."""
        cp = cls(path, fingerprint)
        with _write_errors(path):
            if resume and path.exists():
                cp._load()
            else:
                path.unlink(missing_ok=True)
            cp._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
            if not cp.done and cp._file.tell() == 0:
                cp._append({"fingerprint": fingerprint})
        return cp

    def _load(self) -> None:
        with open(self.path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = {}
        if header.get("fingerprint") != self.fingerprint:
            raise TransdeskError(
                f"{self.path}: this checkpoint belongs to a different job (other input, model or "
                "settings); delete it to start again"
            )
        good = [lines[0]]
        for line in lines[1:]:
            try:
                record = json.loads(line)
                payload = json.dumps(record["pieces"], ensure_ascii=False)
                if record.get("sha") != _digest(payload):
                    continue
            except (ValueError, KeyError, TypeError):
                continue  # a torn final record: that batch runs again
            self.done[int(record["batch"])] = {
                int(i): Hypothesis(
                    text=t, score=s, time_ms=ms, origin=origin[0] if origin else "mt"
                )
                for i, t, s, ms, *origin in record["pieces"]
            }
            good.append(line)
        # Rewrite without torn records so later appends start on a clean line.
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text("\n".join(good) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

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
