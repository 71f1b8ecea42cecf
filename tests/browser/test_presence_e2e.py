"""Presence in Chromium (#18): two people in one article see each other (and the segment one of
them is typing in) within a few seconds; a closed tab drops out after the expiry; the "copy
article" button puts the approved English on the clipboard."""

from __future__ import annotations

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.store.presence import EXPIRY_S
from tests.browser.conftest import start_desk, wait_idle
from tests.store.conftest import TableEngine

PASSWORDS = {"rita": "rita-reviews-all", "eddie": "eddie-edits-drafts"}
TABLE = {"버스 요금 인상": "Bus fares rise", "시는 요금을 올린다.": "The city <raises> fares."}


@pytest.fixture
def desk(tmp_path, tiny_model_dir):
    store = repo.open_store(f"sqlite:///{tmp_path / 'desk.db'}")
    repo.add_user(store, "rita", role="reviewer", password=PASSWORDS["rita"])
    repo.add_user(store, "eddie", role="editor", password=PASSWORDS["eddie"])
    doc = drafting.create_document(store, "버스 요금 인상\n\n시는 요금을 올린다.", title="fares",
                               engine=TableEngine("t", TABLE), created_by="eddie",
                               segment_mode="line")  # fmt: skip
    for seg in repo.list_segments(store, doc):
        revising.approve_segment(store, seg.id, editor="rita", base_version=seg.version)
    store.close()
    running, proc = start_desk(tmp_path, tiny_model_dir)
    yield running, doc
    proc.terminate()
    proc.wait(timeout=20)


def open_copy_desk(browser, url: str, name: str, doc: int):
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    context.set_default_timeout(90_000)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    page.goto(url)
    wait_idle(page)
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Documents").wait_for()
    wait_idle(page)
    page.locator(f".st-key-desk_doc_{doc} button:visible").click()
    page.get_by_role("heading", name="Copy desk").wait_for()
    wait_idle(page)
    return context, page


def presence_text(page) -> str:
    return page.locator(".td-presence").inner_text()


def test_two_people_see_each_other_in_an_article(browser, desk):
    running, doc = desk
    rita_ctx, rita = open_copy_desk(browser, running.url, "rita", doc)
    eddie_ctx, eddie = open_copy_desk(browser, running.url, "eddie", doc)
    # within a couple of heartbeats each sees the other, reading
    rita.locator(".td-presence", has_text="eddie (reading)").wait_for(timeout=20_000)
    eddie.locator(".td-presence", has_text="rita (reading)").wait_for(timeout=20_000)
    # eddie opens segment 2's edit box: rita sees him typing there
    eddie.locator(".st-key-copydesk_pick").click()
    eddie.get_by_role("option", name="2. 시는 요금을 올린다.").click()
    wait_idle(eddie)
    rita.locator(".td-presence", has_text="eddie (segment 2, typing)").wait_for(timeout=20_000)
    rita.locator(".st-key-copydesk_pick").click()  # any full run marks the segment in the list
    rita.get_by_role("option", name="1. 버스 요금 인상").click()
    wait_idle(rita)
    mark = rita.locator(".td-layers").nth(1).locator(".td-typing")
    assert "eddie typing here" in mark.inner_text()
    assert rita.locator(".td-layers").nth(0).locator(".td-typing").count() == 0
    # "copy article": the approved English, headline first, on the clipboard
    rita.locator(".td-copy-article").first.click()
    rita.locator(".td-copy-article", has_text="Copied").first.wait_for(timeout=10_000)
    copied = rita.evaluate("navigator.clipboard.readText()")
    assert copied == "Bus fares rise\n\nThe city <raises> fares.\n"
    # eddie closes his tab: he drops out once his last heartbeat expires
    eddie_ctx.close()
    rita.locator(".td-presence", has_text="Nobody else").wait_for(timeout=(EXPIRY_S + 15) * 1000)
    assert "eddie" not in presence_text(rita)
    rita_ctx.close()
