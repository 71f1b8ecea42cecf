"""`mt.checkpoint` on the files a crash, a kill or a stray edit leave (#25 item 13): an empty
file is no progress, a torn last line is dropped, any other bad line is refused in one line
naming the file and the line, and the checkpoint is then left as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mt.checkpoint import Checkpoint, _digest
from mt.errors import TransdeskError
from mt.types import Hypothesis

FINGERPRINT = "job-1"


def _record(batch: int, pieces: list) -> str:
    payload = json.dumps(pieces, ensure_ascii=False)
    return json.dumps({"batch": batch, "pieces": pieces, "sha": _digest(payload)})


GOOD = [
    json.dumps({"fingerprint": FINGERPRINT}),
    _record(0, [[0, "Seoul is clear.", -0.5, 1.5]]),
    _record(1, [[1, "Busan is cloudy.", -0.25, 2.0, "fallback"]]),
]


def _open(path: Path, notes: list[str] | None = None) -> Checkpoint:
    if notes is None:
        return Checkpoint.open(path, FINGERPRINT, resume=True)
    return Checkpoint.open(path, FINGERPRINT, resume=True, notice=notes.append)


def test_a_checkpoint_resumes_its_batches(tmp_path):
    path = tmp_path / "out.txt.transdesk-resume"
    path.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    cp = _open(path)
    cp.close(remove=False)
    assert cp.done == {
        0: {0: Hypothesis("Seoul is clear.", -0.5, 1.5)},
        1: {1: Hypothesis("Busan is cloudy.", -0.25, 2.0, origin="fallback")},
    }
    assert path.read_text(encoding="utf-8") == "\n".join(GOOD) + "\n"  # nothing rewritten


def test_a_torn_last_record_is_dropped_and_the_file_rewritten(tmp_path):
    path = tmp_path / "out.txt.transdesk-resume"
    record = _record(2, [[2, "Daegu is hot.", -0.1, 1.0]])
    path.write_text("\n".join(GOOD) + "\n" + record[:25], encoding="utf-8")
    cp = _open(path)
    assert sorted(cp.done) == [0, 1]  # batch 2 runs again
    cp.record(2, {2: Hypothesis("Daegu is hot.", -0.1, 1.0)})
    cp.close(remove=False)
    assert path.read_text(encoding="utf-8") == "\n".join([*GOOD, record]) + "\n"


@pytest.mark.parametrize("content", [b"", b'{"fingerpr'], ids=["empty", "torn header"])
def test_an_empty_checkpoint_is_no_progress_and_says_so(content, tmp_path):
    path = tmp_path / "out.txt.transdesk-resume"
    path.write_bytes(content)
    notes: list[str] = []
    cp = _open(path, notes)
    cp.close(remove=False)
    assert cp.done == {}
    assert notes == [
        f"{path}: the checkpoint is empty (the job was stopped before it finished a batch); "
        "starting over"
    ]
    assert json.loads(path.read_text(encoding="utf-8")) == {"fingerprint": FINGERPRINT}


BAD_LINES = {
    "header is a list": (['["x"]', *GOOD[1:]], 1, "not a checkpoint header"),
    "header not JSON": (["{fingerprint", *GOOD[1:]], 1, "not JSON"),
    "record not JSON": ([*GOOD[:2], "{batch: 1}", GOOD[2]], 3, "not JSON"),
    "header nested deep": (["[" * 100_000 + "]" * 100_000, *GOOD[1:]], 1, "not JSON"),
    "record nested deep": ([*GOOD[:2], "[" * 100_000 + "]" * 100_000, GOOD[2]], 3, "not JSON"),
    "record a list": ([*GOOD, "[1, 2]"], 4, "not a batch record"),
    "batch not a number": ([*GOOD[:2], GOOD[2].replace('"batch": 1', '"batch": "1"')], 3,
                           "not a batch record"),
    "checksum": ([*GOOD[:2], GOOD[2].replace("Busan", "Bussan")], 3,
                 "its checksum does not match"),
    "short piece": ([*GOOD[:2], _record(1, [[1, "Busan"]])], 3,
                    "a piece is not [index, text, score, time]"),
    "text not a string": ([*GOOD[:2], _record(1, [[1, 7, 0.0, 1.0]])], 3,
                          "a piece is not [index, text, score, time]"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_malformed_line_is_refused_and_left_as_it_is(case, tmp_path):
    lines, number, problem = BAD_LINES[case]
    path = tmp_path / "out.txt.transdesk-resume"
    content = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(content)
    with pytest.raises(TransdeskError) as info:
        _open(path)
    assert str(info.value) == (
        f"{path}: line {number} of the checkpoint is malformed ({problem}); "
        "delete the checkpoint to start again"
    )
    assert path.read_bytes() == content


def test_a_line_not_utf8_is_refused(tmp_path):
    path = tmp_path / "out.txt.transdesk-resume"
    content = ("\n".join(GOOD) + "\n").encode() + b'{"batch": 2, "pieces": "\xff"}\n'
    path.write_bytes(content)
    with pytest.raises(TransdeskError, match=r"line 4 of the checkpoint is malformed \(not UTF-8"):
        _open(path)
    assert path.read_bytes() == content


def test_another_jobs_checkpoint_is_still_refused_as_such(tmp_path):
    path = tmp_path / "out.txt.transdesk-resume"
    path.write_text(json.dumps({"fingerprint": "other"}) + "\n", encoding="utf-8")
    with pytest.raises(TransdeskError, match="belongs to a different job"):
        _open(path)
