"""The copy desk's box never drops a save silently (#24), through the app's entrypoint (AppTest,
on SQLite and PostgreSQL): the version a save goes on top of is the one the reviewer started
from, not the one an ordinary rerun finds; a newer version is a conflict shown with the other
person's text, who and when, and a word diff; keep mine / take theirs / both settle it (each
on its key); approving with QA errors asks first. Real store, real services, no mocks."""

from __future__ import annotations

import pytest

from mt import revising
from mt import store as repo
from tests.conftest import shown
from tests.ui.conftest import new_app
from ui import components as ui

pytestmark = pytest.mark.slow

PAGE = "views/copydesk.py"
MINE = "Seoul will raise its bus fares next year."
THEIRS = "Seoul is raising bus fares from next year."


@pytest.fixture
def team(store, article):  # the article first: "desk" has no account
    for name, role in (("eddie", "editor"), ("rita", "reviewer")):
        repo.add_user(store, name, role=role, password="a long password")
    return store


def reviewer_at_desk(store, doc: int):
    """Rita on the copy desk of `doc`."""
    from ui.auth import Identity

    at = new_app()
    rita = next(u for u in repo.list_users(store) if u.name == "rita")
    at.session_state["transdesk_identity"] = Identity("rita", "reviewer", "local", rita.id)
    at.query_params["doc"] = str(doc)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def open_box(at, seg_id: int, text: str):
    """Pick the segment, type `text` into the box (committed, a rerun)."""
    at.selectbox(key="copydesk_pick").set_value(seg_id).run()
    at.text_area(key=f"copydesk_text_{seg_id}").input(text).run()
    assert not at.exception, at.exception
    return at


def started_from(at) -> int:
    return at.session_state["copydesk_work"]["version"]


def box_text(at, seg_id: int) -> str:
    return at.text_area(key=f"copydesk_text_{seg_id}").value


def said(at, kind: str) -> str:
    return "\n".join(shown(str(m.value)) for m in getattr(at, kind))


def html_bodies(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def eddie_saves(store, seg_id: int, text: str = THEIRS) -> repo.SegmentView:
    """The editor saves the same segment meanwhile (the editor's own service)."""
    current = repo.get_segment(store, seg_id)
    return revising.save_segment(store, seg_id, text, editor="eddie", base_version=current.version)


def meet_conflict(at, store, seg_id: int) -> repo.SegmentView:
    """Eddie saves while rita types; rita's page reruns, then she saves: a conflict."""
    theirs = eddie_saves(store, seg_id)
    at.run()  # an ordinary rerun (a Tab, the presence bar, any widget)
    at.button(key="copydesk_save").click().run()
    assert not at.exception, at.exception
    assert repo.get_segment(store, seg_id).target == THEIRS  # nothing overwritten
    assert box_text(at, seg_id) == MINE  # her text stays in the box
    return theirs


def test_a_rerun_keeps_the_version_started_from_and_keep_mine_logs_both(team, article):
    seg = repo.list_segments(team, article)[0]
    at = open_box(reviewer_at_desk(team, article), seg.id, MINE)
    theirs = meet_conflict(at, team, seg.id)
    # the conflict in whole sentences, their text, who, when and a diff
    when = ui.clock(repo.get_segment(team, seg.id).updated_at)
    assert (
        f"Segment 1 was changed by eddie at {when} while you were working on it. Nothing was saved."
    ) in said(at, "warning")
    body = html_bodies(at)
    assert f"Their text (eddie, version {theirs.version}):" in body
    assert 'class="td-conflict-theirs"' in body and THEIRS in body
    assert "<del" in body and "<ins" in body  # the word diff, theirs → mine
    assert started_from(at) == seg.version  # not refreshed by the reruns
    shortcuts = {
        b.key: b.proto.shortcut
        for b in at.button
        if b.key in ("copydesk_keep_mine", "copydesk_take_theirs", "copydesk_take_both")
    }
    assert shortcuts == {
        "copydesk_keep_mine": "alt+m",
        "copydesk_take_theirs": "alt+h",
        "copydesk_take_both": "alt+b",
    }
    assert at.button(key="copydesk_save").proto.shortcut == "ctrl+s"
    assert at.button(key="copydesk_approve").proto.shortcut == "alt+a"
    # keep mine: saved over eddie's version, the edit log names both versions
    at.button(key="copydesk_keep_mine").click().run()
    assert not at.exception, at.exception
    after = repo.get_segment(team, seg.id)
    assert (after.target, after.version) == (MINE, theirs.version + 1)
    last = repo.edit_events(team, segment_id=seg.id)[-1]
    assert (last.editor, last.kind, last.text_after) == ("rita", "save", MINE)
    assert last.resolution == {
        "kept": "mine",
        "mine_from": seg.version,
        "theirs": theirs.version,
        "theirs_by": "eddie",
    }
    assert (
        f"Segment 1 now has your text, saved over eddie's version {theirs.version}. "
        "The edit log records both versions."
    ) in said(at, "success")
    assert started_from(at) == after.version  # the box goes on from her own save
    assert "td-conflict" not in html_bodies(at)


def test_take_theirs_then_both_save_nothing_and_go_on_from_their_version(team, article):
    seg = repo.list_segments(team, article)[1]
    at = open_box(reviewer_at_desk(team, article), seg.id, MINE)
    theirs = meet_conflict(at, team, seg.id)
    events = len(repo.edit_events(team, segment_id=seg.id))
    at.button(key="copydesk_take_theirs").click().run()
    assert box_text(at, seg.id) == THEIRS
    assert started_from(at) == theirs.version
    assert len(repo.edit_events(team, segment_id=seg.id)) == events  # nothing saved
    assert "The box now holds eddie's text of segment 2. Nothing was saved." in said(at, "info")
    # both: mine first, theirs on a new line, to merge by hand
    at.text_area(key=f"copydesk_text_{seg.id}").input(MINE).run()
    newer = eddie_saves(team, seg.id, "Seoul raises fares.")
    at.button(key="copydesk_save").click().run()
    assert repo.get_segment(team, seg.id).target == "Seoul raises fares."
    at.button(key="copydesk_take_both").click().run()
    assert box_text(at, seg.id) == MINE + "\nSeoul raises fares."
    assert started_from(at) == newer.version
    assert len(repo.edit_events(team, segment_id=seg.id)) == events + 1  # only eddie's save
    assert "merge them and save. Nothing was saved." in said(at, "info")
    # the merged text saves on top of their version without a conflict
    at.text_area(key=f"copydesk_text_{seg.id}").input("Seoul raises its bus fares.").run()
    at.button(key="copydesk_save").click().run()
    saved = repo.get_segment(team, seg.id)
    assert (saved.target, saved.version) == ("Seoul raises its bus fares.", newer.version + 1)
    assert "Segment 2 was saved." in said(at, "success")
    assert repo.edit_events(team, segment_id=seg.id)[-1].resolution is None


def test_approving_asks_first_on_qa_errors_and_meets_conflicts_too(team, article):
    seg = repo.list_segments(team, article)[0]
    at = open_box(reviewer_at_desk(team, article), seg.id, "Seoul will raise 버스 fares.")
    at.button(key="copydesk_approve").click().run()
    assert repo.get_segment(team, seg.id).status != "approved"  # it asked first
    assert (
        "Segment 1 was not approved: QA found errors in its text. Correct the text, or approve "
        "it anyway."
    ) in said(at, "warning")
    assert "Untranslated Korean: &#x27;버스&#x27;." in html_bodies(at)
    at.button(key="copydesk_approve_anyway").click().run()
    approved = repo.get_segment(team, seg.id)
    assert (approved.status, approved.target) == ("approved", "Seoul will raise 버스 fares.")
    assert "Segment 1 was approved despite QA errors." in said(at, "success")
    # an approval on top of a version someone else replaced is a conflict as well
    other = repo.list_segments(team, article)[1]
    at = open_box(at, other.id, "Seoul will raise its fares.")
    eddie_saves(team, other.id)
    at.run()
    at.button(key="copydesk_approve").click().run()
    stored = repo.get_segment(team, other.id)
    assert (stored.status, stored.target) == ("edited", THEIRS)
    assert "Segment 2 was changed by eddie" in said(at, "warning")
