"""Nothing typed is lost, on every exit (#24), in Chromium against a real `transdesk ui`.

For each way out of the Editor, and for leaving 0, 50, 150 and 500 ms after the last key, a
distinct text is typed into a segment's box (keyboard only), the page is left that way, the
editor comes back, and the text must be there: in the box, marked unsaved, and within a few
seconds on the server as the editor's unsaved copy (`mt.store.drafts_wip.get_wip`). The ways
out (`EXIT_PATHS`):

- **navigation**: "Documents" in the app's top navigation, then "Editor" again;
- **picker**: another article in the Editor's article picker, then the first one again;
- **address**: another address (`about:blank` or the Documents page's URL, alternately), then
  the deep link again; "Leave site?" is accepted when asked;
- **close-asked** / **close**: the tab closed with its beforeunload question
  (`page.close(run_before_unload=True)`, accepted) or without it (`page.close()`), then the
  deep link in a new tab;
- **reload**: the page reloaded ("Leave site?" accepted);
- **offline-quit**: the network cut (`context.set_offline(True)`) after typing and the whole
  browser closed; launched again on the same profile, online, the deep link.

One server per database (module scope), one try per (way out, delay), each try in its own
segment and its own browser context. `exit_try` does one try and reports what it saw without
asserting, so `benchmarks/browser_editor.py --exit-tries N` repeats the same tries and counts
losses. Timings of every try are printed (`pytest -s`) and written to
test-artifacts/browser/exit_paths.json.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mt import drafting
from mt import store as repo
from mt.store.drafts_wip import get_wip, list_wip
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, start_desk, wait_idle
from tests.conftest import require_postgres, schema_url, shared_lines
from tests.store.conftest import TableEngine

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXIT_PATHS = ("navigation", "picker", "address", "close-asked", "close", "reload", "offline-quit")
DELAYS_MS = (0, 50, 150, 500)
VIEWPORT = {"width": 1440, "height": 900}
HELD_WITHIN_S = 5.0  # after the editor is back, the server holds the text by then
SHOWN_WITHIN_MS = 5_000  # after the grid is back, its box shows the text by then
PAGE_TIMEOUT_MS = 90_000  # generous for a loaded machine; idle runs take a second or two
PASSWORD = "rita-reviews-all"


# --- one try ---------------------------------------------------------------------------------


@dataclass
class ExitDesk:
    """A running desk and what a try needs of it: the article typed into and the other one
    (the picker's), the editor's name, and a signed-in browser's storage state (None when
    the desk has no accounts)."""

    url: str
    store: Any
    log: Path
    doc: int
    title: str
    other: int
    other_title: str
    editor: str
    state: dict[str, Any] | None
    tmp: Path
    first: dict[int, int] = field(default_factory=dict)  # article id -> its first segment's id

    def __post_init__(self) -> None:
        for doc in (self.doc, self.other):
            self.first[doc] = repo.list_segments(self.store, doc, limit=1)[0].id

    def deep_link(self, n: int) -> str:
        return f"{self.url}/editor?doc={self.doc}&seg={n}"


@dataclass
class Outcome:
    """What one try saw: the text in the box on return (`shown`), the server's copy
    (`held`), the "Leave site?" questions, and timings in seconds from the last key."""

    path: str
    delay_ms: int
    n: int
    text: str
    backend: str = ""
    typed: bool = False  # the text was typed (a try that failed before is no loss)
    shown: bool = False
    held: bool = False
    asked: list[str] = field(default_factory=list)
    left_s: float | None = None  # the page was gone (or the other page shown)
    back_s: float | None = None  # the box showed the text again
    held_s: float | None = None  # the server first held the text (polled every 50 ms)
    detail: str = ""  # how the try left, e.g. the address
    wrong_rows: bool = False  # the grid showed another article's rows under this one's id
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def lost(self) -> bool:
        """A loss: the text typed, then neither in the box on return nor held by the server."""
        return self.typed and not self.shown and not self.held


def box(page):
    return page.get_by_role("textbox", name="English", exact=True)


def caret_row(page) -> int | None:
    """The number of the row whose English box has the caret (None: no box has it)."""
    return page.evaluate(
        """() => { const g = window.__tdGrid; const a = g && g.parent.activeElement;
        return a && a.tagName === 'TEXTAREA' ? Number(a.closest('.td-row').dataset.n) : null }"""
    )


def wait_js(page, script: str, arg: Any, message: str, timeout: float = PAGE_TIMEOUT_MS) -> None:
    """Wait until `script(arg)` is true in the page; fail with `message` and the grid's state."""
    try:
        page.wait_for_function(script, arg=arg, timeout=timeout)
    except Exception as e:
        raise AssertionError(f"{message} (grid: {grid_fields(page)})") from e


def grid_fields(page) -> dict[str, Any] | None:
    """The grid's unsaved-text state and this origin's stored copies (for failure reports)."""
    try:
        return page.evaluate(
            """() => { const g = window.__tdGrid;
            const local = {};
            for (let i = 0; i < localStorage.length; i++) {
              const k = localStorage.key(i);
              if (k.startsWith('transdesk:wip:')) local[k] = localStorage.getItem(k);
            }
            if (!g) return {grid: null, local, url: location.href};
            const b = g.box();
            return {url: location.href, doc: g.doc, active: g.active, rows: g.rows.length,
              connected: g.parent.isConnected, texts: [...g.texts], held: [...g.held],
              sending: [...g.sending], wipSentAt: g.wipSentAt, lastKeyAt: g.lastKeyAt,
              now: performance.now(), box: b ? b.value : null, msg: g.msg.textContent,
              signedOut: g.signedOut, inflight: g.inflight && g.inflight.payload,
              queue: g.queue.length, local} }"""
        )
    except Exception as e:  # a page gone or navigating
        return {"error": str(e)[:200]}


def log_tail(desk: ExitDesk, lines: int = 30) -> list[str]:
    """The server log's last lines."""
    try:
        return desk.log.read_text(errors="replace").splitlines()[-lines:]
    except OSError as e:
        return [f"(log unreadable: {e})"]


def server_copy(desk: ExitDesk, seg_id: int) -> str | None:
    found = get_wip(desk.store, seg_id, editor=desk.editor)
    return found.text if found else None


def new_context(browser, desk: ExitDesk):
    ctx = browser.new_context(viewport=VIEWPORT, storage_state=desk.state)
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    return ctx


def watch_dialogs(page, asked: list[str]) -> None:
    """Accept every dialog ("Leave site?" included), noting its type."""
    page.on("dialog", lambda d: (asked.append(d.type), d.accept()))


def open_row(page, desk: ExitDesk, n: int) -> None:
    """The deep link to segment `n`, until the caret is in its box and the app is idle."""
    page.goto(desk.deep_link(n))
    wait_caret(page, n)
    wait_idle(page)


def wait_caret(page, n: int) -> None:
    wait_js(
        page,
        """(n) => { const g = window.__tdGrid; const a = g && g.parent.activeElement;
        return a && a.tagName === 'TEXTAREA' && Number(a.closest('.td-row').dataset.n) === n }""",
        n,
        f"the caret never reached segment {n}'s box",
    )


def type_text(page, text: str) -> None:
    """Replace the box's text with `text`, key by key."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def wait_grid(page, desk: ExitDesk, doc: int, timeout: float = 30_000) -> None:
    """The grid of article `doc` is drawn, in the page, with that article's rows (not only
    its id: a grid updated in place must have let the other article's rows go)."""
    wait_js(
        page,
        """([doc, first]) => { const g = window.__tdGrid;
        return g && g.parent.isConnected && g.doc === doc && g.rows.length > 0 &&
          g.rows[0].id === first && !!g.box() }""",
        [doc, desk.first[doc]],
        f"the grid of article {doc} with its own rows (first segment id {desk.first[doc]}) "
        f"never came back",
        timeout,
    )


def to_row(page, n: int) -> None:
    """Put the caret in segment `n`'s box, as an editor would: click the box, Alt+G, n."""
    if caret_row(page) == n:
        return
    box(page).click()
    page.keyboard.press("Alt+g")
    page.keyboard.type(str(n))
    page.keyboard.press("Enter")
    wait_caret(page, n)


def shows(page, n: int, text: str, timeout: float = SHOWN_WITHIN_MS) -> bool:
    """Segment `n`'s box shows `text`, marked unsaved, within `timeout` ms."""
    try:
        page.wait_for_function(
            """([n, text]) => { const g = window.__tdGrid; const b = g && g.box();
            const row = b && b.closest('.td-row');
            return !!row && Number(row.dataset.n) === n && b.value === text &&
              !!row.querySelector('.td-wip') }""",
            arg=[n, text],
            timeout=timeout,
        )
        return True
    except Exception:
        return False


# The ways out but offline-quit (`_offline_try`: a browser of its own): each leaves `page` (the
# row typed into, in article desk.doc), notes when it was gone (`t.left()`), and returns the
# page the editor comes back on, once it is on its way back to desk.doc. `ctx` is the page's
# context; `i` picks a variant (leave_address).


def nav_link(page, name: str):
    return page.get_by_test_id("stTopNavLink").filter(has_text=name)


def pick(page, title: str) -> None:
    """Choose the article titled `title` in the Editor's picker (mouse, as an editor would)."""
    page.locator(".st-key-editor_doc_choice").click()
    page.get_by_role("option", name=re.compile(rf"^{re.escape(title)} — ")).click()


def leave_navigation(page, desk, ctx, t, i):
    """Documents in the app's top navigation, then Editor again."""
    nav_link(page, "Documents").click()
    page.get_by_role("heading", name="Documents").wait_for()
    t.left()
    nav_link(page, "Editor").click()
    return page


def leave_picker(page, desk, ctx, t, i):
    """The other article in the Editor's picker, then this one again; notes whether the grid
    then showed the other article's own rows (`Outcome.wrong_rows` when it did not)."""
    pick(page, desk.other_title)
    wait_js(
        page,
        "(doc) => { const g = window.__tdGrid; return g && g.doc === doc && !!g.box() }",
        desk.other,
        f"the picker never opened article {desk.other}",
    )
    t.left()
    try:
        wait_grid(page, desk, desk.other, timeout=5_000)
    except AssertionError as e:
        t.outcome.wrong_rows = True
        t.outcome.evidence["other_article"] = str(e)[:2000]
    pick(page, desk.title)
    return page


def leave_address(page, desk, ctx, t, i):
    """Another address typed in (about:blank for even `i`, else the Documents page's URL),
    then the deep link again."""
    where = "about:blank" if i % 2 == 0 else desk.url + "/"
    t.detail = where
    page.goto(where)
    if where != "about:blank":
        page.get_by_role("heading", name="Documents").wait_for()
    t.left()
    page.goto(desk.deep_link(t.n))
    return page


def leave_close_asked(page, desk, ctx, t, i):
    """The tab closed with its beforeunload question (accepted), then a new tab."""
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    t.left()
    tab = ctx.new_page()
    watch_dialogs(tab, t.asked)
    tab.goto(desk.deep_link(t.n))
    return tab


def leave_close(page, desk, ctx, t, i):
    """The tab closed without its beforeunload question, then a new tab."""
    page.close()
    t.left()
    tab = ctx.new_page()
    watch_dialogs(tab, t.asked)
    tab.goto(desk.deep_link(t.n))
    return tab


def leave_reload(page, desk, ctx, t, i):
    """The page reloaded: gone once the new document has committed."""
    page.reload(wait_until="commit")
    t.left()
    return page


LEAVE: dict[str, Callable] = {
    "navigation": leave_navigation,
    "picker": leave_picker,
    "address": leave_address,
    "close-asked": leave_close_asked,
    "close": leave_close,
    "reload": leave_reload,
}


class Clock:
    """Times of one try, in seconds from the last key; from that key on, a thread watches the
    server for the editor's copy of the text (`seen_s`: when it first held it)."""

    def __init__(self, outcome: Outcome, desk: ExitDesk, seg_id: int) -> None:
        self.outcome, self.n, self.asked = outcome, outcome.n, outcome.asked
        self.desk, self.seg_id = desk, seg_id
        self.t0 = time.perf_counter()
        self.seen = threading.Event()
        self.seen_s: float | None = None
        self.stop = threading.Event()

    def key(self) -> None:
        """The last key was typed: the clock starts and the server is watched."""
        self.t0 = time.perf_counter()
        self.outcome.typed = True
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self.stop.is_set():
            if server_copy(self.desk, self.seg_id) == self.outcome.text:
                self.seen_s = self.since()
                self.seen.set()
                return
            time.sleep(0.05)

    def since(self) -> float:
        return round(time.perf_counter() - self.t0, 3)

    def left(self) -> None:
        self.outcome.left_s = self.since()

    @property
    def detail(self) -> str:
        return self.outcome.detail

    @detail.setter
    def detail(self, value: str) -> None:
        self.outcome.detail = value


def check_back(page, desk: ExitDesk, seg_id: int, out: Outcome, t: Clock) -> None:
    """On the page the editor came back on: the box, the server's copy (held within
    `HELD_WITHIN_S` of the return, and still the text then), evidence if either is short."""
    try:
        wait_grid(page, desk, desk.doc)
        to_row(page, out.n)
        out.shown = shows(page, out.n, out.text)
    except AssertionError as e:
        out.evidence["back"] = str(e)[:2000]
    if out.shown:
        out.back_s = t.since()
    t.seen.wait(HELD_WITHIN_S)
    t.stop.set()
    out.held = t.seen.is_set() and server_copy(desk, seg_id) == out.text
    out.held_s = t.seen_s
    if not (out.shown and out.held):
        out.evidence.update(
            page=grid_fields(page), server=server_copy(desk, seg_id), log=log_tail(desk)
        )


def exit_try(browser, desk: ExitDesk, path: str, delay_ms: int, n: int, i: int = 0) -> Outcome:
    """Type a distinct text into segment `n`, leave by `path` `delay_ms` after the last key,
    come back; what was seen (never raises for a loss: the caller judges)."""
    seg = repo.list_segments(desk.store, desk.doc, offset=n - 1, limit=1)[0]
    text = f"Kept through {path} {delay_ms} ms, try {i} {uuid.uuid4().hex[:6]}."
    out = Outcome(path, delay_ms, n, text)
    t = Clock(out, desk, seg.id)
    try:
        if path == "offline-quit":
            _offline_try(browser, desk, seg.id, out, t)
        else:
            _tab_try(browser, desk, seg.id, out, t, i)
    except Exception as e:  # a step that failed or timed out: judged by the server's copy
        out.evidence["error"] = f"{type(e).__name__}: {str(e)[:1500]}"
        if out.typed:
            t.seen.wait(HELD_WITHIN_S)
            out.held = t.seen.is_set() and server_copy(desk, seg.id) == text
            out.held_s = t.seen_s
        out.evidence.update(server=server_copy(desk, seg.id), log=log_tail(desk))
    finally:
        t.stop.set()
    return out


def _tab_try(browser, desk: ExitDesk, seg_id: int, out: Outcome, t: Clock, i: int) -> None:
    """A try in a tab of its own browser context, left by `LEAVE[out.path]`."""
    ctx = new_context(browser, desk)
    try:
        page = ctx.new_page()
        watch_dialogs(page, out.asked)
        open_row(page, desk, out.n)
        type_text(page, out.text)
        t.key()
        if out.delay_ms:
            time.sleep(out.delay_ms / 1000)
        back = LEAVE[out.path](page, desk, ctx, t, i)
        check_back(back, desk, seg_id, out, t)
    finally:
        ctx.close()


def _offline_try(browser, desk: ExitDesk, seg_id: int, out: Outcome, t: Clock) -> None:
    """offline-quit: type, cut the network, close the browser; launch it again on the same
    profile, online, and open the deep link."""
    profile = desk.tmp / f"profile-{uuid.uuid4().hex[:8]}"
    try:
        ctx = launch_profile(browser, desk, profile)
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            watch_dialogs(page, out.asked)
            open_row(page, desk, out.n)
            type_text(page, out.text)
            t.key()
            ctx.set_offline(True)
            if out.delay_ms:
                time.sleep(out.delay_ms / 1000)
        finally:
            ctx.close()
        t.left()
        ctx = launch_profile(browser, desk, profile)
        try:
            ctx.set_offline(False)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            watch_dialogs(page, out.asked)
            page.goto(desk.deep_link(out.n))
            check_back(page, desk, seg_id, out, t)
        finally:
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def launch_profile(browser, desk: ExitDesk, profile: Path):
    """A whole browser on the profile folder `profile`, signed in like the others."""
    ctx = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, viewport=VIEWPORT
    )
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    if desk.state and not any(c["name"] == "transdesk_session" for c in ctx.cookies()):
        ctx.add_cookies(desk.state["cookies"])
    return ctx


def signed_in_state(browser, url: str, name: str, password: str) -> dict[str, Any]:
    """Sign in once; the browser state (the session cookie) every try's context starts from."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    page = ctx.new_page()
    page.goto(url)
    wait_idle(page)
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.keyboard.press("Enter")
    page.get_by_text("Signed in as").wait_for()
    wait_idle(page)
    state = ctx.storage_state()
    ctx.close()
    return state


# --- fixtures -------------------------------------------------------------------------------


def fill_store(store) -> tuple[int, int]:
    """The account and the two articles: 40 segments to type into, and another one."""
    repo.add_user(store, "rita", role="reviewer", password=PASSWORD)
    ko = shared_lines("ntrex128", "ko", 46)
    engine = TableEngine("table-model", {k: f"Draft sentence {i}." for i, k in enumerate(ko)})
    text = "\n\n".join("\n".join(ko[i : i + 4]) for i in range(0, 40, 4))
    doc = drafting.create_document(
        store, text, title="Exits", engine=engine, created_by="rita", segment_mode="line"
    )
    other = drafting.create_document(
        store, "\n".join(ko[40:]), title="Other", engine=engine, created_by="rita",
        segment_mode="line",
    )  # fmt: skip
    return doc, other


class Slots:
    """Hands each try its own segment of the article (numbers from 1)."""

    def __init__(self) -> None:
        self.next = 0

    def take(self) -> int:
        self.next += 1
        return self.next


def running_desk(browser, tmp: Path, model: Path, store, db_url: str | None, log: str):
    doc, other = fill_store(store)
    started, proc = start_desk(tmp, model, db_url=db_url, log_name=log)
    state = signed_in_state(browser, started.url, "rita", PASSWORD)
    desk = ExitDesk(
        started.url, store, started.log, doc, "Exits", other, "Other", "rita", state, tmp
    )
    return desk, proc


@pytest.fixture(scope="module")
def report() -> Iterator[list[Outcome]]:
    """Every try's outcome; printed as a table and written as JSON at the end."""
    seen: list[Outcome] = []
    yield seen
    if not seen:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    rows = [{k: v for k, v in asdict(o).items() if k != "evidence"} for o in seen]
    (ARTIFACTS / "exit_paths.json").write_text(json.dumps(rows, indent=1) + "\n")
    print("\nexit paths: backend path delay_ms left_s back_s held_s asked")
    for o, row in zip(seen, rows, strict=True):
        print(
            f"  {row['backend']:<10} {o.path:<12} {o.delay_ms:>4} {o.left_s} {o.back_s} "
            f"{o.held_s} {','.join(o.asked) or '-'}"
        )


@pytest.fixture(scope="module")
def sqlite_desk(browser, tmp_path_factory, tiny_model_dir) -> Iterator[tuple[ExitDesk, Slots]]:
    tmp = tmp_path_factory.mktemp("exits-sqlite")
    store = repo.open_store(f"sqlite:///{tmp / 'desk.db'}")
    desk, proc = running_desk(browser, tmp, tiny_model_dir, store, None, "server.log")
    yield desk, Slots()
    proc.terminate()
    proc.wait(timeout=20)
    store.close()


@pytest.fixture(scope="module")
def pg_desk(browser, tmp_path_factory, tiny_model_dir) -> Iterator[tuple[ExitDesk, Slots]]:
    base = require_postgres()
    from sqlalchemy import create_engine, text

    from mt.store.db import normalise_url

    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    schema = f"td_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(base, schema)
    tmp = tmp_path_factory.mktemp("exits-pg")
    store = repo.open_store(url)
    try:
        desk, proc = running_desk(browser, tmp, tiny_model_dir, store, url, "server-pg.log")
        yield desk, Slots()
        proc.terminate()
        proc.wait(timeout=20)
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- tests ----------------------------------------------------------------------------------


def judge(out: Outcome, backend: str, report: list[Outcome]) -> None:
    """Record the try, then assert nothing was lost, with what the page and server held."""
    out.backend = backend
    report.append(out)
    where = f"segment {out.n}" + (f", {out.detail}" if out.detail else "")
    print(
        f"{backend} {out.path} {out.delay_ms} ms ({where}): left {out.left_s} s, "
        f"box {out.back_s} s, server {out.held_s} s, asked {out.asked}"
    )
    evidence = json.dumps(out.evidence, indent=1, default=str)[:6000]
    assert out.typed, f"the try failed before the text was typed: {evidence}"
    assert not out.wrong_rows, f"the grid showed the wrong article's rows: {evidence}"
    assert out.shown, f"the box did not show {out.text!r} (marked unsaved) on return: {evidence}"
    assert out.held, f"the server did not hold {out.text!r} within {HELD_WITHIN_S} s: {evidence}"


@pytest.mark.parametrize("delay_ms", DELAYS_MS)
@pytest.mark.parametrize("path", EXIT_PATHS)
def test_nothing_lost_sqlite(browser, sqlite_desk, report, path, delay_ms):
    desk, slots = sqlite_desk
    i = DELAYS_MS.index(delay_ms)
    judge(exit_try(browser, desk, path, delay_ms, slots.take(), i), "sqlite", report)


@pytest.mark.postgres
@pytest.mark.parametrize("delay_ms", DELAYS_MS)
@pytest.mark.parametrize("path", ["navigation", "address", "reload"])
def test_nothing_lost_postgresql(browser, pg_desk, report, path, delay_ms):
    desk, slots = pg_desk
    i = DELAYS_MS.index(delay_ms)
    judge(exit_try(browser, desk, path, delay_ms, slots.take(), i), "postgresql", report)


def test_no_question_when_the_server_holds_everything(browser, sqlite_desk):
    desk, slots = sqlite_desk
    n = slots.take()
    seg = repo.list_segments(desk.store, desk.doc, offset=n - 1, limit=1)[0]
    asked: list[str] = []
    ctx = new_context(browser, desk)
    try:
        page = ctx.new_page()
        watch_dialogs(page, asked)
        open_row(page, desk, n)
        text = f"Held before the reload {uuid.uuid4().hex[:6]}."
        type_text(page, text)
        wait_js(
            page,
            "(t) => window.__tdGrid.held.get(window.__tdGrid.active) === t",
            text,
            "the server never acknowledged the unsaved copy",
            timeout=15_000,
        )
        assert server_copy(desk, seg.id) == text
        page.reload()
        wait_grid(page, desk, desk.doc)
        to_row(page, n)
        assert shows(page, n, text), f"after the reload: {grid_fields(page)}"
        assert "beforeunload" not in asked, f"'Leave site?' was asked with nothing unsent: {asked}"
    finally:
        ctx.close()


def test_picker_shows_the_article_and_keeps_what_is_typed(browser, sqlite_desk):
    """Another article in the picker: the grid shows that article's rows, and what is typed
    next in the box with the caret is kept by the server as the editor's unsaved copy."""
    desk, slots = sqlite_desk
    n = slots.take()
    ctx = new_context(browser, desk)
    try:
        page = ctx.new_page()
        watch_dialogs(page, [])
        open_row(page, desk, n)
        pick(page, desk.other_title)
        wait_js(
            page,
            "(doc) => { const g = window.__tdGrid; return g && g.doc === doc && !!g.box() }",
            desk.other,
            f"the picker never opened article {desk.other}",
        )
        wait_idle(page)
        shown = page.evaluate("() => window.__tdGrid.rows.slice(0, 3).map((r) => r.id)")
        box(page).click()  # the caret back in the box (the picker had it)
        text = f"Typed after the picker {uuid.uuid4().hex[:6]}."
        type_text(page, text)
        time.sleep(2)  # past the 1 s unsaved-copy delay
        typed = grid_fields(page)
        kept = [w.text for w in list_wip(desk.store, None, editor=desk.editor).values()]
        assert shown[0] == desk.first[desk.other] and text in kept, (
            f"article {desk.other} (first segment id {desk.first[desk.other]}) open in the "
            f"picker, the grid showed rows {shown}...; after typing: {typed}; the server kept "
            f"{text in kept}"
        )
    finally:
        ctx.close()
