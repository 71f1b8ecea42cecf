"""Editor page: the whole article as a keyboard-driven grid, the active segment's aids beside it.

The grid (`ui.grid`, a browser component) owns typing and the keyboard; saving, approving and
the work-in-progress copy go through `mt.editing`. The aids of the active segment are Streamlit
widgets, drawn by the functions in `AIDS` in order: to add one (a provenance label, a QA
finding with a one-key accept, ...), write `def my_aid(ctx: AidContext) -> None` and add it to
`AIDS`. Deep links: `/editor?doc=ID&seg=N` opens article ID with the caret in segment N's box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from mt import store as repo
from mt.aids import SegmentAids, segment_aids
from mt.confidence import LOW_SCORE, LOW_SHARE
from mt.errors import NotFound, PermissionDenied, TransdeskError
from mt.models.provenance import model_label
from mt.store.drafts_wip import get_wip
from mt.textdiff import changed_words, diff_words
from ui import auth, downloads, grid, state
from ui import components as ui
from ui.params import int_param


@dataclass(frozen=True)
class AidContext:
    """What an aid gets: the store, who is editing, the active segment and its number, the text
    in its box as the server knows it (saved, or this editor's unsaved copy) and the aids."""

    store: repo.Store
    identity: auth.Identity
    ses: grid.GridSession
    segment: repo.SegmentView
    number: int
    text: str
    aids: SegmentAids


# --- aids ---------------------------------------------------------------------------------------


def aid_header(ctx: AidContext) -> None:
    seg = ctx.segment
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**Segment {ctx.number}**")
        ui.status_badge(seg.status)
        if ctx.aids.low_confidence:
            st.badge("Low-confidence draft", icon=":material/warning:", color="red")
    parts = [f"paragraph {seg.paragraph + 1}", f"version {seg.version}"]
    if seg.updated_by and seg.updated_at:
        parts.append(f"last change {ui.when(seg.updated_at)} by {ui.md_literal(seg.updated_by)}")
    st.caption(" · ".join(parts))
    if ctx.text != seg.target:
        st.caption("Your unsaved text is kept (only you see it) until you save.")


def aid_source_and_draft(ctx: AidContext) -> None:
    seg = ctx.segment
    ui.label("Korean source (glossary terms marked)")
    ui.source_with_terms(seg.source, ctx.aids.terms)
    if seg.draft is not None and seg.draft.origin == "tm":
        ui.label("Translation memory · exact match, reused without MT")
    elif seg.draft is not None and seg.draft.origin == "scratch":
        ui.label("No MT draft · translate this segment from scratch")
    else:
        model = model_label(seg.draft.model_id, seg.draft.revision) if seg.draft else "no draft"
        ui.label(f"MT draft · {ui.md_literal(model)}")
    ui.text_block(seg.draft.text if seg.draft else "", empty="(no MT draft)")
    if ctx.aids.low_confidence and ctx.aids.score is not None:
        st.caption(
            f"Model score {ctx.aids.score:.2f} (mean log-probability per token) is among this "
            f"article's lowest {LOW_SHARE:.0%} or below {LOW_SCORE}: check this draft closely."
        )


def aid_tm(ctx: AidContext) -> None:
    if not ctx.aids.tm_matches:
        return
    with st.expander(f"Translation memory ({len(ctx.aids.tm_matches)})", expanded=True):
        for match in ctx.aids.tm_matches:
            st.html(ui.tm_match_html(match))
            st.button(
                "Use this translation",
                key=f"use_tm_{match.entry.id}",
                on_click=grid.put_text,
                args=(ctx.ses, ctx.segment.id, match.target),
                type="tertiary",
                icon=":material/content_paste:",
            )


def aid_qa(ctx: AidContext) -> None:
    ui.label("QA checks (of the saved text, or of your unsaved copy)")
    st.html(ui.findings_html(ctx.aids.findings))


def aid_established_forms(ctx: AidContext) -> None:
    """A button per consistency finding with the article's or the desk's established form (the
    first also on Alt+E in the box), and news-style spellings of names with no form yet."""
    text = ctx.text or ""
    offers = [
        f
        for f in ctx.aids.findings
        if f.check == "consistency" and f.suggestion and f.span and f.span[1] <= len(text)
    ]
    first = None
    for n, finding in enumerate(offers):
        start, end = finding.span  # type: ignore[misc]
        old, new = text[start:end], finding.suggestion or ""
        if n == 0:
            first = {"seg": ctx.segment.id, "start": start, "old": old, "new": new}
        st.button(
            f"Use '{ui.md_literal(old)}' → '{ui.md_literal(new)}'" + (" (Alt+E)" if n == 0 else ""),
            key=f"accept_form_{n}",
            on_click=grid.put_text,
            args=(ctx.ses, ctx.segment.id, text[:start] + new + text[end:]),
            type="tertiary",
            icon=":material/spellcheck:",
            help="Put the established form in the box (saved when you save)",
        )
    if ctx.aids.names:
        spelled = ", ".join(f"{n.korean} → {n.english}" for n in ctx.aids.names)
        st.caption(f"News-style spelling (no established form yet): {ui.md_literal(spelled)}")
    if grid.offer(ctx.ses, first):
        _redraw()  # the grid learns the Alt+E offer at once


def _redraw() -> None:
    """Run the workspace again: the fragment alone during its own reruns, else the page."""
    from streamlit.errors import StreamlitAPIException

    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:
        st.rerun()


def aid_diff(ctx: AidContext) -> None:
    draft = ctx.segment.draft.text if ctx.segment.draft else ""
    ops = diff_words(draft, ctx.text or "")
    removed, added = changed_words(ops)
    if removed or added:
        ui.label(f"Changes from the MT draft: {removed} removed, {added} added (words)")
        ui.diff_view(ops)
    elif ctx.segment.draft is not None:
        ui.label("No changes from the MT draft.")


def aid_comments(ctx: AidContext) -> None:
    seg = ctx.segment
    with st.expander(f"Comments ({seg.comments})", expanded=seg.comments > 0):
        for comment in repo.list_comments(ctx.store, seg.id) if seg.comments else []:
            st.caption(f"{ui.md_literal(comment.editor)} · {ui.when(comment.created_at)}")
            ui.text_block(comment.text)
        st.text_input("New comment", key="new_comment", placeholder="A note for the reviewer")
        st.button("Add comment", key="add_comment", on_click=_comment, args=(seg.id,))


AIDS: list[Callable[[AidContext], None]] = [
    aid_header,
    aid_source_and_draft,
    aid_tm,
    aid_qa,
    aid_established_forms,
    aid_diff,
    aid_comments,
]


def _comment(segment_id: int) -> None:
    text = (st.session_state.get("new_comment") or "").strip()
    if not text:
        return
    try:
        repo.add_comment(state.store(), segment_id, text, editor=auth.current().name)
        st.session_state["new_comment"] = ""
        st.toast("Comment added.")
    except TransdeskError as e:
        ui.message("toast", f"Comment not added: {e}")


# --- page ---------------------------------------------------------------------------------------


def _choose_document() -> None:
    chosen = st.session_state.get("editor_doc_choice")
    if chosen is not None:
        st.query_params.clear()
        st.query_params["doc"] = str(chosen)


def _pick_document(store: repo.Store) -> repo.DocumentSummary | None:
    docs = repo.list_documents(store)
    if not docs:
        st.info("No articles yet. Add one on the Documents page.")
        st.page_link("views/documents.py", label="Go to Documents", icon=":material/description:")
        return None
    wanted = int_param("doc")
    ids = [d.id for d in docs]
    doc_id = wanted if wanted in ids else None
    if doc_id is None:
        if wanted is not None:
            ui.message("warning", f"There is no article {wanted}; showing the newest one.")
        kept = st.session_state.get("transdesk_grid")
        doc_id = (
            kept.doc_id if isinstance(kept, grid.GridSession) and kept.doc_id in ids else ids[0]
        )
    st.query_params["doc"] = str(doc_id)
    titles = {d.id: f"{d.title} — {d.percent_approved:.0f}% approved" for d in docs}
    st.session_state["editor_doc_choice"] = doc_id
    st.selectbox(
        "Article",
        ids,
        format_func=lambda i: titles[i],
        key="editor_doc_choice",
        on_change=_choose_document,
        label_visibility="collapsed",
    )
    return next(d for d in docs if d.id == doc_id)


def _help() -> None:
    with st.popover("Keyboard", icon=":material/keyboard:"):
        st.markdown("**Editor keyboard** (the caret stays in the English box)")
        st.markdown("\n".join(f"- **{keys}**: {what}" for keys, what in grid.KEYS))
        st.caption(
            "Unsaved text is kept for you alone and comes back after a reload; leaving the page "
            "with unsaved text asks first. Click a row to open it."
        )


def _link_focus(ses: grid.GridSession) -> None:
    """On an article's first drawing, put the caret where a deep link (`seg=N`) points."""
    if ses.extra.get("linked"):
        return
    ses.extra["linked"] = True
    wanted = int_param("seg")
    if wanted is not None:
        grid.focus(ses, number=wanted)


@st.fragment
def _workspace(doc_id: int) -> None:
    """The grid and the active segment's aids: reruns alone when the grid sends something."""
    store = state.store()
    try:
        identity = auth.current()
    except PermissionDenied:
        # The sign-in ended elsewhere (sign-out in another tab, expiry, a removed account): the
        # whole app runs again and shows the sign-in form; the unsaved text waits in the browser.
        st.rerun()
        raise
    ses = grid.grid_session(doc_id)
    left, right = st.columns([5, 3], gap="medium")
    with left:
        start = repo.next_segment(store, doc_id, after_position=-1)
        if start is None:
            start = next(iter(repo.list_segments(store, doc_id, limit=1)), None)
        if start is None:
            st.info("This article has no segments.")
            return
        active = grid.grid(store, ses, identity, start=start.id)
    with right, st.container(height=720, border=False, key="segment_aids"):
        _aids(store, identity, ses, active or start.id)


def _aids(store: repo.Store, identity: auth.Identity, ses: grid.GridSession, seg_id: int) -> None:
    try:
        seg = repo.get_segment(store, seg_id)
        first = repo.list_segments(store, seg.document_id, limit=1)[0]
        wip = get_wip(store, seg.id, editor=identity.name)
        text = wip.text if wip is not None else seg.target
        ctx = AidContext(
            store,
            identity,
            ses,
            seg,
            seg.position - first.position + 1,
            text,
            segment_aids(store, seg, text=text),
        )
        if seg.draft is not None and seg.draft.is_test_model:
            ui.test_model_warning(model_label(seg.draft.model_id, seg.draft.revision))
        for aid in AIDS:
            aid(ctx)
    except NotFound:
        st.info("Pick a segment in the grid.")
    except TransdeskError as e:
        ui.error(str(e))


def main() -> None:
    """Render the editor page."""
    store = state.store()
    auth.page_identity()
    try:
        top = st.columns([6, 1], vertical_alignment="center")
        with top[0]:
            doc = _pick_document(store)
        if doc is None:
            return
        with top[1]:
            _help()
        ses = grid.grid_session(doc.id)
        _link_focus(ses)
        _workspace(doc.id)
        downloads.article_section(store, doc)
    except TransdeskError as e:
        ui.error(str(e))


main()
