"""Two `import-xliff` runs on the same segments, in opposite orders, at once (#13, item 6).

Before the fix each took row locks in its file's order and PostgreSQL ended one of them with
DeadlockDetected (exit 1, a traceback) every time. Now both lock the file's segments in id
order first: one run wins, the other waits, then finds every segment changed since its export
and answers with the documented conflict (exit 5, one line) without changing anything. The
same race on SQLite queues on the write lock and ends the same way.
"""

from __future__ import annotations

import subprocess

import pytest
from lxml import etree

from mt import drafting
from mt import store as repo
from tests.conftest import TRANSDESK, run_cli_process
from tests.store.conftest import TableEngine

pytestmark = pytest.mark.slow

SEGMENTS = 300
ROUNDS = 3


def _xliff(exported: bytes, *, reverse: bool, mark: str) -> bytes:
    """The export with every target changed (`mark` makes each run's text differ), its units
    in the export's order or reversed."""
    root = etree.fromstring(exported)
    units = list(root.iter("{*}trans-unit"))
    for unit in units:
        target = unit.find("{*}target")
        target.text = f"{mark} {unit.find('{*}source').text}"
        for key in ("state", "state-qualifier"):
            target.attrib.pop(key, None)
        target.set("state", "translated")
    if reverse:
        for unit in units:
            unit.getparent().remove(unit)
        body = root.find(".//{*}body")
        for unit in reversed(units):
            body.append(unit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_opposite_order_imports_end_in_one_win_and_one_conflict(store_url, tmp_path):
    sentences = [f"{n}번째 문장이다." for n in range(SEGMENTS)]
    with repo.open_store(store_url) as store:
        doc = drafting.create_document(
            store, "\n".join(sentences), title="t", created_by="kim", segment_mode="line",
            engine=TableEngine("m", {s: f"Sentence {n}." for n, s in enumerate(sentences)}),
        )  # fmt: skip
    for round_ in range(ROUNDS):
        export = tmp_path / f"export{round_}.xlf"
        result = run_cli_process(
            "export", str(doc), "--format", "xliff", "-o", str(export), "--db", store_url
        )
        assert result.returncode == 0, result.stderr.decode()
        files = []
        for reverse in (False, True):
            path = tmp_path / f"r{round_}-{'back' if reverse else 'forth'}.xlf"
            path.write_bytes(
                _xliff(export.read_bytes(), reverse=reverse, mark=f"{round_}{reverse}")
            )
            files.append(path)
        runs = [
            subprocess.Popen(
                [*TRANSDESK, "import-xliff", str(f), "--editor", "kim", "--db", store_url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for f in files
        ]
        outcomes = [(p.wait(timeout=300), p.stderr.read().decode()) for p in runs]
        for p in runs:
            p.stdout.close()
            p.stderr.close()
        codes = sorted(code for code, _ in outcomes)
        for _, err in outcomes:
            assert "Traceback" not in err and "Deadlock" not in err, err
        assert codes == [0, 5], outcomes
        (conflict,) = [err for code, err in outcomes if code == 5]
        assert conflict.count("\n") == 1 and conflict.startswith("Error: "), conflict
        # The winner's text is on every segment; the loser changed nothing.
        winner = files[[code for code, _ in outcomes].index(0)]
        with repo.open_store(store_url) as store:
            targets = [s.target for s in repo.list_segments(store, doc)]
        expected = {
            u.find("{*}target").text
            for u in etree.fromstring(winner.read_bytes()).iter("{*}trans-unit")
        }
        assert set(targets) == expected
