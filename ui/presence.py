"""Presence: a heartbeat from this browser session and who else has the article open.

`presence_bar` runs as a fragment every `HEARTBEAT_S` seconds on any page showing an article
(its id in the `doc` query parameter: the Editor and the Copy desk). It reports the segment
this session works on (the editor's active segment, or the copy desk's open edit box), and
shows the others: name, segment, and whether they are typing there.
"""

from __future__ import annotations

import uuid

import streamlit as st

from mt.errors import TransdeskError
from mt.store import presence
from ui import components as ui
from ui.params import int_param

_CLIENT_KEY = "presence_client"
COPYDESK_SEGMENT = "copydesk_segment"


def client_key() -> str:
    """This browser session's presence key (made on first use)."""
    key = st.session_state.get(_CLIENT_KEY)
    if not isinstance(key, str):
        key = uuid.uuid4().hex
        st.session_state[_CLIENT_KEY] = key
    return key


def current_document() -> int | None:
    """The article in the address (`doc`), read quietly: the page itself says when it is bad."""
    return int_param("doc", quiet=True)


def _where(doc_id: int) -> tuple[int | None, bool]:
    """(segment, typing) of this session: the copy desk's edit box, else the segment whose box
    is open in the editor's grid."""
    from ui.grid import GridSession

    open_box = st.session_state.get(COPYDESK_SEGMENT)
    if isinstance(open_box, int):
        return open_box, True
    ses = st.session_state.get("transdesk_grid")
    if isinstance(ses, GridSession) and ses.doc_id == doc_id and ses.active is not None:
        return ses.active, True
    return None, False


def others_html(others: list[presence.PresenceView], me: str | None = None) -> str:
    """ "Also here: kim (segment 3, typing)" as escaped HTML; `me` in another browser tab (or a
    tab just reloaded, until its old session expires) is "you, in another tab"."""
    if not others:
        return (
            '<div class="td-presence" style="color:#888">Nobody else has this article open.</div>'
        )
    parts = []
    for p in others:
        where = f"segment {p.segment_number}" if p.segment_number else "reading"
        doing = ", typing" if p.typing and p.segment_number else ""
        who = "you, in another tab" if p.editor == me else f"<b>{ui.escaped(p.editor)}</b>"
        parts.append(f"{who} ({where}{doing})")
    return '<div class="td-presence">Also in this article: ' + "; ".join(parts) + "</div>"


@st.fragment(run_every=presence.HEARTBEAT_S)
def presence_bar(name: str) -> None:
    """Beat, then show who else is here (nothing on pages without an article)."""
    doc_id = current_document()
    if doc_id is None:
        return
    store = _store()
    segment_id, typing = _where(doc_id)
    try:
        presence.heartbeat(
            store, client_key(), doc_id, editor=name, segment_id=segment_id, typing=typing
        )
        others = presence.who_is_here(store, doc_id, exclude_client=client_key())
    except TransdeskError:
        return  # a document gone or a segment of another article: no presence to show
    with st.container(key="presence_bar"):
        st.html(others_html(others, name))


def _store():
    from ui.state import store

    return store()


def others_now(doc_id: int) -> list[presence.PresenceView]:
    """Who else is on `doc_id` right now (for marking segments in a full page run)."""
    return presence.who_is_here(_store(), doc_id, exclude_client=client_key())
