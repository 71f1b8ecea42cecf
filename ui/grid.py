"""The editing grid: a Streamlit Components v2 component (HTML, CSS and JS from ui/grid_assets,
inline; no iframe, no build step, no network) and its Python side.

The browser draws the whole article (windowed), owns the boxes and the keyboard, and sends one
action at a time (trigger "action"); `handle_action` hands it to `mt.editing.apply_event`, which
checks it against the signed-in editor and the open article, and the next run's data carries
the answer (`ack`, same nonce). The grid's state value "active" names the segment whose aids
the page shows. The keyboard contract is in README ("Editor keyboard") and `KEYS`.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from mt import store as repo
from mt.errors import ConflictError, PermissionDenied, TransdeskError
from mt.grid import conflict_info, row_after_change
from mt.store.grid_keys import issue_grid_key
from mt.store.models import utcnow
from mt.store.sessions import session_hours
from ui.server_routes import CHANGES_ROUTE, WIP_ROUTE

ASSETS = Path(__file__).resolve().parent / "grid_assets"
KEYS: tuple[tuple[str, str], ...] = (
    ("Ctrl+S", "save the box's text (the caret stays)"),
    ("Ctrl+Enter", "save and move to the next segment's box"),
    ("Alt+A", "approve the box's text (saved first when it changed; reviewers and admins)"),
    ("Alt+↓ / Alt+↑", "next / previous segment without saving (the text stays)"),
    ("Alt+N", "next segment not yet approved"),
    ("Alt+R", "revert to the MT draft (a new version); Alt+Z undoes it"),
    ("Alt+O", "reopen an approved segment (reviewers and admins)"),
    ("Alt+G", "go to a segment number (Enter goes, Esc comes back)"),
    ("Alt+K", "search Korean and English (Enter or Esc back to the box)"),
    ("Alt+U", "cycle the status filter (draft, edited, approved, from TM, not approved)"),
    ("Alt+Q / Alt+L", "only segments with QA findings / with low-confidence drafts"),
    ("Alt+E", "put the established form of a name that QA flags in the box (consistency)"),
    ("Alt+M", "in a conflict: keep mine, saved over the other person's text"),
    ("Alt+H", "in a conflict: take theirs into the box (nothing saved)"),
    ("Alt+B", "in a conflict: both texts in the box, mine first, to merge"),
)
_tokens = itertools.count(1)


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


_component = st.components.v2.component(
    "transdesk_grid", css=_asset("grid.css"), js=_asset("grid.js"), isolate_styles=True
)


@dataclass
class GridSession:
    """This browser session's grid of one article."""

    doc_id: int
    rev: int = 0
    rebuild: bool = True
    last_nonce: int | None = None
    ack: dict[str, Any] | None = None
    active: int | None = None
    focus: dict[str, Any] | None = None
    insert: dict[str, Any] | None = None
    suggest: dict[str, Any] | None = None
    pending: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def grid_session(doc_id: int) -> GridSession:
    """The grid session for `doc_id` (a new one when another article was open)."""
    ses = st.session_state.get("transdesk_grid")
    if not isinstance(ses, GridSession) or ses.doc_id != doc_id:
        ses = GridSession(doc_id)
        st.session_state["transdesk_grid"] = ses
    return ses


def focus(ses: GridSession, *, number: int | None = None, segment_id: int | None = None) -> None:
    """Put the caret in a segment's box on the next run (by number shown, or by id)."""
    ses.focus = {"n": number, "id": segment_id, "token": next(_tokens)}


def put_text(ses: GridSession, segment_id: int, text: str) -> None:
    """Put `text` in a segment's box (unsaved, as if typed), e.g. a translation-memory match."""
    ses.insert = {"seg": segment_id, "text": text, "token": next(_tokens)}


def offer(ses: GridSession, suggestion: dict[str, Any] | None) -> bool:
    """Offer the active segment's first established form to Alt+E (`seg`, `start`, `old`,
    `new`); True when the offer changed, so the grid must be drawn again to learn it."""
    if suggestion == ses.suggest:
        return False
    ses.suggest = suggestion
    return True


def rights(identity: Any) -> dict[str, bool]:
    """What `identity` may do in the grid (`mt.editing.GRID_RIGHTS`, from `mt.permissions`)."""
    from mt.editing import GRID_RIGHTS

    return {a: identity.can(a) for a in GRID_RIGHTS}


def handle_action(store: repo.Store, ses: GridSession, raw: Any, identity: Any) -> dict[str, Any]:
    """Carry out one action from the grid; returns the ack the grid gets back.

    A save that meets a newer version answers with the row as it is now and the conflict the
    grid shows: the other person's text, who and when, and the word diff to the text sent.
    """
    from mt.editing import apply_event

    nonce = raw.get("nonce") if isinstance(raw, dict) else None
    if nonce is not None and nonce == ses.last_nonce and ses.ack is not None:
        return ses.ack  # the same action sent again (its answer was lost): not done twice
    ack: dict[str, Any] = {"nonce": nonce, "ok": True}
    try:
        outcome = apply_event(
            store, raw, editor=identity.name, document_id=ses.doc_id, can=rights(identity)
        )
        if outcome.needs_confirm:
            ack.update(ok=False, needs_confirm=list(outcome.needs_confirm))
        elif outcome.segment is not None:
            ack["row"] = row_after_change(store, outcome.segment)
    except ConflictError as e:
        ack.update(ok=False, error=str(e))
        segment_id = raw.get("seg") if isinstance(raw, dict) else None
        try:
            current = repo.get_segment(store, int(segment_id))
            if current.document_id == ses.doc_id:
                ack["row"] = row_after_change(store, current)
                text = raw.get("text") if isinstance(raw.get("text"), str) else ""
                ack["conflict"] = conflict_info(current, text)
        except (TransdeskError, TypeError, ValueError):
            pass
    except TransdeskError as e:
        ack.update(ok=False, error=str(e))
    ses.last_nonce, ses.ack = nonce, ack
    return ack


def _key(store: repo.Store, ses: GridSession, identity: Any) -> str:
    """The grid key of this session's article (`mt.store.grid_keys`), made again when the
    person, their sign-in or the article changes, or when it is half spent."""
    from ui import auth

    web_session = auth.web_session_id(store)
    wanted = (identity.editor_id, identity.mode, web_session)
    kept = ses.extra.get("key")
    if kept is None or kept[0] != wanted or kept[1] < time.time():
        hours = session_hours()
        key = issue_grid_key(
            store,
            editor_id=identity.editor_id,
            document_id=ses.doc_id,
            mode=identity.mode,
            web_session=web_session,
            hours=hours,
        )
        kept = ses.extra["key"] = (wanted, time.time() + hours * 1800, key)
    return kept[2]


def grid(
    store: repo.Store,
    ses: GridSession,
    identity: Any,
    *,
    start: int | None,
    height: str = "calc(100vh - 250px)",
    key: str = "editor_grid",
) -> int | None:
    """Draw the grid of `ses.doc_id`; returns the active segment id (None before the first)."""
    from mt.grid import grid_rows

    rows = None
    if ses.rebuild:
        ses.extra["since"] = utcnow().isoformat()  # others' changes from here on: the poll's
        data = grid_rows(store, ses.doc_id, editor=identity.name)
        rows, ses.pending = data.rows, data.pending
        ses.rev = next(_tokens)  # unique across articles: never one article's rows for another
        ses.rebuild = False

    def value(name: str) -> Any:
        # A callback may run after sign-out cleared the session state (another tab's).
        return (st.session_state.get(key) or {}).get(name)

    def on_action() -> None:
        raw = value("action")
        if raw is None:
            return
        try:
            handle_action(store, ses, raw, _current())
        except PermissionDenied as e:  # the sign-in ended: the next run shows the form
            nonce = raw.get("nonce") if isinstance(raw, dict) else None
            ses.last_nonce, ses.ack = nonce, {"nonce": nonce, "ok": False, "error": str(e)}

    def on_sync() -> None:
        ses.rebuild = True

    def on_active() -> None:
        active = value("active")
        if not isinstance(active, dict) or not isinstance(active.get("id"), int):
            return
        try:
            seg = repo.get_segment(store, active["id"])
        except TransdeskError:
            return
        if seg.document_id != ses.doc_id:
            return  # not a segment of this article: ignored
        ses.active = seg.id  # the aids follow the row for every role, viewers included
        if isinstance(active.get("n"), int):
            st.query_params["seg"] = str(active["n"])
        try:
            who = _current()
            if who.can("edit"):
                repo.open_segment(store, seg.id, editor=who.name)  # the edit log's `open`
        except TransdeskError:
            return

    payload = {
        "me": identity.name,
        "who": identity.editor_id,  # the browser's copies of unsaved text are kept per account
        "doc": ses.doc_id,
        "key": _key(store, ses, identity),
        "api": {"wip": WIP_ROUTE, "changes": CHANGES_ROUTE},
        "can": rights(identity),  # the grid's readOnly and key checks use these as they are
        "rev": ses.rev,
        "rows": rows,
        "since": ses.extra.get("since"),
        "start": start,
        "focus": ses.focus,
        "insert": ses.insert,
        "suggest": ses.suggest,
        "ack": ses.ack,
        "pending": ses.pending,
        "height": height,
    }
    _component(
        key=key,
        data=payload,
        on_action_change=on_action,
        on_sync_change=on_sync,
        on_active_change=on_active,
        on_wip_change=_rerun_only,  # the aids show the unsaved copy just sent
    )
    return ses.active


def _rerun_only() -> None:
    """A trigger whose whole effect is the fragment's rerun."""


def _current() -> Any:
    from ui import auth

    return auth.current()
