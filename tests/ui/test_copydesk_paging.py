"""The copy desk shows a long article's tracked changes a page at a time (#25, item 17): 200
segments per page, read from the store a page at a time (`copy_desk_layers(offset, limit)`),
with Previous / page number / Next; the box lists the page's segments and keeps one open while
another page is shown. AppTest and the store, on SQLite and PostgreSQL; no model."""

from __future__ import annotations

import re

import pytest

from mt import revising
from mt import store as repo
from mt.store.documents import NewDraft, insert_document
from mt.store.layers import copy_desk_layers
from mt.types import SourceSegment
from tests.ui.conftest import new_app
from ui.views.copydesk import PAGE_SIZE

pytestmark = pytest.mark.slow

N = 450  # pages of 200, 200 and 50


def long_article(store, n: int = N) -> int:
    """An article of `n` one-line paragraphs with MT drafts, stored directly; every 7th
    segment saved once more by an editor, so the layers differ."""
    repo.ensure_editor(store, "desk", role="admin")
    source = [SourceSegment(f"문장 {i}번입니다.", i, "\n\n" if i else "") for i in range(n)]
    drafts = [NewDraft(f"Sentence {i}.", "mt", "table", "table-model") for i in range(n)]
    doc = insert_document(store, title="Long", created_by="desk", segments=source,
                          trailing="\n", drafts=drafts, model_id="table-model")  # fmt: skip
    for seg in repo.list_segments(store, doc)[::7]:
        revising.save_segment(store, seg.id, f"Edited sentence {seg.position}.", editor="desk",
                              base_version=seg.version, findings=[])  # fmt: skip
    return doc


def test_a_page_of_layers_is_the_slice_of_all_of_them(store):
    doc = long_article(store, 230)
    everything = copy_desk_layers(store, doc)
    assert len(everything) == 230
    assert copy_desk_layers(store, doc, offset=0, limit=100) == everything[:100]
    assert copy_desk_layers(store, doc, offset=200, limit=100) == everything[200:]
    assert copy_desk_layers(store, doc, offset=300, limit=100) == []
    edited = copy_desk_layers(store, doc, offset=7, limit=1)[0]  # saved by desk, an admin
    assert (edited.position, edited.mt, edited.reviewer_text, edited.reviewer) == (
        7,
        "Sentence 7.",
        "Edited sentence 7.",
        "desk",
    )


def rows(at) -> list[int]:
    """The segment numbers drawn in the tracked changes."""
    body = "\n".join(h.proto.body for h in at.get("html") if "td-copydesk" in h.proto.body)
    return [int(n) for n in re.findall(r'class="td-layers".*?<b>(\d+)\.</b>', body)]


def caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Segments "))


def test_the_copy_desk_pages_through_a_long_article(store):
    doc = long_article(store)
    at = new_app()
    at.query_params["doc"] = str(doc)
    at.run()
    at.switch_page("views/copydesk.py").run()
    assert not at.exception, at.exception
    assert rows(at) == list(range(1, PAGE_SIZE + 1))
    assert caption(at) == "Segments 1–200 of 450"
    assert at.button(key="copydesk_prev_top").disabled
    pick = at.selectbox(key="copydesk_pick")
    assert len(pick.options) == PAGE_SIZE + 1  # "(reading only)" and the page's segments
    # open segment 5 in the box, type, then go to the next page: the box keeps it
    seg5 = repo.list_segments(store, doc, offset=4, limit=1)[0]
    pick.set_value(seg5.id).run()
    at.text_area(key=f"copydesk_text_{seg5.id}").input("Kept while paging.").run()
    at.button(key="copydesk_next_top").click().run()
    assert not at.exception, at.exception
    assert rows(at) == list(range(201, 401))
    assert caption(at) == "Segments 201–400 of 450"
    assert at.number_input(key=f"copydesk_page_{doc}").value == 2
    assert at.selectbox(key="copydesk_pick").value == seg5.id
    assert at.text_area(key=f"copydesk_text_{seg5.id}").value == "Kept while paging."
    assert len(at.selectbox(key="copydesk_pick").options) == PAGE_SIZE + 2
    # the bottom Next, then the last page: 50 rows, Next disabled
    at.button(key="copydesk_next_bottom").click().run()
    assert rows(at) == list(range(401, 451))
    assert at.button(key="copydesk_next_top").disabled
    assert at.button(key="copydesk_next_bottom").disabled
    # a page number typed in
    at.number_input(key=f"copydesk_page_{doc}").set_value(1).run()
    assert rows(at) == list(range(1, 201))
    # the box's save still goes through, from the page it was opened on
    at.button(key="copydesk_save").click().run()
    assert repo.get_segment(store, seg5.id).target == "Kept while paging."


def test_a_short_article_has_no_pager(store):
    doc = long_article(store, 12)
    at = new_app()
    at.query_params["doc"] = str(doc)
    at.run()
    at.switch_page("views/copydesk.py").run()
    assert not at.exception, at.exception
    assert rows(at) == list(range(1, 13))
    assert not [b for b in at.button if b.key and b.key.startswith("copydesk_next")]
