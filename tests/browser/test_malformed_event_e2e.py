"""A malformed grid event does not hold up the events behind it (#25, item 7), in Chromium: the
event goes into the grid's queue as a forged one would (`window.__tdGrid.enqueue`), a real
Ctrl+S is queued behind it, and the server answers the first with one line (ok:false), so the
queue moves on and the save is stored."""

from __future__ import annotations

import pytest

from mt import store as repo
from tests.browser.test_grid_e2e import box, desk, grid_state, new_page, open_editor, segs, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["desk"]  # the fixture, shared with the grid's other browser tests

MALFORMED = [
    ({"seg": 2**63}, "out of range"),
    ({"elapsed": 1e20}, "elapsed time"),
    ({"keys": [[0, {}]]}, "unknown keystroke class"),
    ({"keys": [[0, []]]}, "unknown keystroke class"),
]


@pytest.mark.parametrize(
    "over, message", MALFORMED, ids=["seg", "elapsed", "class_obj", "class_list"]
)
def test_malformed_event_then_ctrl_s_is_stored(browser, desk, over, message):
    first = segs(desk)[0]
    page = new_page(browser)
    sign_in(page, desk.url, "ed")
    open_editor(page, desk, 1)
    payload = {"op": "save", "seg": first.id, "version": first.version, "text": "x"} | over
    # The malformed event goes first and the Ctrl+S queues behind it, before any answer.
    page.evaluate("(p) => window.__tdGrid.enqueue(p)", payload)
    page.keyboard.press("Control+a")
    page.keyboard.type("Saved behind a malformed event.")
    page.keyboard.press("Control+s")
    try:
        page.wait_for_function(
            "() => !window.__tdGrid.inflight && !window.__tdGrid.queue.length", timeout=60_000
        )
        page.get_by_test_id("td-message").get_by_text("Saved segment 1.").wait_for()
    except Exception:
        print("grid:", grid_state(page))
        raise
    assert repo.get_segment(desk.store, first.id).target == "Saved behind a malformed event."
    assert box(page).input_value() == "Saved behind a malformed event."
    acks = int(page.evaluate("() => window.__tdGrid.root.dataset.acks"))
    assert acks >= 2  # the refusal was answered, then the save
    assert message  # the refusal's line (shown, then replaced by the save's)
