"""From scratch after import (#15, Settings and `transdesk documents scratch`): a seeded share
of the untouched segments, drawn as `import --from-scratch` draws, logged, counted in reports."""

from __future__ import annotations

import random

import pytest

from mt.drafting import apply_scratch, create_document
from mt.errors import InvalidValue, PermissionDenied, WorkflowError
from mt.report import report
from mt.revising import approve_segment, save_segment
from mt.store import add_comment, add_user, edit_events, list_segments
from mt.store import workflow as wf
from tests.conftest import run_cli, shared_lines
from tests.store.conftest import TableEngine

N = 8


@pytest.fixture
def doc(store):
    ko, en = shared_lines("ntrex128", "ko", N), shared_lines("ntrex128", "en", N)
    engine = TableEngine("model-a", dict(zip(ko, en, strict=True)))
    return create_document(store, "\n".join(ko), title="late scratch", engine=engine,
                           created_by="root", segment_mode="line")  # fmt: skip


def test_same_draw_as_import_and_reproducible(store, doc):
    assert apply_scratch(store, doc, 0.5, seed=3, by="root") == N // 2
    chosen = set(random.Random(3).sample(range(N), N // 2))  # import --from-scratch 0.5 --seed 3
    segs = list_segments(store, doc)
    assert {s.position for s in segs if s.draft.origin == "scratch"} == chosen
    for s in segs:
        scratch = s.position in chosen
        assert (s.target == "") is scratch and (s.draft.text == "") is scratch
        assert s.version == (2 if scratch else 1) and s.status == "draft"
    # Logged as an import-like event: the MT text it had is kept as text_before.
    events = [e for e in edit_events(store, document_id=doc) if e.kind == "import"]
    assert len(events) == N + N // 2
    again = apply_scratch(store, doc, 0.5, seed=3, by="root")  # same draw: already scratch
    assert again == 0
    assert sum(s.draft.origin == "scratch" for s in list_segments(store, doc)) == N // 2
    assert apply_scratch(store, doc, 0.0, seed=3, by="root") == 0


def test_touched_segments_are_never_changed(store, doc):
    segs = list_segments(store, doc)
    save_segment(store, segs[0].id, "Edited by ann.", editor="ann", base_version=1)
    approve_segment(store, segs[1].id, editor="rev", base_version=1)
    add_comment(store, segs[2].id, "a note", editor="ann")
    before = {s.id: (s.target, s.version, s.draft.id) for s in list_segments(store, doc)[:3]}
    assert apply_scratch(store, doc, 1.0, seed=1, by="root") == N - 3
    after = list_segments(store, doc)
    assert {s.id: (s.target, s.version, s.draft.id) for s in after[:3]} == before
    assert all(s.draft.origin == "scratch" and s.target == "" for s in after[3:])


def test_report_counts_the_new_scratch_segments(store, doc):
    apply_scratch(store, doc, 0.5, seed=7, by="root")
    segs = list_segments(store, doc)
    en = shared_lines("ntrex128", "en", N)
    for s in segs:
        scratch = s.draft.origin == "scratch"
        words = len(s.source.split())
        save_segment(store, s.id, en[s.position], editor="ann", base_version=s.version,
                     active_ms=(4000 if scratch else 2000) * words)  # fmt: skip
    result = report(store, document_id=doc)
    prod = result["productivity"]
    assert result["scratch_segments"] == N // 2 and result["scored"] == N // 2
    assert prod["from_scratch"]["segments"] == N // 2 and prod["with_mt"]["segments"] == N // 2
    assert prod["from_scratch"]["words_per_hour"] == pytest.approx(900)
    assert prod["gain"] == pytest.approx(1.0)


def test_refusals(store, doc):
    with pytest.raises(InvalidValue, match="between 0 and 1"):
        apply_scratch(store, doc, 1.5, seed=0, by="root")
    add_user(store, "rita", role="reviewer", password="a long password")
    add_user(store, "eddie", role="editor", password="a long password")
    with pytest.raises(PermissionDenied, match="eddie is an editor"):
        apply_scratch(store, doc, 0.5, seed=0, by="eddie")
    assert all(s.draft.origin == "mt" for s in list_segments(store, doc))
    for state in ("editing", "review"):
        wf.set_state(store, doc, state, by="rita")
    segs = list_segments(store, doc)
    for s in segs:
        approve_segment(store, s.id, editor="rita", base_version=s.version)
    for state in ("ready", "published"):
        wf.set_state(store, doc, state, by="rita")
    with pytest.raises(WorkflowError, match="published"):
        apply_scratch(store, doc, 0.5, seed=0, by="rita")


def test_cli_documents_scratch(store, doc):
    def run(*args: str) -> tuple[int, str]:
        code, _, err = run_cli("documents", "scratch", *args)
        return code, err

    code, err = run(str(doc), "0.25", "--seed", "5", "--db", store.url, "--editor", "root")
    assert code == 0 and f"document {doc}: 2 segments now from scratch (seed 5)" in err
    chosen = set(random.Random(5).sample(range(N), 2))
    segs = list_segments(store, doc)
    assert {s.position for s in segs if s.draft.origin == "scratch"} == chosen
    code, err = run(str(doc), "2", "--db", store.url)
    assert code == 1 and "between 0 and 1" in err and "Traceback" not in err
    code, err = run("999", "0.5", "--db", store.url, "--editor", "root")
    assert code == 6 and "no document 999" in err
