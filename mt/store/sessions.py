"""Signed-in browsers: random session tokens, stored only as SHA-256 hashes.

How a browser signs in (the web app, `ui/auth.py` and `ui/server.py`, does the talking):
1. the password is checked (`authenticate`); `begin_session` stores a session row with the
   editor's role at that moment and the hash of a one-time **code** (valid `CODE_TTL_S`);
2. the browser sends the code to the server's session route, which calls `redeem_code`: that
   makes the random **token**, stores its hash in place of the code's, and the route sets it as
   an HttpOnly, SameSite=Strict cookie; the token never passes through page JavaScript;
3. later visits (reloads, new tabs, deep links) present the cookie: `session_editor` accepts it
   while the session is neither expired nor revoked and the account still has that role (the
   tab that signed in with the form asks `live_session_editor` with the session's id instead).

A session belongs to an editor's **id**, never a name: after a rename it stays with the renamed
account, and a new account given the old name does not inherit it.

A session ends on sign-out (`revoke_session`), on expiry (default 12 h, TRANSDESK_SESSION_HOURS),
and when the account is removed or its role changes (`revoke_editor_sessions`, called by
`set_role` and `remove_user`). A token that does not match is just "not signed in".
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from mt.errors import InvalidValue, NotFound
from mt.store.db import Store
from mt.store.editors import clean_name, find_editor
from mt.store.views import EditorView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.models import Editor, WebSession


__all__ = [
    "CODE_TTL_S",
    "COOKIE_NAME",
    "DEFAULT_SESSION_HOURS",
    "PendingSession",
    "begin_session",
    "live_session_editor",
    "redeem_code",
    "revoke_editor_sessions",
    "revoke_session",
    "session_editor",
    "session_hours",
    "session_live_by_id",
    "session_of_token",
]

COOKIE_NAME = "transdesk_session"
DEFAULT_SESSION_HOURS = 12.0
CODE_TTL_S = 120


@dataclass(frozen=True)
class PendingSession:
    """A session waiting for its browser: the one-time `code` and when the session will end."""

    session_id: int
    code: str
    expires_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def session_hours() -> float:
    """How long a sign-in lasts: TRANSDESK_SESSION_HOURS, default 12.

    Raises:
        InvalidValue: not a positive number.
    """
    raw = os.environ.get("TRANSDESK_SESSION_HOURS", "").strip()
    if not raw:
        return DEFAULT_SESSION_HOURS
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not hours > 0 or hours > 24 * 366:
        raise InvalidValue(f"TRANSDESK_SESSION_HOURS must be a number of hours, not {raw!r}")
    return hours


def begin_session(store: Store, editor: str | int, *, hours: float | None = None) -> PendingSession:
    """Open a session for `editor` (who has just proved their password); returns its code.

    `editor` is the account's id (what the web app passes: the session is bound to the very
    account that signed in) or its name.

    Raises:
        NotFound: no such editor.
    """
    from mt.store.models import Editor, WebSession, utcnow

    hours = session_hours() if hours is None else hours
    code = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session(write=True) as session:
        if isinstance(editor, int):
            who = session.get(Editor, editor)
            if who is None:
                raise NotFound(f"no editor with id {editor}")
        else:
            who = find_editor(session, clean_name(editor))
            if who is None:
                raise NotFound(f"no editor named {editor!r}")
        row = WebSession(
            code_hash=_hash(code),
            editor_id=who.id,
            role=who.role,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        session.add(row)
        session.flush()
        return PendingSession(row.id, code, row.expires_at)


def redeem_code(store: Store, code: str) -> tuple[str, datetime] | None:
    """Trade a fresh one-time code for the session's token (and its expiry); None when the
    code is unknown, used, older than CODE_TTL_S or its session is over."""
    from sqlalchemy import select

    from mt.store.models import WebSession, utcnow

    if not isinstance(code, str) or not code or len(code) > 200:
        return None
    now = utcnow()
    token = secrets.token_urlsafe(32)
    with store.session(write=True) as session:
        row = session.execute(
            select(WebSession).where(WebSession.code_hash == _hash(code)).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            return None
        row.code_hash = None  # one use only, whatever happens next
        fresh = (now - row.created_at).total_seconds() <= CODE_TTL_S
        if not fresh or row.revoked_at is not None or row.expires_at <= now:
            return None
        row.token_hash = _hash(token)
        return token, row.expires_at


def _live(session: Session, token: str) -> tuple[WebSession, Editor] | None:
    from sqlalchemy import select

    from mt.store.models import Editor, WebSession, utcnow

    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    found = session.execute(
        select(WebSession, Editor)
        .join(Editor, Editor.id == WebSession.editor_id)
        .where(WebSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    row, editor = found
    if row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if editor.password_hash is None or editor.role != row.role:
        return None  # the account was removed or its role changed since sign-in
    return row, editor


def session_editor(store: Store, token: str) -> EditorView | None:
    """The editor a session token belongs to, or None when it is not a live session."""
    from mt.store.editors import editor_view

    with store.session() as session:
        found = _live(session, token)
        return editor_view(found[1]) if found is not None else None


def live_session_editor(store: Store, session_id: int) -> EditorView | None:
    """The editor session `session_id` belongs to (by its `editor_id`: the current name and
    role), or None when the session is revoked, expired, or its account removed or given
    another role since sign-in."""
    from mt.store.editors import editor_view
    from mt.store.models import Editor, WebSession, utcnow

    with store.session() as session:
        row = session.get(WebSession, session_id)
        if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
            return None
        editor = session.get(Editor, row.editor_id)
        if editor is None or editor.password_hash is None or editor.role != row.role:
            return None
        return editor_view(editor)


def session_live_by_id(store: Store, session_id: int) -> bool:
    """Whether the session is neither revoked nor expired and its account unchanged."""
    return live_session_editor(store, session_id) is not None


def revoke_session(
    store: Store, *, token: str | None = None, session_id: int | None = None
) -> None:
    """End one session (sign-out), named by its token or its id; unknown ones are ignored."""
    from sqlalchemy import update

    from mt.store.models import WebSession, utcnow

    if token is None and session_id is None:
        return
    query = update(WebSession).where(WebSession.revoked_at.is_(None))
    if token is not None:
        query = query.where(WebSession.token_hash == _hash(token))
    if session_id is not None:
        query = query.where(WebSession.id == session_id)
    with store.session(write=True) as session:
        session.execute(query.values(revoked_at=utcnow(), code_hash=None))


def revoke_editor_sessions(session: Session, editor_id: int) -> None:
    """End every session of an editor, inside an open write session (role change, removal)."""
    from sqlalchemy import update

    from mt.store.models import WebSession, utcnow

    session.execute(
        update(WebSession)
        .where(WebSession.editor_id == editor_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), code_hash=None)
    )


def session_of_token(store: Store, token: str) -> int | None:
    """The id of the stored session whose cookie token is `token` (None: none)."""
    from sqlalchemy import select

    from mt.store.models import WebSession

    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    with store.session() as session:
        return session.execute(
            select(WebSession.id).where(WebSession.token_hash == _hash(token))
        ).scalar_one_or_none()
