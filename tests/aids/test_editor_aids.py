"""The editor shows TM matches, glossary terms, QA findings and the confidence flag for the active
segment (AppTest through ui/app.py, on a real store and the tiny model)."""

from __future__ import annotations

import html

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.report import report
from mt.store.tm import add_pairs
from mt.termbase import import_glossary
from mt.tm import fuzzy_matches
from tests.conftest import shown
from tests.ui.conftest import app_environment, new_app

__all__ = ["app_environment"]  # autouse: the app reads the test database

pytestmark = pytest.mark.slow


@pytest.fixture
def desk(store_url, tiny_engine, ntrex):
    """A store with a glossary, a translation memory and a two-segment NTREX article."""
    ko, en = ntrex
    with repo.open_store(store_url) as store:
        import_glossary(store, "terms.csv", data="ko,en\n웨일스,Welsh\n".encode())
        near = ko[0].replace("걱정했다", "우려했다")
        add_pairs(store, [(near, en[0] + " <b>**not bold**</b>")])
        doc = drafting.create_document(
            store, f"{ko[0]}\n{ko[1]}", title="Welsh AMs", engine=tiny_engine,
            created_by="desk", segment_mode="line",
        )  # fmt: skip
        yield store, doc


def _bodies(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def _markdown(at) -> str:
    return "\n".join(str(m.value) for kind in ("markdown", "caption") for m in getattr(at, kind))


def _editor(doc: int):
    at = new_app()
    at.query_params["doc"] = str(doc)
    at.run()
    at.switch_page("views/editor.py").run()
    assert not at.exception, at.exception
    return at


def _grid(at) -> dict:
    import json

    (grid,) = [e for e in at.get("bidi_component") if "transdesk_grid" in e.proto.component_name]
    return json.loads(grid.proto.json)


def test_editor_shows_tm_glossary_qa_and_confidence(desk, ntrex):
    store, doc = desk
    _, en = ntrex
    seg = repo.list_segments(store, doc)[0]
    at = _editor(doc)
    bodies = _bodies(at)

    # The glossary term is marked in the Korean source, with the English it requires.
    assert '<mark class="td-term" title="Welsh"' in bodies
    assert ">웨일스</mark>" in bodies and "웨일스 → <b>Welsh</b>" in bodies
    # The fuzzy TM match: its score, its English (escaped, never markup), its differences.
    (match,) = fuzzy_matches(store, seg.source)
    assert f"{match.score:.0f}% match" in bodies
    assert html.escape(en[0] + " <b>**not bold**</b>") in bodies
    assert "<b>**not bold**</b>" not in bodies
    assert "<del" in bodies and "우려했다" in bodies and "걱정했다" in bodies
    # The random test model's drafts score low: the draft is flagged.
    assert "Low-confidence draft" in _markdown(at)
    # QA of the current English (the untouched draft) is shown.
    assert 'class="td-qa' in bodies

    # Saving (through the grid's action) runs QA again, stores it with the save, and shows it.
    from ui import grid
    from ui.auth import Identity

    ack = grid.handle_action(
        store,
        at.session_state["transdesk_grid"],
        {"op": "save", "seg": seg.id, "version": seg.version,
         "text": "Welsh AMs worried about 멍청이.", "nonce": 1},
        Identity("desk", "admin", "single", repo.ensure_editor(store, "desk").id),
    )  # fmt: skip
    assert ack["ok"] and ack["row"]["qe"] == 1
    at.run()
    saved = [e for e in repo.edit_events(store, segment_id=seg.id) if e.kind == "save"][-1]
    assert [f["check"] for f in saved.findings] == ["hangul"]
    bodies = _bodies(at)
    assert "hangul" in bodies and html.escape("untranslated Korean: '멍청이'") in bodies

    # "Use this translation" puts the memory's English in the box, unsaved.
    next(b for b in at.button if b.label == "Use this translation").click().run()
    assert _grid(at)["insert"]["text"] == match.target
    assert repo.get_segment(store, seg.id).target == "Welsh AMs worried about 멍청이."


def test_exact_tm_draft_is_labelled_and_not_flagged(desk, ntrex, tiny_engine):
    store, _ = desk
    ko, en = ntrex
    first = repo.list_segments(store, drafting.create_document(
        store, ko[5], title="one", engine=tiny_engine, created_by="desk", segment_mode="line"
    ))[0]  # fmt: skip
    revising.approve_segment(store, first.id, editor="desk", base_version=first.version, text=en[5])
    doc = drafting.create_document(
        store, ko[5], title="two", engine=tiny_engine, created_by="desk", segment_mode="line"
    )
    at = _editor(doc)
    text = _markdown(at)
    assert "Translation memory · exact match, reused without MT" in text
    assert "Low-confidence draft" not in text
    assert _grid(at)["rows"][0][4] == en[5] and _grid(at)["rows"][0][7] == "tm"


def test_settings_imports_lists_and_removes_glossary_terms(store_url):
    at = new_app().run()
    at.switch_page("views/settings.py").run()
    assert not at.exception, at.exception
    assert any(c.value == "The glossary is empty." for c in at.caption)
    csv = "ko,en,avoid\n네이버,Naver,NAVER\n엔비디아,Nvidia,\n이해진,Lee Hae-jin,\n"
    at.file_uploader(key="glossary_upload").set_value(("용어.csv", csv.encode(), "text/csv"))
    next(b for b in at.button if b.label == "Import glossary").click().run()
    assert not at.exception, at.exception
    assert [shown(s.value) for s in at.success] == ["용어.csv: 3 added, 0 updated, 0 unchanged."]
    table = at.dataframe[0].value  # the glossary comes before the people
    assert list(table["Korean"]) == ["네이버", "엔비디아", "이해진"]
    assert list(table["English"]) == ["Naver", "Nvidia", "Lee Hae-jin"]

    at.selectbox(key="glossary_delete_choice").set_value("엔비디아").run()
    next(b for b in at.button if b.label == "Remove term").click().run()
    with repo.open_store(store_url) as store:
        assert [t.korean for t in repo.list_glossary(store)] == ["네이버", "이해진"]

    # A file that is not a glossary: its one-line error, naming the upload.
    at.file_uploader(key="glossary_upload").set_value(("bad.csv", b"a,b\n1,2\n", "text/csv"))
    next(b for b in at.button if b.label == "Import glossary").click().run()
    assert [shown(e.value) for e in at.error] == [
        "bad.csv: no column 'ko' (or 'source') (columns: a, b)"
    ]


def test_reports_page_counts_qa_findings_and_gives_the_correlation(desk, ntrex):
    store, doc = desk
    _, en = ntrex
    first, second = repo.list_segments(store, doc)
    revising.save_segment(store, first.id, "Welsh AMs 걱정.", editor="desk", base_version=1)
    revising.approve_segment(store, second.id, editor="desk", base_version=1, text=en[1])
    expected = report(store)
    at = new_app().run()
    at.switch_page("views/reports.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["QA findings"] == str(expected["qa"]["findings"]) != "0"
    assert metrics["Segments with findings"] == f"{expected['qa']['segments_with_findings']} / 2"
    assert metrics["Score vs HTER (Spearman)"] == "—"  # one approved draft: not enough pairs
    checks = at.dataframe[0].value
    assert dict(zip(checks["Check"], checks["Findings"], strict=True)) == expected["qa"]["by_check"]
