"""Copy desk page: one article's tracked changes in three layers (MT draft → editor's text →
reviewer's text, per segment), who else is in it, its workflow and its handover.

"Work on a segment" is the reviewer's box. Its text and the version it starts from are taken
when the segment is picked (and again after the reviewer's own save, approval or resolution),
never by an ordinary rerun, so a save meets any change made meanwhile. Save and approve go
through `mt.editing.apply_event`, the editor's grid's one change path: QA errors ask before an
approval, and a newer version is a conflict, shown with the other person's text, who and when,
and a word diff, to settle by keyboard: keep mine (Alt+M: saved over theirs, the edit log
names both versions), take theirs (Alt+H) or both in the box to merge (Alt+B); Ctrl+S saves and
Alt+A approves, as in the grid. The keys are Streamlit's button shortcuts; pressed in the box
they first commit its text, as a click does (`ui.copydesk_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, cast

import streamlit as st

from mt import editing
from mt import store as repo
from mt.errors import ConcurrentChange, ConflictError, TransdeskError
from mt.store import workflow as wf
from mt.store.layers import SegmentLayers, copy_desk_layers
from mt.store.views import SegmentView
from mt.textdiff import diff_words
from ui import auth, pager, state, workflow
from ui import components as ui
from ui.copydesk_keys import KEYS, key_script
from ui.params import int_param
from ui.presence import COPYDESK_SEGMENT, others_now

_NO_BOX = "— (reading only)"
PAGE_SIZE = 200  # segments of tracked changes per page (only they are read from the store)
_WORK = "copydesk_work"
# The box's keys (Streamlit button shortcuts): Ctrl+S and Alt+A as in the editor's grid (Ctrl+S's
# browser default is prevented); Alt+M, Alt+H and Alt+B are none of the browser's own.


def _pick_article(store: repo.Store, identity: auth.Identity) -> wf.ArticleRow | None:
    rows = wf.list_articles(store, me=identity.name)
    wanted = int_param("doc")
    ids = [r.id for r in rows]
    chosen = wanted if wanted is not None else (ids[0] if ids else None)
    if chosen is not None and chosen not in ids:
        try:
            rows = [wf.get_article(store, chosen), *rows]  # an archived one, opened by its id
            ids = [r.id for r in rows]
        except TransdeskError:
            ui.message("warning", f"There is no article {chosen}; showing the first one.")
            chosen = ids[0] if ids else None
    if chosen is None:
        st.info("No articles yet: add one on the Documents page.")
        return None
    labels = {r.id: f"{r.title} ({workflow.STATE_LABELS[r.state]})" for r in rows}
    picked = st.selectbox(
        "Article", ids, index=ids.index(chosen), format_func=labels.get, key="copydesk_doc"
    )
    if st.query_params.get_all("doc") != [str(picked)]:
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


# --- the box: one segment revised from the version the reviewer started from -----------------


@dataclass(frozen=True)
class Conflict:
    """A save that met a newer version: the other person's text, its version, who made it and
    when (nothing was saved)."""

    theirs: str
    version: int
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class Confirm:
    """An approval that QA errors stopped: the text checked and the errors found."""

    text: str
    errors: tuple[str, ...]


class Work(TypedDict):
    """The segment in this session's box and the version the reviewer started from: set when
    the segment is picked and after the reviewer's own change, never by an ordinary rerun. A
    plain dict in the session state: the page's classes are made anew on every run."""

    doc_id: int
    seg_id: int
    number: int
    version: int
    conflict: Conflict | None
    confirm: Confirm | None
    note: tuple[str, str] | None


def _text_key(seg_id: int) -> str:
    return f"copydesk_text_{seg_id}"


def _box_text(work: Work) -> str:
    text = st.session_state.get(_text_key(work["seg_id"]))
    return text if isinstance(text, str) else ""


def _current_work() -> Work | None:
    work = st.session_state.get(_WORK)
    return cast(Work, work) if isinstance(work, dict) else None


def _start(store: repo.Store, doc_id: int, seg_id: int) -> Work:
    """Open `seg_id` in the box: its stored text and version, read together."""
    seg = repo.get_segment(store, seg_id)
    st.session_state[_text_key(seg_id)] = seg.target
    work = Work(
        doc_id=doc_id,
        seg_id=seg_id,
        number=seg.position + 1,
        version=seg.version,
        conflict=None,
        confirm=None,
        note=None,
    )
    st.session_state[_WORK] = work
    return work


def _work_for(store: repo.Store, doc_id: int, seg_id: int) -> Work:
    """The box's work on `seg_id`: kept across reruns, started afresh when another segment (or
    article) was in the box or its text is gone (the box was closed, the page left)."""
    work = _current_work()
    if (
        work is not None
        and (work["doc_id"], work["seg_id"]) == (doc_id, seg_id)
        and _text_key(seg_id) in st.session_state
    ):
        return work
    return _start(store, doc_id, seg_id)


def _settle(work: Work, seg: SegmentView, note: str) -> None:
    """After the reviewer's own change: the box starts again from what was stored."""
    work["version"] = seg.version
    work["conflict"] = work["confirm"] = None
    st.session_state[_text_key(work["seg_id"])] = seg.target
    work["note"] = ("success", note)


def _rights(identity: auth.Identity) -> dict[str, bool]:
    """What the reviewer may do, for `mt.editing.apply_event` (as the editor's grid does)."""
    return {a: identity.can(a) for a in editing.GRID_RIGHTS}


def _send(work: Work, raw: dict[str, Any]) -> editing.Outcome | None:
    """Send one change through `mt.editing.apply_event`; a conflict, a refusal or an error is
    kept on `work` to be shown (None is returned then)."""
    store = state.store()
    try:
        identity = auth.current()
        return editing.apply_event(
            store, raw, editor=identity.name, document_id=work["doc_id"], can=_rights(identity)
        )
    except ConcurrentChange:
        work["note"] = (
            "error",
            f"Someone else was saving segment {work['number']} at the same moment. Nothing was "
            "saved: try again.",
        )
    except ConflictError as e:
        work["conflict"] = _conflict(store, work, e)
        work["confirm"], work["note"] = None, None
    except TransdeskError as e:
        work["note"] = ("error", ui.sentence(str(e)))
    return None


def _conflict(store: repo.Store, work: Work, e: ConflictError) -> Conflict:
    """The newer version a save met, with who made it and when (`mt.store.get_segment`)."""
    try:
        seg = repo.get_segment(store, work["seg_id"])
    except TransdeskError:
        return Conflict(e.current_text, e.current_version, None, None)
    if seg.version != e.current_version:  # changed once more since: show the newest
        return Conflict(seg.target, seg.version, seg.updated_by, seg.updated_at)
    return Conflict(e.current_text, e.current_version, seg.updated_by, seg.updated_at)


def _save(op: str) -> None:
    """Save or approve the box's text on top of the version the reviewer started from."""
    work = _current_work()
    if work is None:
        return
    text = _box_text(work)
    raw = {"op": op, "seg": work["seg_id"], "version": work["version"], "text": text}
    outcome = _send(work, raw)
    if outcome is None:
        return
    if outcome.needs_confirm:
        work["confirm"], work["note"] = Confirm(text, outcome.needs_confirm), None
    elif outcome.segment is not None:
        done = "approved" if op == "approve" else "saved"
        _settle(work, outcome.segment, f"Segment {work['number']} was {done}.")


def _approve_anyway() -> None:
    """Approve despite the QA errors shown; a text changed since they were found is checked
    again first."""
    work = _current_work()
    if work is None or work["confirm"] is None:
        return
    text = _box_text(work)
    raw = {"op": "approve", "seg": work["seg_id"], "version": work["version"], "text": text}
    if text == work["confirm"].text:
        raw["confirm"] = True
    outcome = _send(work, raw)
    if outcome is None:
        return
    if outcome.needs_confirm:
        work["confirm"] = Confirm(text, outcome.needs_confirm)
    elif outcome.segment is not None:
        _settle(work, outcome.segment, f"Segment {work['number']} was approved despite QA errors.")


def _keep_mine() -> None:
    """Alt+M: save the box's text on top of their version; the edit log names both versions."""
    work = _current_work()
    if work is None or work["conflict"] is None:
        return
    theirs = work["conflict"]
    raw = {
        "op": "save",
        "seg": work["seg_id"],
        "version": theirs.version,
        "text": _box_text(work),
        "mine_from": work["version"],
    }
    outcome = _send(work, raw)
    if outcome is not None and outcome.segment is not None:
        _settle(
            work,
            outcome.segment,
            f"Segment {work['number']} now has your text, saved over {_who(theirs.by)} version "
            f"{theirs.version}. The edit log records both versions.",
        )


def _take_theirs() -> None:
    """Alt+H: their text in the box, to go on from their version; nothing is saved."""
    work = _current_work()
    if work is None or work["conflict"] is None:
        return
    theirs = work["conflict"]
    st.session_state[_text_key(work["seg_id"])] = theirs.theirs
    work["version"], work["conflict"] = theirs.version, None
    work["note"] = (
        "info",
        f"The box now holds {_who(theirs.by)} text of segment {work['number']}. Nothing was saved.",
    )


def _take_both() -> None:
    """Alt+B: mine, then theirs on a new line, to merge by hand on top of their version."""
    work = _current_work()
    if work is None or work["conflict"] is None:
        return
    theirs = work["conflict"]
    st.session_state[_text_key(work["seg_id"])] = _box_text(work) + "\n" + theirs.theirs
    work["version"], work["conflict"] = theirs.version, None
    work["note"] = (
        "info",
        f"The box now holds your text, then {_who(theirs.by)} text on a new line: merge them "
        "and save. Nothing was saved.",
    )


def _who(name: str | None) -> str:
    """ "ed's", or "the other person's" when nobody is named."""
    return f"{name}'s" if name else "the other person's"


def conflict_sentence(number: int, conflict: Conflict, me: str) -> str:
    """ "Segment 3 was changed by ed at 14:02 while you were working on it. Nothing was
    saved." (you in another tab or window when it was `me`)."""
    by = "you in another tab or window" if conflict.by == me else conflict.by or "someone else"
    at = f" at {ui.clock(conflict.at)}" if conflict.at is not None else ""
    return (
        f"Segment {number} was changed by {by}{at} while you were working on it. Nothing was saved."
    )


def _show_conflict(work: Work, conflict: Conflict, me: str) -> None:
    """The other person's text, who and when, the word diff against mine, and the choices."""
    mine = _box_text(work)
    ui.message("warning", conflict_sentence(work["number"], conflict, me))
    by = ui.escaped(conflict.by or "the other person")
    st.html(
        '<div class="td-conflict">'
        f"<small>Their text ({by}, version {conflict.version}):</small>"
        f'<div class="td-conflict-theirs" style="white-space:pre-wrap;overflow-wrap:anywhere;'
        f'margin:.2rem 0 .6rem 0">{ui.escaped(conflict.theirs)}</div>'
        "<small>Your text compared with theirs (struck through: only theirs; green: only "
        "yours):</small>"
        f'<div class="td-conflict-diff">{ui.diff_html(diff_words(conflict.theirs, mine))}</div>'
        "</div>"
    )
    with st.container(horizontal=True, key="copydesk_choices"):
        st.button("Keep mine", key="copydesk_keep_mine", on_click=_keep_mine,
                  shortcut=KEYS["mine"], type="primary")  # fmt: skip
        st.button("Take theirs", key="copydesk_take_theirs", on_click=_take_theirs,
                  shortcut=KEYS["theirs"])  # fmt: skip
        st.button("Both, to merge", key="copydesk_take_both", on_click=_take_both,
                  shortcut=KEYS["both"])  # fmt: skip


def _show_confirm(work: Work, confirm: Confirm) -> None:
    """The QA errors that stopped an approval, and "Approve anyway"."""
    ui.message(
        "warning",
        f"Segment {work['number']} was not approved: QA found errors in its text. Correct the "
        "text, or approve it anyway.",
    )
    items = "".join(f"<li>{ui.escaped(ui.sentence(e))}</li>" for e in confirm.errors)
    st.html(f'<ul class="td-confirm-errors">{items}</ul>')
    st.button("Approve anyway", key="copydesk_approve_anyway", on_click=_approve_anyway)


def _notice(work: Work, identity: auth.Identity) -> None:
    """What became of the reviewer's last action, above the box."""
    if work["note"] is not None:
        ui.message(*work["note"])
        work["note"] = None
    if work["conflict"] is not None:
        _show_conflict(work, work["conflict"], identity.name)
    elif work["confirm"] is not None:
        _show_confirm(work, work["confirm"])


def _edit_box(store: repo.Store, identity: auth.Identity, doc_id: int,
              layers: list[SegmentLayers]) -> None:  # fmt: skip
    """ "Work on a segment" of the page shown: pick one, revise it, save or approve it, settle
    conflicts. A segment open in the box stays in the list when another page is shown."""
    if not identity.can("edit"):
        return
    numbers = {s.segment_id: f"{s.position + 1}. {s.source[:60]}" for s in layers}
    current = st.session_state.get(COPYDESK_SEGMENT)
    if isinstance(current, int) and current not in numbers:
        try:
            seg = repo.get_segment(store, current)
            if seg.document_id == doc_id:
                numbers = {current: f"{seg.position + 1}. {seg.source[:60]}", **numbers}
        except TransdeskError:
            pass  # gone: the box closes
    options = [None, *numbers]
    with st.container(key="copydesk_box"):
        chosen = st.selectbox(
            "Work on a segment", options,
            index=options.index(current) if current in options else 0,
            format_func=lambda sid: _NO_BOX if sid is None else numbers[sid], key="copydesk_pick",
        )  # fmt: skip
        if chosen is None:
            st.session_state.pop(COPYDESK_SEGMENT, None)
            return
        st.session_state[COPYDESK_SEGMENT] = chosen
        work = _work_for(store, doc_id, chosen)
        notice = st.container(key="copydesk_notice")  # above the box, filled below
        st.text_area("Reviewer's text", key=_text_key(chosen))
        with st.container(horizontal=True, key="copydesk_actions"):
            st.button("Save", key="copydesk_save", on_click=_save, args=("save",),
                      shortcut=KEYS["save"])  # fmt: skip
            if identity.can("approve"):
                st.button("Approve", key="copydesk_approve", type="primary", on_click=_save,
                          args=("approve",), shortcut=KEYS["approve"])  # fmt: skip
        st.html(key_script(), unsafe_allow_javascript=True)
        with notice:
            _notice(work, identity)


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
            f"Assignee: {ui.md_literal(row.assignee or '—')} · deadline: "
            f"{ui.when(row.deadline) or '—'} · last change: {ui.when(row.updated_at) or '—'}"
        )
        with st.expander("Workflow", expanded=True):
            workflow.controls(identity, row, key="copydesk")
        total, key = repo.count_segments(store, row.id), f"copydesk_page_{row.id}"
        pages = pager.page_count(total, PAGE_SIZE)
        page = pager.current_page(key, pages)
        layers = copy_desk_layers(store, row.id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        _edit_box(store, identity, row.id, layers)
        typing: dict[int, list[str]] = {}
        for p in others_now(row.id):
            if p.segment_id is not None and p.typing:
                typing.setdefault(p.segment_id, []).append(p.editor)
        st.subheader("Tracked changes")
        st.caption("Per segment: MT draft → editor's text, then editor's text → reviewer's text.")
        if pages > 1:
            pager.pager(key, page, pages, total, PAGE_SIZE, prefix="copydesk", where="top")
        st.html(
            '<div class="td-copydesk">'
            + "".join(_layer_html(s, typing.get(s.segment_id, [])) for s in layers)
            + "</div>"
        )
        if pages > 1:
            pager.pager(key, page, pages, total, PAGE_SIZE, prefix="copydesk", where="bottom")
        st.subheader("Handover")
        workflow.handover(store, row, key="copydesk")
    except TransdeskError as e:
        ui.error(str(e))


main()
