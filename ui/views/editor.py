"""Editor page: one article as segments; the active segment is revised, saved and approved."""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from mt import store as repo
from mt.aids import SegmentAids, segment_aids
from mt.confidence import LOW_SCORE, LOW_SHARE
from mt.errors import ConflictError, NotFound, TransdeskError
from mt.models.provenance import model_label
from mt.textdiff import changed_words, diff_words
from mt.timing import SegmentClock, utcnow
from ui import auth, downloads, state
from ui import components as ui
from ui.state import Conflict, EditorSession

PAGE_SIZE = 20
SHORTCUTS = {
    "save": "Ctrl+S",
    "save_next": "Ctrl+Enter",
    "approve": "Alt+A",
    "previous": "Alt+Up",
    "next": "Alt+Down",
    "next_unapproved": "Alt+N",
    "accept_form": "Alt+E",
}


def _session() -> EditorSession:
    return state.editor_session()


def _text_key(ses: EditorSession) -> str:
    return f"english_{ses.segment_id}_{ses.base_version}_{ses.text_nonce}"


def _flash(kind: str, message: str) -> None:
    _session().messages.append((kind, message))


# --- moving between segments ----------------------------------------------------------------


def _page_is_stale(ses: EditorSession) -> bool:
    return ses.redraw_page or ses.segment_id != ses.drawn_segment


def _then_redraw(callback: Callable[..., None]) -> Callable[..., None]:
    """A button callback that redraws the whole page when it moved to another segment.

    Buttons inside a fragment rerun only their fragment; `st.rerun()` from the callback turns
    that into one full run (the list and progress bar follow) rather than two.
    """

    @functools.wraps(callback)
    def run(*args: object, **kwargs: object) -> None:
        callback(*args, **kwargs)
        if _page_is_stale(_session()):
            st.rerun()

    return run


def _open(segment_id: int) -> repo.SegmentView:
    """Make `segment_id` the active segment: log the opening and start its clock."""
    ses = _session()
    seg = repo.open_segment(state.store(), segment_id, editor=auth.current().name)
    ses.segment_id, ses.base_version = seg.id, seg.version
    ses.clock = SegmentClock(seg.id, utcnow())
    ses.conflict = None
    ses.list_page = (seg.position - ses.first_position) // PAGE_SIZE
    return seg


def _go_to_index(index: int) -> None:
    ses = _session()
    if ses.doc_id is None:
        return
    found = repo.list_segments(state.store(), ses.doc_id, offset=max(index, 0), limit=1)
    if found:
        _open(found[0].id)


@_then_redraw
def _step(delta: int) -> None:
    ses = _session()
    if ses.segment_id is None:
        return
    try:
        seg = repo.get_segment(state.store(), ses.segment_id)
        _go_to_index(seg.position - ses.first_position + delta)
    except TransdeskError as e:
        _flash("error", str(e))


@_then_redraw
def _goto() -> None:
    number = st.session_state.get("goto_segment")
    st.session_state["goto_segment"] = None
    if number:
        try:
            _go_to_index(int(number) - 1)
        except TransdeskError as e:
            _flash("error", str(e))


@_then_redraw
def _next_unapproved() -> None:
    ses = _session()
    store = state.store()
    if ses.doc_id is None or ses.segment_id is None:
        return
    try:
        seg = repo.get_segment(store, ses.segment_id)
        nxt = repo.next_segment(store, ses.doc_id, after_position=seg.position)
        if nxt is None:  # wrap around to the top of the article
            nxt = repo.next_segment(store, ses.doc_id, after_position=ses.first_position - 1)
        if nxt is None:
            _flash("success", "Every segment of this article is approved.")
        elif nxt.id != ses.segment_id:
            _open(nxt.id)
    except TransdeskError as e:
        _flash("error", str(e))


@_then_redraw
def _jump(segment_id: int) -> None:
    try:
        _open(segment_id)
    except TransdeskError as e:
        _flash("error", str(e))


# --- actions ------------------------------------------------------------------------------


@_then_redraw
def _act(kind: str, *, then_next: bool = False) -> None:
    """Save, approve, reopen or revert the active segment against the version it was opened at."""
    ses = _session()
    store = state.store()
    if ses.segment_id is None:
        return
    text = st.session_state.get(_text_key(ses))
    now = utcnow()
    spent = ses.clock.stop(now) if ses.clock and ses.clock.segment_id == ses.segment_id else None
    timing = (
        {"active_ms": spent.active_ms, "idle_ms": spent.idle_ms, "opened_at": spent.opened_at}
        if spent
        else {}
    )
    try:
        identity = auth.current()
        seg = repo.get_segment(store, ses.segment_id)
        if kind == "save":
            auth.require(identity, "edit")
            if text is None or (seg.status == "approved" and text == seg.target):
                view = seg  # nothing to save: an approved segment left as it is
            else:
                view = repo.save_segment(
                    store,
                    seg.id,
                    text,
                    editor=identity.name,
                    base_version=ses.base_version,
                    **timing,
                )
        elif kind == "approve":
            auth.require(identity, "approve")
            view = repo.approve_segment(
                store,
                seg.id,
                editor=identity.name,
                base_version=ses.base_version,
                text=text,
                **timing,
            )
        elif kind == "reopen":
            auth.require(identity, "reopen")
            view = repo.reopen_segment(
                store, seg.id, editor=identity.name, base_version=ses.base_version
            )
        elif kind == "revert":
            auth.require(identity, "edit")
            view = repo.revert_to_mt(
                store, seg.id, editor=identity.name, base_version=ses.base_version
            )
        else:
            raise ValueError(f"unknown action {kind!r}")
    except ConflictError as e:
        current = _safe_segment(ses.segment_id)
        ses.conflict = Conflict(
            ses.segment_id,
            e.current_text,
            e.attempted_text or (text or ""),
            e.current_version,
            current.updated_by if current else None,
        )
        return
    except TransdeskError as e:
        _flash("error", str(e))
        return
    number = view.position - ses.first_position + 1
    done = {"save": "Saved", "approve": "Approved", "reopen": "Reopened", "revert": "Reverted"}
    _flash("toast", f"{done[kind]} segment {number}.")
    if kind in ("approve", "reopen"):
        ses.redraw_page = True  # the progress bar counts approvals
    ses.base_version = view.version
    ses.clock = SegmentClock(view.id, now)
    ses.conflict = None
    if then_next:
        _step(+1)


def _safe_segment(segment_id: int) -> repo.SegmentView | None:
    try:
        return repo.get_segment(state.store(), segment_id)
    except TransdeskError:
        return None


def _resolve(choice: str) -> None:
    """Settle a conflict: keep the stored text, save mine over it, or merge by hand."""
    ses = _session()
    conflict = ses.conflict
    if conflict is None or conflict.segment_id != ses.segment_id:
        ses.conflict = None
        return
    ses.base_version = conflict.current_version
    ses.text_nonce += 1
    ses.conflict = None
    if choice == "theirs":
        _flash("toast", "Kept the saved version; your text was discarded.")
    elif choice == "mine":
        st.session_state[_text_key(ses)] = conflict.attempted_text
        _act("save")
    elif choice == "merge":
        st.session_state[_text_key(ses)] = conflict.attempted_text
        _flash("info", "Your text is in the box, the saved version above it. Save when done.")
        ses.conflict = None
        st.session_state["editor_merge_reference"] = conflict.current_text


def _comment() -> None:
    ses = _session()
    text = (st.session_state.get("new_comment") or "").strip()
    if not text or ses.segment_id is None:
        return
    try:
        repo.add_comment(state.store(), ses.segment_id, text, editor=auth.current().name)
        st.session_state["new_comment"] = ""
        _flash("toast", "Comment added.")
    except TransdeskError as e:
        _flash("error", str(e))


def _choose_document() -> None:
    ses = _session()
    chosen = st.session_state.get("editor_doc_choice")
    if chosen is not None and chosen != ses.doc_id:
        st.session_state["editor_session"] = EditorSession(doc_id=chosen)
        st.query_params["doc"] = str(chosen)


# --- rendering ----------------------------------------------------------------------------


def _pick_document(store: repo.Store, ses: EditorSession) -> repo.DocumentSummary | None:
    wanted = st.query_params.get("doc")
    if wanted and wanted.isdigit() and int(wanted) != ses.doc_id:
        ses = EditorSession(doc_id=int(wanted))
        st.session_state["editor_session"] = ses
    docs = repo.list_documents(store)
    if not docs:
        st.info("No articles yet. Add one on the Documents page.")
        st.page_link("views/documents.py", label="Go to Documents", icon=":material/description:")
        return None
    ids = [d.id for d in docs]
    if ses.doc_id not in ids:
        ses.doc_id = ids[0]
        ses.segment_id = None
    titles = {d.id: f"{d.title} — {d.percent_approved:.0f}% approved" for d in docs}
    st.session_state["editor_doc_choice"] = ses.doc_id
    st.selectbox(
        "Article",
        ids,
        format_func=lambda i: titles[i],
        key="editor_doc_choice",
        on_change=_choose_document,
    )
    st.query_params["doc"] = str(ses.doc_id)
    return next(d for d in docs if d.id == ses.doc_id)


def _progress(doc: repo.DocumentSummary) -> None:
    share = doc.approved / doc.segments if doc.segments else 0.0
    st.progress(
        share,
        text=f"{doc.approved} of {doc.segments} segments approved · {doc.edited} edited",
    )


def _conflict_box(conflict: Conflict) -> None:
    who = conflict.saved_by or "someone else"
    with st.container(border=True, key="conflict_box"):
        st.error(
            f"This segment was changed by {ui.md_literal(who)} while you were editing "
            f"(it is now version {conflict.current_version}). Nothing was overwritten: "
            "choose which text to keep.",
            icon=":material/warning:",
        )
        left, right = st.columns(2)
        with left:
            ui.label(f"Saved version (by {ui.md_literal(who)})")
            ui.text_block(conflict.current_text)
            st.button(
                "Keep the saved version", key="conflict_theirs", on_click=_resolve, args=("theirs",)
            )
        with right:
            ui.label("Your text (not saved)")
            ui.text_block(conflict.attempted_text)
            st.button(
                "Save my text instead",
                key="conflict_mine",
                type="primary",
                on_click=_resolve,
                args=("mine",),
            )
            st.button("Merge by hand", key="conflict_merge", on_click=_resolve, args=("merge",))


@st.fragment
def _segment_box(total: int) -> None:
    """The active segment, rerun on its own for saves and typing (fast on long articles).

    Moving to another segment, approving or reopening draws the whole page again, so the list
    and the progress bar follow.
    """
    ses = _session()
    if _page_is_stale(ses):
        st.rerun(scope="app")
    store, identity = state.store(), auth.page_identity()
    try:
        seg = repo.get_segment(store, ses.segment_id)
        if ses.clock is not None:
            ses.clock.touch(utcnow())
        _show_messages(ses)
        if ses.conflict is not None and ses.conflict.segment_id == seg.id:
            _conflict_box(ses.conflict)
        _active_card(store, identity, ses, seg, total)
    except TransdeskError as e:
        ui.error(str(e))


def _active_card(
    store: repo.Store,
    identity: auth.Identity,
    ses: EditorSession,
    seg: repo.SegmentView,
    total: int,
) -> None:
    number = seg.position - ses.first_position + 1
    key = _text_key(ses)
    aids = segment_aids(store, seg, text=st.session_state.get(key, seg.target))
    with st.container(border=True, key="active_segment"):
        top = st.container(horizontal=True, vertical_alignment="center")
        with top:
            st.markdown(f"**Segment {number} of {total}**")
            ui.status_badge(seg.status)
            if aids.low_confidence:
                st.badge("Low-confidence draft", icon=":material/warning:", color="red")
            st.caption(f"paragraph {seg.paragraph + 1} · version {seg.version}")
            if seg.updated_by and seg.updated_at:
                st.caption(
                    f"last change: {ui.when(seg.updated_at)} by {ui.md_literal(seg.updated_by)}"
                )
        if seg.version != ses.base_version and ses.conflict is None:
            st.warning(
                f"Someone saved this segment after you opened it (now version {seg.version}). "
                "Saving will ask you which text to keep.",
                icon=":material/notifications:",
            )
        source_col, draft_col = st.columns(2)
        with source_col:
            ui.label("Korean source")
            ui.source_with_terms(seg.source, aids.terms)
        with draft_col:
            model = model_label(seg.draft.model_id, seg.draft.revision) if seg.draft else "no draft"
            if seg.draft is not None and seg.draft.origin == "tm":
                ui.label("Translation memory · exact match, reused without MT")
            elif seg.draft is not None and seg.draft.origin == "scratch":
                ui.label("No MT draft · translate this segment from scratch")
            else:
                ui.label(f"MT draft · {ui.md_literal(model)}")
            ui.text_block(seg.draft.text if seg.draft else "", empty="(no MT draft)")
            if aids.low_confidence and aids.score is not None:
                st.caption(
                    f"Model score {aids.score:.2f} (mean log-probability per token) is among "
                    f"this article's lowest {LOW_SHARE:.0%} or below {LOW_SCORE}: check this "
                    "draft closely."
                )
        if aids.tm_matches:
            _tm_matches(aids)
        merge_ref = st.session_state.pop("editor_merge_reference", None)
        if merge_ref is not None:
            ui.label("Saved version, for merging")
            ui.text_block(merge_ref)
        if key not in st.session_state:
            st.session_state[key] = seg.target
        approved_locked = seg.status == "approved" and not identity.can("reopen")
        current = st.text_area(
            "English",
            key=key,
            height=150,
            disabled=approved_locked,
            # Typing never reruns the app: the text travels with the next button press or
            # shortcut, so Ctrl+Enter is one run (save, then next), not a commit run and a
            # button run racing each other.
            on_change="ignore",
            help="Your translation of the Korean sentence. Save with Ctrl+S; "
            "Ctrl+Enter saves and opens the next segment.",
        )
        _buttons(identity, seg, total)
        draft = seg.draft.text if seg.draft else ""
        ops = diff_words(draft, current or "")
        removed, added = changed_words(ops)
        if removed or added:
            ui.label(
                f"Changes from the MT draft, as of your last save: {_plural(removed, 'word')} "
                f"removed, {_plural(added, 'word')} added"
            )
            ui.diff_view(ops)
        elif seg.draft is not None:
            ui.label("No changes from the MT draft.")
        ui.label("QA checks (run again and stored on every save)")
        st.html(ui.findings_html(aids.findings))
        _established_forms(aids, current or "", disabled=approved_locked)
        _comments(store, seg)


def _established_forms(aids: SegmentAids, text: str, *, disabled: bool) -> None:
    """One button per finding that has a suggested form (the first on Alt+E), and news-style
    spellings for names with no established form."""
    offers = [
        f
        for f in aids.findings
        if f.suggestion and f.span and f.span[1] <= len(text) and f.check == "consistency"
    ]
    for n, finding in enumerate(offers):
        start, end = finding.span  # type: ignore[misc]
        st.button(
            f"Use '{text[start:end]}' → '{finding.suggestion}'",
            key=f"accept_form_{n}",
            on_click=_accept_form,
            args=(start, end, text[start:end], finding.suggestion),
            type="tertiary",
            icon=":material/spellcheck:",
            disabled=disabled,
            shortcut=SHORTCUTS["accept_form"] if n == 0 else None,
            help="Replace it with the established form in the box (saved when you save)",
        )
    if aids.names:
        spelled = ", ".join(f"{n.korean} → {n.english}" for n in aids.names)
        st.caption(f"News-style spelling (no established form yet): {spelled}")


def _accept_form(start: int, end: int, old: str, new: str) -> None:
    """Put the established form in place of the variant, if the box still has it there."""
    key = _text_key(_session())
    text = st.session_state.get(key, "")
    if text[start:end] == old:
        st.session_state[key] = text[:start] + new + text[end:]


def _tm_matches(aids: SegmentAids) -> None:
    with st.expander(f"Translation memory ({len(aids.tm_matches)})", expanded=True):
        for match in aids.tm_matches:
            st.html(ui.tm_match_html(match))
            st.button(
                "Use this translation",
                key=f"use_tm_{match.entry.id}",
                on_click=_use_tm,
                args=(match.target,),
                type="tertiary",
                icon=":material/content_paste:",
            )


def _use_tm(text: str) -> None:
    """Put a translation-memory match's English in the box (saved only when the editor saves)."""
    st.session_state[_text_key(_session())] = text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _buttons(identity: auth.Identity, seg: repo.SegmentView, total: int) -> None:
    approved = seg.status == "approved"
    with st.container(horizontal=True, key="segment_actions"):
        st.button(
            "Save",
            key="act_save",
            on_click=_act,
            args=("save",),
            shortcut=SHORTCUTS["save"],
            disabled=approved and not identity.can("reopen"),
        )
        st.button(
            "Save & next",
            key="act_save_next",
            type="primary",
            on_click=_act,
            args=("save",),
            kwargs={"then_next": True},
            shortcut=SHORTCUTS["save_next"],
            disabled=approved and not identity.can("reopen"),
        )
        if identity.can("approve"):
            st.button(
                "Approve",
                key="act_approve",
                on_click=_act,
                args=("approve",),
                shortcut=SHORTCUTS["approve"],
                disabled=approved,
                icon=":material/check:",
            )
        if identity.can("reopen"):
            st.button(
                "Reopen", key="act_reopen", on_click=_act, args=("reopen",), disabled=not approved
            )
        st.button(
            "Revert to MT",
            key="act_revert",
            on_click=_act,
            args=("revert",),
            disabled=approved or seg.draft is None,
        )
    with st.container(horizontal=True, key="segment_moves"):
        st.button(
            "Previous",
            key="go_previous",
            on_click=_step,
            args=(-1,),
            shortcut=SHORTCUTS["previous"],
            icon=":material/arrow_upward:",
        )
        st.button(
            "Next",
            key="go_next",
            on_click=_step,
            args=(+1,),
            shortcut=SHORTCUTS["next"],
            icon=":material/arrow_downward:",
        )
        st.button(
            "Next unapproved",
            key="go_next_unapproved",
            on_click=_next_unapproved,
            shortcut=SHORTCUTS["next_unapproved"],
            icon=":material/skip_next:",
        )
        st.number_input(
            "Go to segment",
            min_value=1,
            max_value=max(total, 1),
            value=None,
            step=1,
            key="goto_segment",
            on_change=_goto,
            placeholder="Go to segment #",
            label_visibility="collapsed",
            width=170,
        )


def _comments(store: repo.Store, seg: repo.SegmentView) -> None:
    with st.expander(f"Comments ({seg.comments})", expanded=False):
        if seg.comments:
            for comment in repo.list_comments(store, seg.id):
                st.caption(f"{ui.md_literal(comment.editor)} · {ui.when(comment.created_at)}")
                ui.text_block(comment.text)
        st.text_input("New comment", key="new_comment", placeholder="A note for the reviewer")
        st.button("Add comment", key="add_comment", on_click=_comment)


@st.fragment
def _segment_list(total: int) -> None:
    """One page of the article's segments; paging reruns only this list."""
    ses = _session()
    if _page_is_stale(ses):
        st.rerun(scope="app")
    store = state.store()
    pages = max(1, -(-total // PAGE_SIZE))
    ses.list_page = min(max(ses.list_page, 0), pages - 1)
    st.subheader("Segments")
    st.caption("Click a number to edit that segment.")
    rows = repo.list_segments(store, ses.doc_id, offset=ses.list_page * PAGE_SIZE, limit=PAGE_SIZE)
    # A fixed-height, scrolling list keeps the active segment's box in view above it.
    box = st.container(height=520, border=True, key="segment_list")
    for s in rows:
        number = s.position - ses.first_position + 1
        active = s.id == ses.segment_id
        with box.container(key=f"row_{s.id}"):
            cols = st.columns([0.6, 9.4], vertical_alignment="top")
            cols[0].button(
                str(number),
                key=f"open_{s.id}",
                on_click=_jump,
                args=(s.id,),
                type="primary" if active else "secondary",
                help="Edit this segment",
            )
            # The active row's English may change above without this list being drawn again.
            cols[1].html(ui.segment_row_html(s.status, s.source, s.target, editing=active))
    with st.container(horizontal=True, vertical_alignment="center", key="list_pager"):
        st.button(
            "Earlier segments",
            key="page_prev",
            disabled=ses.list_page == 0,
            on_click=_set_page,
            args=(ses.list_page - 1,),
        )
        st.caption(f"Page {ses.list_page + 1} of {pages}")
        st.button(
            "Later segments",
            key="page_next",
            disabled=ses.list_page >= pages - 1,
            on_click=_set_page,
            args=(ses.list_page + 1,),
        )


def _set_page(page: int) -> None:
    _session().list_page = page


def _show_messages(ses: EditorSession) -> None:
    for kind, message in ses.messages:
        ui.message(kind if kind in ("toast", "error", "success") else "info", message)
    ses.messages.clear()


def main() -> None:
    """Render the editor page."""
    store = state.store()
    auth.page_identity()
    ses = _session()
    try:
        top = st.columns([3, 2], vertical_alignment="bottom")
        with top[0]:
            doc = _pick_document(store, ses)
        if doc is None:
            return
        ses = _session()
        with top[1]:
            _progress(doc)
        total = repo.count_segments(store, doc.id)
        if total == 0:
            st.info("This article has no segments.")
            return
        first = repo.list_segments(store, doc.id, offset=0, limit=1)[0]
        ses.first_position = first.position
        seg = _active_segment(store, ses, first)
        ses.drawn_segment, ses.redraw_page = seg.id, False
        if seg.draft is not None and seg.draft.is_test_model:
            ui.test_model_warning(model_label(seg.draft.model_id, seg.draft.revision))
        _segment_box(total)
        _segment_list(total)
        downloads.article_section(store, doc)
    except NotFound as e:
        ui.error(str(e))
        st.session_state["editor_session"] = EditorSession()
    except TransdeskError as e:
        ui.error(str(e))


def _active_segment(
    store: repo.Store, ses: EditorSession, first: repo.SegmentView
) -> repo.SegmentView:
    if ses.segment_id is not None:
        try:
            seg = repo.get_segment(store, ses.segment_id)
            if seg.document_id == ses.doc_id:
                return seg
        except NotFound:
            pass
    start = repo.next_segment(store, ses.doc_id, after_position=first.position - 1) or first
    return _open(start.id)


main()
