"""Load: 20 concurrent editors (processes) saving through the repository, on SQLite and
PostgreSQL; zero lost edits, zero unhandled errors, every conflict reported as a conflict.

The run and its checks are those of benchmarks/load_saves.py (which does the full 20 x 500 and
prints saves per second); CI runs 20 x 10 on 10 segments, so conflicts are certain.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.robustness.cases import ROOT

pytestmark = pytest.mark.slow


def load_saves():
    """benchmarks/load_saves.py as a module (benchmarks/ is not a package)."""
    if "load_saves" not in sys.modules:
        path = ROOT / "benchmarks" / "load_saves.py"
        spec = importlib.util.spec_from_file_location("load_saves", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["load_saves"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["load_saves"]


def test_twenty_editors_lose_nothing(store_url):
    from mt.store import edit_events, open_store

    bench = load_saves()
    result = bench.run(store_url, editors=20, edits=10, segments=10, seed=1)
    assert result.errors == []  # no exception but ConflictError reached any editor
    assert result.problems == []  # every acknowledged save is in the log, in an unbroken chain
    assert result.saves == 20 * 10
    assert result.conflicts > 0  # two editors did start from one version, and were told
    with open_store(store_url) as store:
        saves = [e for e in edit_events(store) if e.kind == "save"]
    assert len(saves) == 200
    assert len({(e.segment_id, e.version_after) for e in saves}) == 200  # no version saved twice


def test_the_checks_see_a_lost_update(store_url):
    """The log check is not blind: a save written behind the repository's back is caught."""
    from sqlalchemy import update

    from mt.store import list_segments, open_store
    from mt.store.models import Segment

    bench = load_saves()
    doc_id = bench.create_document(store_url, 3)
    with open_store(store_url) as store:
        assert bench.check_segments(store, doc_id) == []
        seg = list_segments(store, doc_id)[0]
        with store.session(write=True) as session:
            session.execute(
                update(Segment).where(Segment.id == seg.id).values(target="lost", version=2)
            )
        problems = bench.check_segments(store, doc_id)
        assert problems and f"segment {seg.id}" in problems[0]
        assert bench.check_acknowledged(store, doc_id, [(seg.id, 2, "lost", "save")])
