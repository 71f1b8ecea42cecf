"""Copy desk page: one article's tracked changes in three layers (MT draft → editor's text →
reviewer's text, per segment), who else is in it, its workflow and its handover."""

from __future__ import annotations

import streamlit as st

from mt import revising
from mt import store as repo
from mt.errors import TransdeskError
from mt.store import workflow as wf
from mt.store.layers import SegmentLayers, copy_desk_layers
from mt.textdiff import diff_words
from ui import auth, state, workflow
from ui import components as ui
from ui.presence import COPYDESK_SEGMENT, others_now

_NO_BOX = "— (reading only)"


def _pick_article(store: repo.Store, identity: auth.Identity) -> wf.ArticleRow | None:
    rows = wf.list_articles(store, me=identity.name)
    wanted = st.query_params.get("doc")
    ids = [r.id for r in rows]
    try:
        chosen = int(wanted) if wanted else (ids[0] if ids else None)
    except ValueError:
        chosen = None
    if chosen is not None and chosen not in ids:
        try:
            rows = [wf.get_article(store, chosen), *rows]  # an archived one, opened by its id
            ids = [r.id for r in rows]
        except TransdeskError:
            chosen = ids[0] if ids else None
    if chosen is None:
        st.info("No articles yet: add one on the Documents page.")
        return None
    labels = {r.id: f"{r.title} ({workflow.STATE_LABELS[r.state]})" for r in rows}
    picked = st.selectbox(
        "Article", ids, index=ids.index(chosen), format_func=labels.get, key="copydesk_doc"
    )
    if str(picked) != st.query_params.get("doc"):
        st.query_params["doc"] = str(picked)
        st.session_state.pop(COPYDESK_SEGMENT, None)
    return next(r for r in rows if r.id == picked)


def _layer_html(seg: SegmentLayers, typing_here: list[str]) -> str:
    mark = ""
    if typing_here:
        names = ", ".join(ui.escaped(n) for n in typing_here)
        mark = f'<span class="td-typing" style="color:#8a4b08">✎ {names} typing here</span>'
    editor = f" ({ui.escaped(seg.editor)})" if seg.editor else ""
    reviewer = f" ({ui.escaped(seg.reviewer)})" if seg.reviewer else ""
    return (
        f'<div class="td-layers" id="seg-{seg.segment_id}" style="border-bottom:1px solid #eee;'
        f'padding:6px 0"><div style="color:#555"><b>{seg.position + 1}.</b> '
        f"{ui.escaped(seg.source)} · <i>{ui.escaped(seg.status)}</i> {mark}</div>"
        f'<div class="td-layer-editor"><small>MT → editor{editor}</small>'
        f"{ui.diff_html(diff_words(seg.mt, seg.editor_text))}</div>"
        f'<div class="td-layer-reviewer"><small>editor → reviewer{reviewer}</small>'
        f"{ui.diff_html(diff_words(seg.editor_text, seg.reviewer_text))}</div></div>"
    )


def _save(segment_id: int, approve: bool) -> None:
    text = st.session_state.get(f"copydesk_text_{segment_id}")
    version = st.session_state.get(f"copydesk_version_{segment_id}", 0)
    try:
        identity = auth.current()
        auth.require(identity, "approve" if approve else "edit")
        store = state.store()
        if approve:
            revising.approve_segment(store, segment_id, editor=identity.name, base_version=version,
                                  text=text)  # fmt: skip
        else:
            revising.save_segment(
                store, segment_id, text, editor=identity.name, base_version=version
            )
        workflow._say("success", "Approved." if approve else "Saved.")
        st.session_state.pop(COPYDESK_SEGMENT, None)
    except TransdeskError as e:
        workflow._say("error", str(e))


def _edit_box(identity: auth.Identity, layers: list[SegmentLayers]) -> None:
    if not identity.can("edit"):
        return
    numbers = {s.segment_id: f"{s.position + 1}. {s.source[:60]}" for s in layers}
    options = [None, *numbers]
    current = st.session_state.get(COPYDESK_SEGMENT)
    chosen = st.selectbox(
        "Work on a segment", options,
        index=options.index(current) if current in options else 0,
        format_func=lambda sid: _NO_BOX if sid is None else numbers[sid], key="copydesk_pick",
    )  # fmt: skip
    if chosen is None:
        st.session_state.pop(COPYDESK_SEGMENT, None)
        return
    st.session_state[COPYDESK_SEGMENT] = chosen
    seg = next(s for s in layers if s.segment_id == chosen)
    st.session_state[f"copydesk_version_{chosen}"] = seg.version
    st.text_area("Reviewer's text", value=seg.reviewer_text, key=f"copydesk_text_{chosen}")
    with st.container(horizontal=True):
        st.button("Save", key="copydesk_save", on_click=_save, args=(chosen, False))
        if identity.can("approve"):
            st.button("Approve", key="copydesk_approve", type="primary", on_click=_save,
                      args=(chosen, True))  # fmt: skip


def main() -> None:
    """Render the copy desk page."""
    st.title("Copy desk")
    identity, store = auth.page_identity(), state.store()
    try:
        row = _pick_article(store, identity)
        if row is None:
            return
        workflow.show_message()
        st.caption(
            f"Assignee: {row.assignee or '—'} · deadline: {ui.when(row.deadline) or '—'} · "
            f"last change: {ui.when(row.updated_at) or '—'}"
        )
        with st.expander("Workflow", expanded=True):
            workflow.controls(identity, row, key="copydesk")
        layers = copy_desk_layers(store, row.id)
        _edit_box(identity, layers)
        typing: dict[int, list[str]] = {}
        for p in others_now(row.id):
            if p.segment_id is not None and p.typing:
                typing.setdefault(p.segment_id, []).append(p.editor)
        st.subheader("Tracked changes")
        st.caption("Per segment: MT draft → editor's text, then editor's text → reviewer's text.")
        st.html(
            '<div class="td-copydesk">'
            + "".join(_layer_html(s, typing.get(s.segment_id, [])) for s in layers)
            + "</div>"
        )
        st.subheader("Handover")
        workflow.handover(store, row, key="copydesk")
    except TransdeskError as e:
        ui.error(str(e))


main()
