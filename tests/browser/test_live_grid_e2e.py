"""The editing grid with more than one person at it (#24), in Chromium at 1440×900, keyboard only
for every edit, on SQLite and on PostgreSQL (the `store_url` fixture's two databases):

- conflicts: a save that meets a newer version, and another person's change arriving over
  unsaved text, show the conflict block; Ctrl+S, Ctrl+Enter and Alt+A then do not save; Alt+M
  keeps mine (the edit log's `resolution`), Alt+H takes theirs, Alt+B puts both in the box;
- live arrival: others' saves, approvals, reopens and reverts reach every open grid within 3 s,
  in place (also when a reload of the rows, not a poll, brings them); an approved box is
  read-only for an editor;
- a viewer's boxes are read-only and the aids panel follows the active row;
- search, go-to and the filters give the caret back to the segment the editor was in;
- a sign-in ended elsewhere (sign-out, removal, expiry) turns the grid into the sign-in form,
  and the unsaved text is back after signing in again;
- two app servers over one database share sign-ins, unsaved copies, live changes, conflicts;
- a reopen (Alt+O) withdraws the segment from the translation memory, Alt+A puts it back.

Measured delays are printed (run with `-s`) and screenshots go to the `artifacts` folder. Three
tests pause the grid's poll (`lastPoll` set ahead) to take one path on purpose: a save that
meets a newer version before any poll could bring it, a change brought by a reload of the rows,
and a sign-in ended noticed by a key.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mt import drafting, revising
from mt import store as repo
from mt.store.drafts_wip import get_wip
from mt.store.tm import exact_matches
from tests.browser.conftest import start_desk, wait_idle
from tests.browser.test_grid_e2e import (
    PASSWORDS,
    box,
    caret_row,
    new_page,
    press,
    sign_in,
    wait_caret,
)
from tests.conftest import shared_lines
from tests.store.conftest import TableEngine

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS.setdefault("vic", "vic-views-only")  # sign_in (test_grid_e2e) reads this table
# Others' changes reach every open grid within 3 s: a target measured by
# benchmarks/browser_editor.py (--arrivals), not a timed assertion. Here they must arrive with no
# reload and no key pressed, well inside the time a loaded CI machine may take; delays are printed.
ARRIVAL_LIMIT_S = 15.0
CONFLICT_TEXT = "nothing of yours was saved"
HEAD = re.compile(
    r"^ed (changed|approved) this segment at \d\d:\d\d:\d\d( [AP]M)? \(version \d+\) while you "
    r"were editing it\. Nothing of yours was saved\."
)


# --- the desk -------------------------------------------------------------------------------


@pytest.fixture
def desk(store_url, tmp_path, tiny_model_dir):
    """A running `transdesk ui` over `store_url` (SQLite or a PostgreSQL schema) with a
    reviewer (rita), an editor (ed), a viewer (vic) and a 12-segment article (one a line)."""
    store = repo.open_store(store_url)
    repo.add_user(store, "rita", role="reviewer", password=PASSWORDS["rita"])
    repo.add_user(store, "ed", role="editor", password=PASSWORDS["ed"])
    repo.add_user(store, "vic", role="viewer", password=PASSWORDS["vic"])
    lines = shared_lines("ntrex128", "ko", 12)
    engine = TableEngine("table-model", {k: f"Draft sentence {i}." for i, k in enumerate(lines)})
    text = "\n\n".join("\n".join(lines[i : i + 3]) for i in range(0, len(lines), 3))
    doc = drafting.create_document(
        store, text, title="Live grid", engine=engine, created_by="rita", segment_mode="line"
    )
    running, proc = start_desk(tmp_path, tiny_model_dir, db_url=store_url)
    running.store, running.doc, running.procs = store, doc, [proc]
    running.tmp, running.model, running.kind = tmp_path, tiny_model_dir, store_url.split(":")[0]
    yield running
    for p in running.procs:
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a very busy machine: it must not outlive the test
            p.kill()
            p.wait(timeout=30)
    store.close()


def segs(desk, doc: int | None = None) -> list[repo.SegmentView]:
    return repo.list_segments(desk.store, doc or desk.doc)


def stored(desk, seg: repo.SegmentView) -> repo.SegmentView:
    return repo.get_segment(desk.store, seg.id)


def log_tail(desk, name: str = "server.log") -> str:
    return (desk.tmp / name).read_text(errors="replace")[-3000:]


def record(what: str, seconds: float, desk) -> None:
    """Print one measured delay (run with `-s` to see them)."""
    print(f"TIMING [{desk.kind}] {what}: {seconds * 1000:.0f} ms")


# --- the page -------------------------------------------------------------------------------


def open_doc(page, url: str, doc: int, seg: int) -> None:
    """The editor's deep link to segment `seg` of `doc`; waits for the caret in its box."""
    page.goto(f"{url}/editor?doc={doc}&seg={seg}")
    box(page).wait_for()
    wait_caret(page, seg)


def grid_dump(page) -> dict | None:
    """What the grid holds now (printed when a wait fails)."""
    try:
        return page.evaluate(
            """() => { const g = window.__tdGrid; if (!g) return null;
            const conflicts = {}; for (const [k, v] of g.conflicts) conflicts[k] = {
              text: v.text, version: v.version, by: v.by, mineFrom: v.mineFrom};
            return {active: g.active, msg: g.msg.textContent, signedOut: g.signedOut,
              texts: Object.fromEntries(g.texts), held: Object.fromEntries(g.held),
              base: Object.fromEntries(g.base), conflicts, arrivals: g.arrivals.slice(-5),
              inflight: g.inflight && g.inflight.payload, queue: g.queue.length} }"""
        )
    except Exception as e:  # the page went (sign-in form, navigation)
        return {"unavailable": str(e)[:200]}


def wait_js(page, script: str, arg=None, *, what: str, timeout: float = 30_000) -> None:
    """Wait until `script(arg)` is true in the page; fails naming `what` with the grid's state."""
    try:
        page.wait_for_function(script, arg=arg, timeout=timeout, polling=50)
    except PlaywrightTimeout:
        raise AssertionError(
            f"waited {timeout / 1000:.0f} s for {what}; grid: {grid_dump(page)}"
        ) from None


ROW_TEXT = """([n, text]) => { const g = window.__tdGrid;
  const row = g && [...g.list.children].find((r) => r.dataset && r.dataset.n === String(n));
  if (!row) return false;
  const t = row.querySelector('.td-tgt'), b = t.querySelector('textarea');
  return (b ? b.value : t.textContent) === text }"""


def row(page, n: int):
    return page.locator(f"[data-testid=td-row][data-n='{n}']")


def wait_row_text(page, n: int, text: str, who: str) -> None:
    wait_js(page, ROW_TEXT, [n, text], what=f"{who}'s row {n} to show {text!r}")


def changes(desk, seg_id: int) -> list[tuple[str, int]]:
    """The segment's changes in the edit log (kind, version after): its `open`s left out."""
    return [
        (e.kind, e.version_after)
        for e in repo.edit_events(desk.store, segment_id=seg_id)
        if e.kind != "open"
    ]


def arrival_ms(page, seg_id: int, version: int, via: str | None = "poll") -> float | None:
    """Date.now() when the grid took in version `version` of the segment (None: not yet), by
    `via`: "poll" (its own poll), "rows" (rows reloaded by a Streamlit run) or None (either)."""
    return page.evaluate(
        """([id, v, via]) => { const a = window.__tdGrid.arrivals.find((x) => x.seg === id &&
        x.version === v && (via === null || x.via === via)); return a ? a.at : null }""",
        [seg_id, version, via],
    )


def wait_conflict(page, n: int, who: str) -> None:
    wait_js(
        page,
        """(n) => [...window.__tdGrid.list.children].some((r) =>
        r.dataset && r.dataset.n === String(n) && r.querySelector('[data-testid=td-conflict]'))""",
        n,
        what=f"the conflict block in {who}'s row {n}",
    )


def says(page, key: str, message: str, timeout: float = 20_000) -> None:
    """Press `key` and wait until the grid's message line says `message` and nothing is left
    to send (as test_grid_e2e's `press`, with a shorter wait that fails with the grid's state)."""
    page.evaluate("() => { window.__tdGrid.msg.textContent = '' }")
    page.keyboard.press(key)
    wait_js(
        page,
        """(m) => { const g = window.__tdGrid;
        return g.msg.textContent.includes(m) && !g.inflight && !g.queue.length }""",
        message,
        what=f"{key} to say {message!r}",
        timeout=timeout,
    )


def pause_polls(page) -> None:
    """Stop the grid's poll (its next one is an hour away) and wait for one in flight."""
    page.evaluate("() => { window.__tdGrid.lastPoll = performance.now() + 3600e3 }")
    wait_js(page, "() => !window.__tdGrid.polling", what="the poll in flight to end")


def resume_polls(page) -> None:
    page.evaluate("() => { window.__tdGrid.lastPoll = 0 }")


def wait_grid_polled(page) -> None:
    """Wait until the grid has a `since` from the server (its first poll answered)."""
    wait_js(page, "() => !!window.__tdGrid.since", what="the grid's first poll")


def qa_settled(page) -> None:
    """Wait until the grid has no QA pending (while it has, it reloads its rows every 2 s)."""
    wait_js(page, "() => window.__tdGrid.pending === 0", what="QA of the rows", timeout=60_000)


def wait_wip(desk, seg_id: int, editor: str, text: str | None, timeout: float = 20) -> None:
    """Wait until the server holds `text` as `editor`'s unsaved copy (None: holds none)."""
    deadline = time.monotonic() + timeout
    while True:
        wip = get_wip(desk.store, seg_id, editor=editor)
        found = wip.text if wip is not None else None
        if found == text:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{editor}'s unsaved copy of {seg_id}: {found!r}, not {text!r}")
        time.sleep(0.1)


def visible_rows(page) -> list[int]:
    """Numbers of the rows drawn inside both the grid's scroll box and the window."""
    return page.evaluate(
        """() => { const g = window.__tdGrid, s = g.scroll.getBoundingClientRect();
        const top = Math.max(s.top, 0), bottom = Math.min(s.bottom, window.innerHeight);
        return [...g.list.children].filter((r) => { if (!r.dataset || !r.dataset.n) return false;
          const b = r.getBoundingClientRect(); return b.bottom > top + 4 && b.top < bottom - 4; })
          .map((r) => Number(r.dataset.n)) }"""
    )


def in_view(page, selector: str) -> dict:
    """How `selector` (inside the grid) sits in the grid's scroll box and the window."""
    return page.evaluate(
        """(sel) => { const g = window.__tdGrid, node = g.root.querySelector(sel);
        if (!node) return null; const b = node.getBoundingClientRect(),
        s = g.scroll.getBoundingClientRect();
        return {top: b.top, bottom: b.bottom, scrollTop: s.top, scrollBottom: s.bottom,
          window: window.innerHeight,
          inside: b.top >= s.top - 1 && b.bottom <= s.bottom + 1 && b.bottom <= window.innerHeight}
        }""",
        selector,
    )


def local_copy(page, seg_id: int) -> dict | None:
    """This browser's stored copy of the unsaved text of `seg_id` (None: none)."""
    return page.evaluate(
        """(id) => { const g = window.__tdGrid;
        const v = localStorage.getItem(g.localPrefix() + id); return v ? JSON.parse(v) : null }""",
        seg_id,
    )


def aids_header(page, n: int) -> None:
    """Wait for the aids panel on the right to be about segment `n`."""
    aids = page.locator(".st-key-segment_aids")
    try:
        aids.get_by_text(f"Segment {n}", exact=True).wait_for(timeout=20_000)
    except PlaywrightTimeout:
        raise AssertionError(
            f"the aids panel is not about segment {n}: {aids.inner_text()[:300]!r}"
        ) from None


def retype(page, text: str) -> None:
    """Replace the box's text by typing (the caret is in the box)."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def shot(page, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def sign_in_here(page, name: str) -> None:
    """Fill the sign-in form where the page shows it (the URL stays as it is)."""
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[name])
    page.keyboard.press("Enter")
    page.get_by_text("Signed in as").wait_for()
    wait_idle(page)


def sign_in_form_shown(page, desk, why: str, shots: Path, problems: list[str]) -> float | None:
    """Wait for the sign-in form in place of the grid; seconds it took. When it does not come
    (or an error banner comes instead), note it in `problems` with the grid's state, the page
    and a screenshot, and reload the page to go on (the form must come then)."""
    t0 = time.monotonic()
    try:
        page.get_by_role("textbox", name="Password").wait_for(timeout=12_000)
    except PlaywrightTimeout:
        name = re.sub(r"\W+", "-", why).strip("-")
        path = shot(page, shots, f"no-form-{name}")
        problems.append(
            f"no sign-in form 12 s after {why}; grid: {grid_dump(page)}; page: "
            f"{page.locator('body').inner_text()[:400]!r}; screenshot {path}; "
            f"log tail: {log_tail(desk)[-600:]!r}"
        )
        page.reload()
        page.get_by_role("textbox", name="Password").wait_for(timeout=30_000)
        return None
    took = time.monotonic() - t0
    wait_idle(page)
    body = page.locator("body").inner_text()
    if "PermissionDenied" in body or "encountered an error" in body or "sign in first" in body:
        problems.append(f"an error banner with the form after {why}: {body[:400]!r}")
    return took


# --- conflicts ------------------------------------------------------------------------------


def test_a_save_meets_a_newer_version_and_alt_m_keeps_mine(browser, desk, artifacts):
    """Ctrl+S over a version saved meanwhile (before any poll brought it) shows the conflict;
    the save keys are refused while it shows; Alt+M saves mine over theirs, logged."""
    s = segs(desk)
    seg, mine = s[4], "Rita's own wording of segment five."
    rita = new_page(browser, dialogs=[])
    sign_in(rita, desk.url, "rita")
    open_doc(rita, desk.url, desk.doc, 5)
    wait_grid_polled(rita)
    started = stored(desk, seg)
    retype(rita, mine)
    pause_polls(rita)  # the save, not a poll, must meet the newer version
    theirs = revising.save_segment(
        desk.store, seg.id, "Ed's wording of five.", editor="ed", base_version=started.version
    )
    t0 = time.monotonic()
    rita.keyboard.press("Control+s")
    wait_conflict(rita, 5, "rita")
    record("Ctrl+S over a newer version → conflict block shown", time.monotonic() - t0, desk)
    resume_polls(rita)
    assert arrival_ms(rita, seg.id, theirs.version) is None  # the save's answer brought it
    path = shot(rita, artifacts, "conflict-on-save")
    assert stored(desk, seg).target == theirs.target  # nothing of hers written over his
    block = row(rita, 5).get_by_test_id("td-conflict")
    assert HEAD.match(block.inner_text()), block.inner_text()
    assert f"(version {theirs.version})" in block.inner_text()
    assert block.get_by_test_id("td-theirs").inner_text() == f"ed's text: {theirs.target}"
    diff = block.get_by_test_id("td-diff")
    assert diff.locator("del").count() and diff.locator("ins").count()
    assert "Rita's own" in diff.locator("ins").all_inner_texts()[0]
    assert box(rita).input_value() == mine and caret_row(rita) == 5
    placed = in_view(rita, "[data-testid=td-conflict]")  # checked last (a layout matter)
    # while it shows, none of the save keys saves; the caret stays
    for key in ("Control+s", "Control+Enter", "Alt+a"):
        says(rita, key, CONFLICT_TEXT)
        assert caret_row(rita) == 5, key
        assert stored(desk, seg).version == theirs.version, key
    # Alt+M: hers, saved over his; the edit log names both versions
    says(rita, "Alt+m", "Kept your text in segment 5.")
    now = stored(desk, seg)
    assert (now.target, now.version) == (mine, theirs.version + 1)
    assert row(rita, 5).get_by_test_id("td-conflict").count() == 0
    saves = [e for e in repo.edit_events(desk.store, segment_id=seg.id) if e.kind == "save"]
    assert saves[-1].editor == "rita" and saves[-1].text_after == mine
    assert saves[-1].resolution == {
        "kept": "mine",
        "mine_from": started.version,
        "theirs": theirs.version,
        "theirs_by": "ed",
    }
    assert get_wip(desk.store, seg.id, editor="rita") is None
    assert box(rita).input_value() == mine and caret_row(rita) == 5
    assert placed["inside"], f"the conflict block was cut off at 1440×900: {placed} ({path})"


def test_a_change_arriving_over_unsaved_text_alt_h_and_alt_b(browser, desk, artifacts):
    """Another person's save over unsaved text shows the conflict within 3 s without any key;
    Alt+H takes theirs (nothing saved, the unsaved copies gone), Alt+B puts both in the box."""
    s = segs(desk)
    seg = s[6]
    ed = new_page(browser)
    sign_in(ed, desk.url, "ed")
    open_doc(ed, desk.url, desk.doc, 7)
    wait_grid_polled(ed)
    ed.keyboard.press("End")
    ed.keyboard.type(" with ed's words")
    mine = seg.target + " with ed's words"
    wait_wip(desk, seg.id, "ed", mine)
    theirs = revising.save_segment(
        desk.store, seg.id, "Rita rewrote seven.", editor="rita", base_version=seg.version
    )
    saved_at = time.time()
    t0 = time.monotonic()
    wait_conflict(ed, 7, "ed")
    seen = time.monotonic() - t0
    record("others' save over unsaved text → conflict block shown", seen, desk)
    # a poll brought it, or rows reloaded by a Streamlit run (the unsaved copy's own trigger)
    arrived = arrival_ms(ed, seg.id, theirs.version, via=None)
    assert arrived is not None, grid_dump(ed)
    delay = arrived / 1000 - saved_at
    record("others' save over unsaved text → grid took it in", delay, desk)
    assert delay < ARRIVAL_LIMIT_S, f"after {delay:.2f} s (load {os.getloadavg()[0]:.1f})"
    path = shot(ed, artifacts, "conflict-arrived")
    placed = in_view(ed, "[data-testid=td-conflict]")  # checked last (a layout matter)
    block = row(ed, 7).get_by_test_id("td-conflict")
    assert block.inner_text().startswith("rita changed this segment at"), block.inner_text()
    assert block.get_by_test_id("td-theirs").inner_text() == f"rita's text: {theirs.target}"
    assert box(ed).input_value() == mine and caret_row(ed) == 7
    message = ed.get_by_test_id("td-message").inner_text()
    assert "Segment 7 was changed by rita" in message, message
    says(ed, "Control+s", CONFLICT_TEXT)
    assert stored(desk, seg).version == theirs.version
    # Alt+H: their text in the box, nothing saved, both unsaved copies gone
    events = changes(desk, seg.id)
    says(ed, "Alt+h", "Took rita's text for segment 7; nothing was saved.")
    assert box(ed).input_value() == theirs.target and caret_row(ed) == 7
    assert row(ed, 7).get_by_test_id("td-conflict").count() == 0
    wait_wip(desk, seg.id, "ed", None)
    assert local_copy(ed, seg.id) is None
    assert stored(desk, seg).version == theirs.version
    assert changes(desk, seg.id) == events  # (an `open` of the row may be logged meanwhile)
    # again, then Alt+B: both in the box, mine first, theirs on a new line; nothing saved
    ed.keyboard.press("End")
    ed.keyboard.type(" and more")
    mine = theirs.target + " and more"
    wait_wip(desk, seg.id, "ed", mine)
    theirs = revising.save_segment(
        desk.store, seg.id, "Rita's second take.", editor="rita", base_version=theirs.version
    )
    wait_conflict(ed, 7, "ed")
    says(ed, "Alt+b", "Both texts are in segment 7's box, yours first")
    merged = f"{mine}\n{theirs.target}"
    assert box(ed).input_value() == merged and caret_row(ed) == 7
    assert stored(desk, seg).version == theirs.version
    wait_wip(desk, seg.id, "ed", merged)
    # the merge is saved like any text (no conflict left), and both copies go
    ed.keyboard.press("Backspace")
    says(ed, "Control+s", "Saved segment 7.")
    now = stored(desk, seg)
    assert (now.target, now.version) == (merged[:-1], theirs.version + 1)
    assert repo.edit_events(desk.store, segment_id=seg.id)[-1].resolution is None
    assert get_wip(desk.store, seg.id, editor="ed") is None
    assert placed["inside"], f"the conflict block was cut off at 1440×900: {placed} ({path})"


# --- live arrival ---------------------------------------------------------------------------


def _arrives(desk, pages: dict, change, n: int, what: str) -> repo.SegmentView:
    """Make `change` in the store; wait until every page's row `n` has its version, status and
    text; record the delays: to the row showing it (seen from here) and, where the grid's
    `arrivals` lists it (a poll brought it, not a reload of every row), to its arrival."""
    view = change()
    saved_at, t0 = time.time(), time.monotonic()
    status = "draft" if view.status == "draft" and view.draft.origin == "tm" else view.status
    for who, page in pages.items():
        wait_js(
            page,
            """([id, v, n, status]) => { const g = window.__tdGrid, r = g.byId.get(id);
            return r.version === v && [...g.list.children].some((x) => x.dataset &&
              x.dataset.n === String(n) && x.dataset.status === status) }""",
            [view.id, view.version, n, status],
            what=f"{who}'s row {n} to take in version {view.version} ({what})",
        )
        wait_row_text(page, n, view.target, who)
        shown = time.monotonic() - t0
        record(f"{what} → {who}'s row {n} shows it", shown, desk)
        arrived = arrival_ms(page, view.id, view.version)
        if arrived is None:  # seen from here: includes this test's own waiting on a busy machine
            print(f"  ({who}'s grid took version {view.version} in by a reload, not a poll)")
            delay = shown
        else:  # the grid redraws the row as it takes the change in (`arrive`)
            delay = arrived / 1000 - saved_at
            record(f"{what} → {who}'s grid took it in", delay, desk)
        assert delay < ARRIVAL_LIMIT_S, (
            f"{what} reached {who} after {delay:.2f} s (load average {os.getloadavg()[0]:.1f})"
        )
    return view


def test_others_changes_arrive_live_and_approval_locks_an_editors_box(browser, desk, artifacts):
    """Saves, approvals, reopens and reverts made elsewhere reach both open grids within 3 s:
    a box with no unsaved text changes in place; an approved box is read-only for the editor
    only."""
    s = segs(desk)
    seg, other = s[1], s[4]
    ed = new_page(browser)
    sign_in(ed, desk.url, "ed")
    open_doc(ed, desk.url, desk.doc, 2)
    rita = new_page(browser, dialogs=[])
    sign_in(rita, desk.url, "rita")
    open_doc(rita, desk.url, desk.doc, 2)
    for page in (ed, rita):
        wait_grid_polled(page)
        qa_settled(page)  # no reload of the rows races the polls (that race: the test above)
    pages = {"ed": ed, "rita": rita}
    # a save of another row, and of the row both boxes are in
    _arrives(
        desk,
        pages,
        lambda: revising.save_segment(
            desk.store, other.id, "Row five, live.", editor="rita", base_version=other.version
        ),
        5,
        "save of a row not open",
    )
    v = _arrives(
        desk,
        pages,
        lambda: revising.save_segment(
            desk.store, seg.id, "Segment two, live.", editor="rita", base_version=seg.version
        ),
        2,
        "save of the open row",
    )
    assert caret_row(ed) == 2 and caret_row(rita) == 2  # in place: the caret stayed
    assert ed.evaluate("() => window.__tdGrid.texts.size") == 0
    # approval: the editor's box is read-only, the reviewer's is not
    v = _arrives(
        desk,
        pages,
        lambda: revising.approve_segment(desk.store, seg.id, editor="rita", base_version=v.version),
        2,
        "approval",
    )
    wait_js(ed, "() => window.__tdGrid.box().readOnly", what="ed's approved box to be read-only")
    assert box(ed).get_attribute("readonly") is not None
    assert box(rita).get_attribute("readonly") is None
    assert row(ed, 2).get_attribute("data-status") == "approved"
    path = shot(ed, artifacts, "approved-read-only")
    print(f"screenshot: {path}")
    ed.keyboard.press("End")
    ed.keyboard.type("xyz")
    assert box(ed).input_value() == v.target
    says(ed, "Control+s", "is approved")  # said by the grid or, refused, by the server
    assert stored(desk, seg).version == v.version
    changes = repo.edit_events(desk.store, segment_id=seg.id)
    assert not [e for e in changes if e.editor == "ed" and e.kind != "open"]
    # reopen: editable again; revert: the MT draft, in place
    v = _arrives(
        desk,
        pages,
        lambda: revising.reopen_segment(desk.store, seg.id, editor="rita", base_version=v.version),
        2,
        "reopen",
    )
    wait_js(ed, "() => !window.__tdGrid.box().readOnly", what="ed's reopened box to be editable")
    v = _arrives(
        desk,
        pages,
        lambda: revising.revert_to_mt(desk.store, seg.id, editor="rita", base_version=v.version),
        2,
        "revert",
    )
    assert v.target == seg.draft.text and row(ed, 2).get_attribute("data-status") == "draft"
    # a save made in a browser reaches the other browser the same way
    ed.keyboard.press("End")
    ed.keyboard.type(" by ed")
    says(ed, "Control+s", "Saved segment 2.")
    t0, saved = time.monotonic(), stored(desk, seg)
    wait_row_text(rita, 2, saved.target, "rita")
    record("ed's Ctrl+S (acknowledged) → rita's box shows it", time.monotonic() - t0, desk)
    assert box(rita).input_value() == saved.target and caret_row(rita) == 2
    progress = rita.get_by_test_id("td-progress").inner_text()
    assert progress.startswith("0 approved · 2 edited"), progress


def test_a_reload_of_the_rows_brings_a_change_into_an_unchanged_box(browser, desk, artifacts):
    """A change that reaches the grid by a reload of its rows (the sync the grid asks for while
    QA is pending), not by a poll, must still show in the active box that has no unsaved text;
    else the next Ctrl+S writes the old text over the other person's version unseen."""
    s = segs(desk)
    seg = s[2]
    ed = new_page(browser)
    sign_in(ed, desk.url, "ed")
    open_doc(ed, desk.url, desk.doc, 3)
    wait_grid_polled(ed)
    pause_polls(ed)
    rev = ed.evaluate("() => window.__tdGrid.rev")
    theirs = revising.save_segment(
        desk.store, seg.id, "Rita's version of three.", editor="rita", base_version=seg.version
    )
    ed.evaluate("() => { window.__tdGrid.pending = 1 }")  # as when the server says QA is running
    wait_js(
        ed,
        "([rev, id, v]) => window.__tdGrid.rev > rev && window.__tdGrid.byId.get(id).version === v",
        [rev, seg.id, theirs.version],
        what="the grid's rows reloaded with rita's version",
        timeout=45_000,
    )
    assert arrival_ms(ed, seg.id, theirs.version) is None  # the reload brought it, not a poll
    assert arrival_ms(ed, seg.id, theirs.version, via="rows") is not None
    resume_polls(ed)
    wait_js(ed, "() => !!window.__tdGrid.lastPoll && !window.__tdGrid.polling", what="a poll")
    ed.wait_for_timeout(2000)  # a poll or two more
    state = grid_dump(ed)
    shown = box(ed).input_value()
    path = shot(ed, artifacts, "reloaded-box")
    print(f"row version {state['base']}, box {shown!r}, screenshot {path}")
    ed.keyboard.press("End")
    ed.keyboard.type(" (ed)")
    says(ed, "Control+s", "segment 3")
    now = stored(desk, seg)
    assert shown == theirs.target, (
        f"after the reload ed's box still shows {shown!r}, not rita's {theirs.target!r}; "
        f"his Ctrl+S then stored {now.target!r} (version {now.version}) over hers; "
        f"message: {state['msg']!r}"
    )
    assert now.target == theirs.target + " (ed)"


# --- viewer ---------------------------------------------------------------------------------


def test_a_viewer_reads_only_and_the_aids_follow_the_row(browser, desk, artifacts):
    """A viewer's boxes are read-only (typing changes nothing, Ctrl+S says why) and the aids
    panel on the right follows the active row."""
    s = segs(desk)
    vic = new_page(browser)
    sign_in(vic, desk.url, "vic")
    open_doc(vic, desk.url, desk.doc, 2)
    aids_header(vic, 2)
    assert box(vic).get_attribute("readonly") is not None
    vic.keyboard.type("typed by a viewer")
    assert box(vic).input_value() == s[1].target
    says(vic, "Control+s", "You may read this article but not change it.")
    for key in ("Alt+r", "Alt+o", "Alt+e"):
        vic.keyboard.press(key)
    vic.keyboard.press("Alt+a")
    alt_a = vic.get_by_test_id("td-message").inner_text()
    vic.keyboard.press("Alt+ArrowDown")
    wait_caret(vic, 3)
    aids_header(vic, 3)
    assert box(vic).get_attribute("readonly") is not None
    vic.keyboard.press("Alt+g")
    vic.keyboard.type("10")
    vic.keyboard.press("Enter")
    wait_caret(vic, 10)
    aids_header(vic, 10)
    wait_idle(vic)
    assert box(vic).get_attribute("readonly") is not None
    aids = vic.locator(".st-key-segment_aids").inner_text()
    assert s[9].source in aids or s[9].source[:20] in aids, aids[:400]
    path = shot(vic, artifacts, "viewer-aids-segment-10")
    print(f"screenshot: {path}")
    assert [x.target for x in segs(desk)] == [x.target for x in s]
    assert not [e for e in repo.edit_events(desk.store, document_id=desk.doc) if e.editor == "vic"]
    # smaller matters, checked last: what Alt+A tells a viewer, the count line's QA note
    problems = []
    if "Ctrl+S saves" in alt_a:
        problems.append(f"Alt+A tells a viewer {alt_a!r} (a viewer's Ctrl+S saves nothing)")
    qa_settled(vic)
    count = vic.locator(".td-count").inner_text()
    if "QA running" in count:
        problems.append(f"the count line says {count!r} while the grid has no QA pending")
    assert not problems, "\n".join(problems)


# --- search return --------------------------------------------------------------------------


def _big_article(desk) -> tuple[int, list[repo.SegmentView]]:
    """A 961-segment article (NTREX-128 lines, five to a paragraph)."""
    lines = shared_lines("ntrex128", "ko", 961)
    table = {k: f"Long article sentence {i}." for i, k in enumerate(lines)}
    text = "\n\n".join("\n".join(lines[i : i + 5]) for i in range(0, len(lines), 5))
    doc = drafting.create_document(
        desk.store,
        text,
        title="Long article",
        engine=TableEngine("table-model", table),
        created_by="rita",
        segment_mode="line",
    )
    rows = segs(desk, doc)
    assert len(rows) == 961
    return doc, rows


def _back_in_600(page, how: str) -> None:
    """The caret is in segment 600's box and that row is on screen."""
    wait_caret(page, 600)
    shown = visible_rows(page)
    assert 600 in shown, f"after {how}: segment 600 not on screen; shown: {shown}"


def test_search_go_to_and_filters_give_the_caret_back(browser, desk, artifacts):
    """On a 961-segment article at segment 600: search, go-to and the filters pressed from the
    box return the caret to segment 600's box, scrolled into view."""
    doc, rows = _big_article(desk)
    rita = new_page(browser)
    sign_in(rita, desk.url, "rita")
    open_doc(rita, desk.url, doc, 600)
    wait_idle(rita)
    assert 600 in visible_rows(rita)
    needle = rows[11].target  # only segment 12 has it
    rita.keyboard.press("Alt+k")
    rita.keyboard.type(needle)
    wait_js(rita, "() => window.__tdGrid.view.length === 2", what="the search's two rows")
    rita.keyboard.press("Enter")
    _back_in_600(rita, "search, Enter")
    assert sorted(visible_rows(rita)) == [12, 600]
    rita.keyboard.press("Alt+k")
    rita.keyboard.press("Backspace")  # Alt+K selects the field's text: this clears it
    wait_js(rita, "() => window.__tdGrid.view.length === 961", what="every row shown again")
    rita.keyboard.press("Escape")
    _back_in_600(rita, "search cleared, Esc")
    shown = visible_rows(rita)
    assert min(shown) > 560 and max(shown) < 640, shown
    path = shot(rita, artifacts, "search-return-600")
    print(f"screenshot: {path}; rows on screen: {shown}")
    # Alt+G, a number, then Esc: back where the editor was
    rita.keyboard.press("Alt+g")
    rita.keyboard.type("15")
    rita.keyboard.press("Escape")
    _back_in_600(rita, "Alt+G, Esc")
    # the filters pressed from the box keep the caret there and the row in view
    for key, what in (("Alt+q", "QA"), ("Alt+l", "low confidence"), ("Alt+u", "status")):
        rita.keyboard.press(key)
        _back_in_600(rita, f"{key} ({what} filter on)")
    rita.keyboard.type("!")  # typing goes on in the same box
    wait_js(rita, "(n) => window.__tdGrid.texts.size === 1", 600, what="the typed key")
    assert box(rita).input_value() == rows[599].target + "!"


# --- a sign-in ended elsewhere ------------------------------------------------------------


def _back_to(page, n: int) -> None:
    """After signing in again: the caret in segment `n`'s box (Alt+G there if it is not)."""
    box(page).wait_for()
    wait_idle(page)
    if caret_row(page) != n:
        print(f"after signing in again the caret is in row {caret_row(page)}, not {n}")
        page.keyboard.press("Alt+g")
        page.keyboard.type(str(n))
        page.keyboard.press("Enter")
    wait_caret(page, n)


def test_sign_out_elsewhere_shows_the_form_and_keeps_unsaved_text(browser, desk, artifacts):
    """Sign-out in another tab turns the open grid into the sign-in form at the next poll, with
    no error banner; the unsaved text is kept and back in the box after signing in again."""
    problems: list[str] = []
    s = segs(desk)
    seg = s[2]
    page = new_page(browser)
    sign_in(page, desk.url, "rita")
    open_doc(page, desk.url, desk.doc, 3)
    wait_grid_polled(page)
    page.keyboard.press("End")
    page.keyboard.type(" kept over a sign-out")
    typed = seg.target + " kept over a sign-out"
    wait_wip(desk, seg.id, "rita", typed)
    who = page.evaluate("() => window.__tdGrid.who")
    key = f"transdesk:wip:{desk.url.removeprefix('http://')}:{who}:{desk.doc}:{seg.id}"
    tab = page.context.new_page()
    tab.goto(desk.url)
    wait_idle(tab)
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("textbox", name="Password").wait_for()
    took = sign_in_form_shown(page, desk, "a sign-out in another tab", artifacts, problems)
    if took is not None:
        record("sign-out in another tab → the grid's page shows the sign-in form", took, desk)
        shot(page, artifacts, "signed-out-elsewhere")
    tab.close()
    assert get_wip(desk.store, seg.id, editor="rita").text == typed  # the server copy stays
    kept = page.evaluate("(k) => localStorage.getItem(k)", key)
    assert kept is not None and json.loads(kept)["text"] == typed  # and the browser's
    sign_in_here(page, "rita")
    _back_to(page, 3)
    assert box(page).input_value() == typed
    says(page, "Control+s", "Saved segment 3.")
    assert stored(desk, seg).target == typed
    assert not problems, "\n".join(problems)


def test_expiry_and_removal_show_the_form_at_the_next_poll_or_key(browser, desk, artifacts):
    """An expired sign-in: the form at the next poll, the text back after signing in. A removed
    account, noticed by a key (polls paused): the form, and the text kept in the browser."""
    from sqlalchemy import update

    from mt.store.models import Editor, WebSession, utcnow

    problems: list[str] = []
    s = segs(desk)
    rita = new_page(browser)
    sign_in(rita, desk.url, "rita")
    open_doc(rita, desk.url, desk.doc, 8)
    wait_grid_polled(rita)
    rita.keyboard.press("End")
    rita.keyboard.type(" before expiry")
    typed = s[7].target + " before expiry"
    wait_wip(desk, s[7].id, "rita", typed)
    with desk.store.session(write=True) as session:
        rita_id = session.query(Editor.id).filter(Editor.name == "rita").scalar()
        session.execute(
            update(WebSession)
            .where(WebSession.editor_id == rita_id)
            .values(expires_at=utcnow().replace(year=2020))
        )
    took = sign_in_form_shown(rita, desk, "the sign-in expired", artifacts, problems)
    if took is not None:
        record("sign-in expired → the grid's page shows the sign-in form", took, desk)
    sign_in_here(rita, "rita")
    _back_to(rita, 8)
    assert box(rita).input_value() == typed
    # removal, noticed by the next key (its unsaved copy is refused with 401)
    ed = new_page(browser)
    sign_in(ed, desk.url, "ed")
    open_doc(ed, desk.url, desk.doc, 9)
    wait_grid_polled(ed)
    pause_polls(ed)
    ed_id = ed.evaluate("() => window.__tdGrid.who")
    key = f"transdesk:wip:{desk.url.removeprefix('http://')}:{ed_id}:{desk.doc}:{s[8].id}"
    repo.remove_user(desk.store, "ed")
    ed.keyboard.press("End")
    ed.keyboard.type(" typed after removal")
    kept = ed.evaluate("(k) => localStorage.getItem(k)", key)
    took = sign_in_form_shown(ed, desk, "the account was removed and a key pressed", artifacts,
                              problems)  # fmt: skip
    if took is not None:
        record("account removed, a key pressed → the sign-in form", took, desk)
    assert kept is not None and json.loads(kept)["text"] == s[8].target + " typed after removal"
    assert ed.evaluate("(k) => localStorage.getItem(k)", key) == kept  # still kept after
    assert not problems, "\n".join(problems)


# --- two servers over one database ----------------------------------------------------------


def test_two_servers_share_sign_ins_copies_changes_and_conflicts(browser, desk, artifacts):
    """Two `transdesk ui` servers over one database: a sign-in on one works on the other, an
    unsaved copy typed on one is in the box on the other, a save on one reaches a grid on the
    other within 3 s as a conflict over unsaved text, and Alt+M there is seen back here."""
    other, proc = start_desk(
        desk.tmp, desk.model, db_url=desk.db_url, log_name="server-b.log"
    )  # fmt: skip
    desk.procs.append(proc)
    s = segs(desk)
    rita = new_page(browser)
    sign_in(rita, desk.url, "rita")
    # the same cookie (one host, another port) is a sign-in on server B too
    open_doc(rita, other.url, desk.doc, 4)
    rita.get_by_text("Signed in as").wait_for()
    # an unsaved copy typed on B comes back on A (another origin: not this browser's storage)
    rita.keyboard.press("End")
    rita.keyboard.type(" typed on B")
    typed = s[3].target + " typed on B"
    wait_wip(desk, s[3].id, "rita", typed)
    open_doc(rita, desk.url, desk.doc, 4)
    assert box(rita).input_value() == typed
    assert local_copy(rita, s[3].id) is None  # so it came from the server
    # rita on A and ed on B in segment 5; ed has unsaved text, rita saves
    ed = new_page(browser)
    sign_in(ed, other.url, "ed")
    open_doc(ed, other.url, desk.doc, 5)
    wait_grid_polled(ed)
    ed.keyboard.press("End")
    ed.keyboard.type(" ed on B")
    ed_text = s[4].target + " ed on B"
    wait_wip(desk, s[4].id, "ed", ed_text)
    rita.keyboard.press("Alt+ArrowDown")
    wait_caret(rita, 5)
    started = stored(desk, s[4])
    retype(rita, "Rita saved this on A.")
    says(rita, "Control+s", "Saved segment 5.")
    theirs, t0 = stored(desk, s[4]), time.monotonic()
    wait_conflict(ed, 5, "ed on server B")
    record("save on server A → conflict on server B", time.monotonic() - t0, desk)
    shot(ed, artifacts, "conflict-server-b")
    assert ed.get_by_test_id("td-theirs").inner_text() == f"rita's text: {theirs.target}"
    says(ed, "Alt+m", "Kept your text in segment 5.")
    assert stored(desk, s[4]).target == ed_text
    assert repo.edit_events(desk.store, segment_id=s[4].id)[-1].resolution == {
        "kept": "mine",
        "mine_from": started.version,
        "theirs": theirs.version,
        "theirs_by": "rita",
    }
    t0 = time.monotonic()
    wait_row_text(rita, 5, ed_text, "rita on server A")
    record("Alt+M on server B → rita's box on server A", time.monotonic() - t0, desk)
    assert caret_row(rita) == 5
    assert "Traceback" not in log_tail(desk, "server-b.log")


# --- translation memory -------------------------------------------------------------------


def _drafted(desk, source: str, title: str) -> repo.DraftView:
    """The draft a new one-line article with `source` gets (MT would say "Engine draft.")."""
    doc = drafting.create_document(
        desk.store,
        source,
        title=title,
        engine=TableEngine("table-model", {source: "Engine draft."}),
        created_by="rita",
        segment_mode="line",
    )
    return segs(desk, doc)[0].draft


def test_reopen_withdraws_from_memory_and_reapproval_puts_back(browser, desk):
    """Alt+A puts the segment in the translation memory (a new article reuses it), Alt+O takes
    it out (a new article is drafted by MT), Alt+A again puts it back."""
    s = segs(desk)
    seg = s[5]
    rita = new_page(browser, dialogs=[])
    sign_in(rita, desk.url, "rita")
    open_doc(rita, desk.url, desk.doc, 6)
    rita.keyboard.press("End")
    rita.keyboard.type(" approved")
    press(rita, "Alt+a", "Approved segment 6.")
    approved = stored(desk, seg)
    assert approved.status == "approved" and approved.target == seg.target + " approved"
    assert exact_matches(desk.store, [seg.source])[seg.source].target == approved.target
    draft = _drafted(desk, seg.source, "reuse")
    assert (draft.origin, draft.text) == ("tm", approved.target)
    press(rita, "Alt+o", "Reopened segment 6.")
    assert stored(desk, seg).status == "edited"
    assert row(rita, 6).get_attribute("data-status") == "edited"
    assert exact_matches(desk.store, [seg.source]) == {}
    draft = _drafted(desk, seg.source, "after the reopen")
    assert (draft.origin, draft.text) == ("mt", "Engine draft.")
    rita.keyboard.type(" again")
    press(rita, "Alt+a", "Approved segment 6.")
    again = stored(desk, seg)
    assert again.target == approved.target + " again"
    draft = _drafted(desk, seg.source, "after the re-approval")
    assert (draft.origin, draft.text) == ("tm", again.target)
