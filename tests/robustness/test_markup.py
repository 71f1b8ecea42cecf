"""No user-supplied string becomes a link, an image or HTML anywhere in the web app (#13, item 10).

Names, titles, article text, comments, glossary terms and file names are filled with Markdown
links, images, raw `<a>`/`<img>` tags and bare URLs (which GitHub-flavoured Markdown, as
Streamlit renders it, turns into links). Every page is walked, and the messages that repeat
such strings (a role change, a term removed, an upload refused) are triggered; every piece of
Markdown the app sends is then rendered with a CommonMark renderer, and every `st.html` body is
read as it is, and neither may hold an `<a>` or `<img>` pointing at the hostile host.
"""

from __future__ import annotations

import re

import pytest

from mt import drafting, revising
from mt import store as repo
from mt.termbase import import_glossary
from tests.robustness.cases import ROOT

pytestmark = pytest.mark.slow

APP = ROOT / "ui" / "app.py"
HOST = "evil.example"
HOSTILE = (
    f"[x](http://{HOST}/a) ![i](http://{HOST}/i.png) <a href='http://{HOST}/h'>h</a> "
    f"<img src='http://{HOST}/j.png'> http://{HOST}/bare www.{HOST} :red[red]"
)
NAME = f"[kim](http://{HOST}/n) ![p](http://{HOST}/p.png) http://{HOST}/u"
TERM = f"서울[x](http://{HOST}/t)"
MARKDOWN_KINDS = ("markdown", "caption", "error", "success", "info", "warning", "title",
                  "header", "subheader", "toast")  # fmt: skip
LABELLED_KINDS = ("button", "selectbox", "text_input", "text_area", "toggle", "radio",
                  "number_input", "file_uploader", "expander", "tab", "checkbox",
                  "form_submit_button", "download_button", "multiselect")  # fmt: skip
LINK = re.compile(r"<(a|img)\b[^>]*" + re.escape(HOST), re.IGNORECASE)


def _markdown_sent(at) -> list[str]:
    """Every Markdown string of the page: message bodies and widget labels."""
    sent = []
    for kind in MARKDOWN_KINDS:
        sent += [str(getattr(e, "value", "") or "") for e in at.get(kind)]
    for kind in LABELLED_KINDS:
        sent += [str(getattr(e, "label", "") or "") for e in at.get(kind)]
    return sent


def _links(at) -> list[str]:
    """`<a>`/`<img>` elements at the hostile host, as the browser would get them."""
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark").render  # raw HTML on, as unsafe_allow_html would be
    found = []
    for source in _markdown_sent(at):
        found += LINK.findall(render(source))
        # GFM autolinks bare URLs; an escaped one ("http\:\/\/…") is text.
        if f"://{HOST}" in source or f"www.{HOST}" in source:
            found.append(f"bare URL in {source!r}")
    found += LINK.findall("\n".join(h.proto.body for h in at.get("html")))
    return found


@pytest.fixture
def hostile_desk(store_url, tiny_model_dir, monkeypatch):
    """A single-user desk whose every name, title, text, comment and term is hostile."""
    monkeypatch.setenv("TRANSDESK_DB", store_url)
    monkeypatch.setenv("TRANSDESK_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("TRANSDESK_USER", NAME)
    monkeypatch.delenv("TRANSDESK_MAX_UPLOAD_MB", raising=False)
    store = repo.open_store(store_url)
    csv = f"ko,en,note\n{TERM},{HOSTILE.replace(',', ' ')},{HOSTILE.replace(',', ' ')}\n"
    import_glossary(store, f"{HOSTILE[:40]}.csv", data=csv.encode())
    doc = drafting.create_document(
        store, f"{TERM} 시장은 {HOSTILE}\n\n부산은 흐리다.", title=HOSTILE, engine=None,
        created_by=NAME, segment_mode="line", filename=f"{HOSTILE[:60]}.txt",
    )  # fmt: skip
    seg = repo.list_segments(store, doc)[0]
    revising.save_segment(store, seg.id, HOSTILE, editor=NAME, base_version=seg.version)
    repo.add_comment(store, seg.id, HOSTILE, editor=NAME)
    repo.ensure_editor(store, f"lee {HOST}/x?[y](http://{HOST}/r)")
    yield store, doc
    store.close()


def _app(doc: int | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    if doc is not None:
        at.query_params["doc"] = str(doc)
    return at.run()


@pytest.mark.parametrize("page", ["documents", "editor", "reports", "settings"])
def test_no_page_turns_a_stored_string_into_a_link(hostile_desk, page):
    _store, doc = hostile_desk
    at = _app(doc)
    if page != "documents":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    if page == "editor":
        at.toggle(key="article_preview").set_value(True).run()
    assert _links(at) == []
    # The strings are there, as text: hiding them would pass this test too.
    shown = "\n".join(_markdown_sent(at)) + "\n".join(h.proto.body for h in at.get("html"))
    assert HOST in shown.replace("\\", "") or page == "reports"


def test_messages_that_repeat_names_and_terms_stay_text(hostile_desk):
    store, _ = hostile_desk
    at = _app()
    at.switch_page("views/settings.py").run()
    # A role change repeats the person's name; removing a term repeats the term.
    other = next(u.name for u in repo.list_users(store) if u.name.startswith("lee"))
    at.selectbox(key=f"role_{other}").set_value("reviewer").run()
    assert any("is now reviewer" in s.value.replace("\\", "") for s in at.success)
    assert _links(at) == []
    at.selectbox(key="glossary_delete_choice").set_value(TERM)
    next(b for b in at.button if b.label == "Remove term").click().run()
    assert any("Removed" in s.value for s in at.success)
    assert _links(at) == []
    # A refused upload repeats its file name in the error.
    at.file_uploader(key="glossary_upload").set_value(
        (f"[f](http://{HOST}/f).csv", b"a,b\n1,2\n", "text/csv")
    )
    next(b for b in at.button if b.label == "Import glossary").click().run()
    assert at.error and _links(at) == []
    at.switch_page("views/documents.py").run()
    at.file_uploader(key="new_upload").set_value(
        (f"![x](http://{HOST}/x.png).txt", b"\x00\x01binary", "text/plain")
    )
    next(b for b in at.get("form_submit_button") if b.label == "Translate").click().run()
    assert at.error and _links(at) == []
