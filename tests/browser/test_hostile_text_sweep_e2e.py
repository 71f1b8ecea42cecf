"""Person-supplied text is never interpreted on any page, in Chromium (#25, item 10).

Account names (the admin signed in, the editor the article is assigned to, a reviewer typing in
it), the title, the file name, article text, drafts, saves, a comment, glossary terms and
notes, and a workflow note all hold a Markdown image and link, a raw `<img>`, a
`:material/…:` shortcode and LaTeX, every URL pointing at a tiny HTTP server on a free port
that counts the requests it gets. The sign-in page (a hostile name typed, a wrong password),
Documents, Editor, Copy desk (its box open), Reports and Settings are visited; no request may
reach that server, and the strings show as the characters they are. A probe first proves that
the browser does reach the server when a page really holds such an image."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.store import presence
from mt.store import workflow as wf
from mt.termbase import import_glossary
from tests.browser.conftest import start_desk, wait_idle
from tests.browser.test_grid_e2e import new_page
from tests.store.conftest import TableEngine

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long enough password"


class Leak:
    """An HTTP server on a free port that answers 404 and remembers every path asked for."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_error(404)

            def log_message(self, *args) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def leak() -> Iterator[Leak]:
    server = Leak()
    yield server
    server.close()


def hostile(host: str, what: str) -> str:
    """Markdown image and link, raw HTML image, an icon shortcode and LaTeX, tagged `what`."""
    return (
        f"{what} ![i](http://{host}/{what}-md.png) [l](http://{host}/{what}-link) "
        f"<img src=http://{host}/{what}-html.png> :material/home: $x^2$"
    )


@pytest.fixture
def desk(tmp_path, tiny_model_dir, leak):
    h = leak.host
    names = {
        "admin": hostile(h, "adm"),
        "editor": hostile(h, "eddie"),
        "reviewer": hostile(h, "rita"),
    }
    texts = {k: hostile(h, k) for k in ("title", "draft", "saved", "revised", "comment", "note")}
    term_en = f"Seoul ![g](http://{h}/term.png) :material/home:"
    store = repo.open_store(f"sqlite:///{tmp_path / 'desk.db'}")
    for role, name in names.items():
        repo.add_user(store, name, role=role, password=PASSWORD)
    csv = f'ko,en,note\n서울,"{term_en}","{hostile(h, "gnote")}"\n'
    import_glossary(store, "glossary.csv", data=csv.encode(), by=names["admin"])
    lines = ["서울시는 버스 요금을 올린다.", f"시민들은 {hostile(h, 'source')} 말했다."]
    doc = drafting.create_document(
        store, "\n".join(lines), title=texts["title"], created_by=names["admin"],
        engine=TableEngine("table", {lines[0]: texts["draft"]}), segment_mode="line",
        filename=f"{hostile(h, 'file')[:60]}.txt",
    )  # fmt: skip
    first, _second = repo.list_segments(store, doc)
    revising.save_segment(store, first.id, texts["saved"], editor=names["editor"],
                          base_version=first.version)  # fmt: skip
    after = repo.get_segment(store, first.id)
    revising.save_segment(store, first.id, texts["revised"], editor=names["reviewer"],
                          base_version=after.version)  # fmt: skip
    repo.add_comment(store, first.id, texts["comment"], editor=names["editor"])
    wf.assign(store, doc, names["editor"], by=names["admin"])
    wf.set_state(store, doc, "review", by=names["admin"], note=texts["note"])
    running, proc = start_desk(tmp_path, tiny_model_dir)
    running.store, running.doc, running.names, running.texts = store, doc, names, texts
    running.first = first
    yield running
    proc.terminate()
    proc.wait(timeout=20)
    store.close()


def settle(page, leak: Leak) -> str:
    """Wait for the app to finish and for anything it loads; the page's visible text."""
    wait_idle(page)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    return page.inner_text("body")


def assert_no_leak(leak: Leak, where: str) -> None:
    assert leak.hits == [], f"{where}: the browser fetched {leak.hits}"


def assert_literal(body: str, text: str, where: str) -> None:
    """`text` shows as typed: its Markdown, tag, shortcode and LaTeX are all characters."""
    assert text in body, f"{where}: {text!r} is not shown as typed"


def shot(page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_no_page_interprets_person_supplied_text(browser, desk, leak, artifacts):
    page = new_page(browser)
    # The probe: the same image, really on a page, reaches the server.
    page.set_content(f'<img src="http://{leak.host}/probe.png">')
    page.wait_for_load_state("networkidle")
    assert leak.hits == ["/probe.png"], leak.hits
    leak.hits.clear()
    names, texts = desk.names, desk.texts

    # Sign-in: a hostile name with a wrong password, then the admin (a hostile name) signs in.
    page.goto(desk.url)
    wait_idle(page)
    page.get_by_role("textbox", name="Name").fill(names["editor"])
    page.get_by_role("textbox", name="Password").fill("wrong password here")
    page.keyboard.press("Enter")
    page.get_by_text("Wrong name or password.").wait_for()
    settle(page, leak)
    assert_no_leak(leak, "sign-in")
    page.get_by_role("textbox", name="Name").fill(names["admin"])
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("Signed in as").wait_for()
    body = settle(page, leak)
    shot(page, artifacts, "1-documents")
    assert_no_leak(leak, "documents")
    assert_literal(body, f"Signed in as {names['admin']}", "the user bar")
    assert_literal(body, texts["title"], "documents")
    assert_literal(body, names["editor"], "documents (assignee)")

    page.goto(f"{desk.url}/editor?doc={desk.doc}&seg=1")
    page.get_by_role("textbox", name="English", exact=True).first.wait_for()
    body = settle(page, leak)
    shot(page, artifacts, "2-editor")
    assert_no_leak(leak, "editor")
    assert_literal(body, texts["comment"], "editor (comment)")
    assert_literal(body, names["editor"], "editor (comment's author)")
    assert_literal(body, texts["draft"], "editor (MT draft)")

    # The copy desk, with the reviewer typing in segment 1 and the admin's box open on it.
    presence.heartbeat(desk.store, "rita-tab", desk.doc, editor=names["reviewer"],
                       segment_id=desk.first.id, typing=True)  # fmt: skip
    page.goto(f"{desk.url}/copydesk?doc={desk.doc}")
    page.get_by_role("heading", name="Copy desk").wait_for()
    wait_idle(page)
    page.locator(".st-key-copydesk_pick input").focus()
    page.keyboard.type("1.")
    page.keyboard.press("Enter")
    page.get_by_role("textbox", name="Reviewer's text").wait_for()
    body = settle(page, leak)
    shot(page, artifacts, "3-copydesk")
    assert_no_leak(leak, "copy desk")
    assert_literal(body, f"Assignee: {names['editor']} ·", "copy desk (assignee)")
    assert_literal(body, f"{names['reviewer']} typing here", "copy desk (typing)")
    assert_literal(body, f"({names['reviewer']})", "copy desk (reviewer's layer)")

    page.goto(f"{desk.url}/reports")
    page.get_by_role("heading", name="Reports").wait_for()
    settle(page, leak)
    shot(page, artifacts, "4-reports")
    assert_no_leak(leak, "reports")

    page.goto(f"{desk.url}/settings")
    page.get_by_role("heading", name="Settings").wait_for()
    settle(page, leak)
    page.get_by_text("Change a role").click()
    body = settle(page, leak)
    shot(page, artifacts, "5-settings")
    assert_no_leak(leak, "settings")
    for name in names.values():
        assert_literal(body, name, "settings (a role's label)")
