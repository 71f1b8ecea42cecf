"""The copy desk's box in Chromium (#24), keyboard only: a reviewer types in a segment's box, an
editor saves the same segment meanwhile, the reviewer's page reruns (Tab), and her save meets
the editor's version instead of writing over it: the conflict shows the editor's text, name,
time and a word diff, and nothing is saved. Alt+M keeps hers (the edit log names both
versions), Alt+H takes theirs, Alt+B puts both in the box to merge; each pressed with the caret
in the box. Screenshots go to the `artifacts` folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mt import drafting, revising
from mt import store as repo
from tests.browser.conftest import start_desk, wait_idle
from tests.browser.test_grid_e2e import new_page, sign_in
from tests.store.conftest import TableEngine

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"rita": "rita-reviews-all", "ed": "ed-edits-drafts"}  # as in test_grid_e2e
TABLE = {
    "버스 요금 인상": "Bus fares rise",
    "서울시는 내년부터 시내버스 요금을 인상한다.": "Seoul city raises the bus fare from next year.",
    "시민들의 반응은 엇갈렸다.": "Citizens reacted mixed.",
}
MINE = "Seoul will raise city bus fares next year."
THEIRS = "Seoul is raising bus fares from next year."
CONFLICT = re.compile(
    r"Segment 2 was changed by ed at \d\d:\d\d while you were working on it\. Nothing was saved\."
)


@pytest.fixture
def desk(tmp_path, tiny_model_dir):
    store = repo.open_store(f"sqlite:///{tmp_path / 'desk.db'}")
    repo.add_user(store, "rita", role="reviewer", password=PASSWORDS["rita"])
    repo.add_user(store, "ed", role="editor", password=PASSWORDS["ed"])
    doc = drafting.create_document(store, "\n".join(TABLE), title="Bus fares",
                                   engine=TableEngine("table", TABLE), created_by="ed",
                                   segment_mode="line")  # fmt: skip
    running, proc = start_desk(tmp_path, tiny_model_dir)
    running.store, running.doc = store, doc
    running.seg = repo.list_segments(store, doc)[1]  # segment 2
    yield running
    proc.terminate()
    proc.wait(timeout=20)
    store.close()


def box(page):
    return page.get_by_role("textbox", name="Reviewer's text")


def caret_in_box(page) -> bool:
    return page.evaluate(
        """() => { const a = document.activeElement;
        return !!a && a.tagName === 'TEXTAREA' && !!a.closest('.st-key-copydesk_box') }"""
    )


def shot(page, artifacts: Path, name: str) -> None:
    """The box and what it says, in view, as a screenshot."""
    page.locator(".st-key-copydesk_box").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{name}.png"))


def open_segment(page, desk) -> None:
    """Copy desk of the article; "Work on a segment" → 2, by keyboard; the caret in the box."""
    page.goto(f"{desk.url}/copydesk?doc={desk.doc}")
    page.get_by_role("heading", name="Copy desk").wait_for()
    wait_idle(page)
    page.locator(".st-key-copydesk_pick input").focus()
    page.keyboard.type("2.")
    page.keyboard.press("Enter")
    box(page).wait_for()
    wait_idle(page)
    page.keyboard.press("Tab")  # from the list into the box
    assert caret_in_box(page)


def retype(page, text: str) -> None:
    """Replace the box's text by typing (the caret is in the box)."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def editor_saves(desk, text: str) -> repo.SegmentView:
    """The editor saves the same segment meanwhile, through the editor's own service."""
    now = repo.get_segment(desk.store, desk.seg.id)
    return revising.save_segment(desk.store, now.id, text, editor="ed", base_version=now.version)


def wait_conflict(page) -> None:
    page.locator(".td-conflict").wait_for()
    wait_idle(page)


def stored(desk) -> repo.SegmentView:
    return repo.get_segment(desk.store, desk.seg.id)


def test_a_save_meets_the_editors_version_and_each_key_settles_it(browser, desk, artifacts):
    page = new_page(browser)
    sign_in(page, desk.url, "rita")
    open_segment(page, desk)
    started = stored(desk)
    retype(page, MINE)
    theirs = editor_saves(desk, THEIRS)
    page.keyboard.press("Tab")  # the page reruns; the box keeps her text
    wait_idle(page)
    assert box(page).input_value() == MINE
    page.keyboard.press("Shift+Tab")  # back into the box
    assert caret_in_box(page)
    page.keyboard.press("Control+s")
    wait_conflict(page)
    shot(page, artifacts, "1-conflict")
    assert stored(desk).target == THEIRS  # nothing overwritten
    warning = page.get_by_test_id("stAlert").filter(has_text="while you were working").inner_text()
    assert CONFLICT.search(warning), warning
    assert page.locator(".td-conflict-theirs").inner_text() == THEIRS
    assert "Their text (ed, version" in page.locator(".td-conflict").inner_text()
    assert (
        page.locator(".td-conflict-diff del").count()
        and page.locator(".td-conflict-diff ins").count()
    )
    assert box(page).input_value() == MINE
    # Alt+M with the caret in the box: her text, saved over his; the log names both versions
    assert caret_in_box(page)
    page.keyboard.press("Alt+m")
    page.get_by_text("now has your text").wait_for()
    wait_idle(page)
    shot(page, artifacts, "2-kept-mine")
    assert stored(desk).target == MINE
    last = repo.edit_events(desk.store, segment_id=desk.seg.id)[-1]
    assert last.resolution == {
        "kept": "mine",
        "mine_from": started.version,
        "theirs": theirs.version,
        "theirs_by": "ed",
    }
    assert page.locator(".td-conflict").count() == 0
    # Alt+H: typed, saved at once (Ctrl+S with no rerun first), then his text taken
    assert caret_in_box(page)  # the key left the caret in the box
    retype(page, "Seoul will raise bus fares.")
    editor_saves(desk, "Bus fares rise in Seoul next year.")
    page.keyboard.press("Control+s")
    wait_conflict(page)
    events = len(repo.edit_events(desk.store, segment_id=desk.seg.id))
    page.keyboard.press("Alt+h")
    page.locator(".td-conflict").wait_for(state="detached")
    wait_idle(page)
    shot(page, artifacts, "3-took-theirs")
    assert box(page).input_value() == "Bus fares rise in Seoul next year."
    assert stored(desk).target == "Bus fares rise in Seoul next year."
    assert len(repo.edit_events(desk.store, segment_id=desk.seg.id)) == events  # nothing saved
    # Alt+B: hers, then his on a new line, to merge; then saved on top of his version
    assert caret_in_box(page)  # the key left the caret in the box
    retype(page, "Seoul raises fares.")
    newer = editor_saves(desk, "Fares go up.")
    page.keyboard.press("Tab")
    wait_idle(page)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+s")
    wait_conflict(page)
    page.keyboard.press("Alt+b")
    page.locator(".td-conflict").wait_for(state="detached")
    wait_idle(page)
    shot(page, artifacts, "4-both")
    assert box(page).input_value() == "Seoul raises fares.\nFares go up."
    assert stored(desk).target == "Fares go up."
    assert caret_in_box(page)  # the key left the caret in the box
    page.keyboard.press("Control+a")
    page.keyboard.type("Seoul raises bus fares.")
    page.keyboard.press("Control+s")
    page.get_by_text("Segment 2 was saved.").wait_for()
    wait_idle(page)
    shot(page, artifacts, "5-merged-saved")
    after = stored(desk)
    assert (after.target, after.version) == ("Seoul raises bus fares.", newer.version + 1)
