"""The copy desk's pages in Chromium at 1440×900 (#25, item 17), keyboard only: a 450-segment
article shows 200 segments at a time; Tab reaches Next and Enter turns the page; a page number
typed in the box and Enter goes there. Screenshots go to the `artifacts` folder."""

from __future__ import annotations

import pytest

from mt import store as repo
from tests.browser.conftest import start_desk, wait_idle
from tests.browser.test_grid_e2e import new_page
from tests.ui.test_copydesk_paging import long_article

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "rita-reviews-all"


@pytest.fixture
def desk(tmp_path, tiny_model_dir):
    store = repo.open_store(f"sqlite:///{tmp_path / 'desk.db'}")
    doc = long_article(store)  # made by "desk", an admin without a password
    repo.add_user(store, "rita", role="reviewer", password=PASSWORD)
    running, proc = start_desk(tmp_path, tiny_model_dir)
    running.doc = doc
    yield running
    proc.terminate()
    proc.wait(timeout=20)
    store.close()


def rows(page) -> tuple[int, str, str]:
    """How many segments the tracked changes show, and the first and last one's number."""
    numbers = page.locator(".td-layers > div:first-child > b").all_inner_texts()
    return len(numbers), numbers[0], numbers[-1]


def focused_key(page) -> str:
    """The Streamlit key of the element holding the focus ("" for none)."""
    return page.evaluate(
        """() => { const el = document.activeElement && document.activeElement.closest(
        '[class*="st-key-"]'); return el ? [...el.classList].find(c => c.startsWith('st-key-'))
        : '' }"""
    )


def test_keyboard_pages_through_a_long_article(browser, desk, artifacts):
    page = new_page(browser)  # 1440×900
    page.goto(desk.url)
    wait_idle(page)
    page.get_by_role("textbox", name="Name").fill("rita")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("Signed in as").wait_for()
    page.goto(f"{desk.url}/copydesk?doc={desk.doc}")
    page.get_by_role("heading", name="Tracked changes").wait_for()
    wait_idle(page)
    assert rows(page) == (200, "1.", "200.")
    pager = page.locator(".st-key-copydesk_pager_top")
    assert pager.get_by_text("Segments 1–200 of 450").is_visible()
    pager.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "1-page-1.png"))
    # Tab from the page number to Next, Enter
    number = page.locator(f".st-key-copydesk_page_{desk.doc} input")
    number.focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        if focused_key(page) == "st-key-copydesk_next_top":
            break
    assert focused_key(page) == "st-key-copydesk_next_top"
    page.keyboard.press("Enter")
    pager.get_by_text("Segments 201–400 of 450").wait_for()
    wait_idle(page)
    assert rows(page) == (200, "201.", "400.")
    assert number.input_value() == "2"
    pager.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "2-page-2.png"))
    # a page number typed in
    number.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    pager.get_by_text("Segments 401–450 of 450").wait_for()
    wait_idle(page)
    assert rows(page) == (50, "401.", "450.")
    assert page.locator(".st-key-copydesk_next_top button").is_disabled()
    page.locator(".st-key-copydesk_pager_bottom").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "3-page-3-bottom.png"))
