"""Grid keys: what lets an open editing grid reach the server outside Streamlit's WebSocket.

The grid sends an editor's unsaved text with `fetch(..., {keepalive: true})` as the page goes
(a tab closed, another address, a reload) and asks for others' changes every second or two;
both go to plain HTTP routes (`ui.server`), which must know who is asking without trusting the
page. When the grid is drawn, the server gives it a key: the editor's account id, the article,
how the person signed in and until when, signed with HMAC-SHA256 under a random secret kept in
the database (`desk_setting`, so every app server over one database accepts every key). The
key says nothing secret and cannot be forged or moved to another article.

A key is accepted only while its sign-in is: for a local account, while the stored browser
session it was issued under is live (`mt.store.sessions`: not signed out, expired, or ended by a
removal or a role change) and belongs to the same account; for the single local user, while the
desk still has no accounts; for OIDC (`st.login`, whose cookie Streamlit keeps), until it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from mt.store.db import Store
from mt.store.views import EditorView

__all__ = [
    "MODES",
    "GridHolder",
    "grid_key_holder",
    "issue_grid_key",
]

MODES = ("local", "single", "oidc")
_SECRET_KEY = "grid_key_secret"
_MAX_KEY = 300


@dataclass(frozen=True)
class GridHolder:
    """Whom a valid key belongs to: the editor now (current name and role), how they signed
    in, and the article it opens."""

    editor: EditorView
    mode: str
    document_id: int


def _secret(store: Store) -> bytes:
    """The desk's signing secret, made on first use (two servers racing agree on one)."""
    from mt.store.db import upsert_insert
    from mt.store.models import DeskSetting, utcnow
    from mt.store.settings import session_setting

    with store.session() as session:
        found = session_setting(session, _SECRET_KEY)
    if found is None:
        with store.session(write=True) as session:
            session.execute(
                upsert_insert(session, DeskSetting)
                .values(key=_SECRET_KEY, value=secrets.token_hex(32), updated_at=utcnow())
                .on_conflict_do_nothing(index_elements=["key"])
            )
            found = session_setting(session, _SECRET_KEY)
    assert found is not None
    return bytes.fromhex(found)


def _sign(secret: bytes, payload: str) -> str:
    mac = hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def issue_grid_key(
    store: Store,
    *,
    editor_id: int,
    document_id: int,
    mode: str,
    web_session: int | None,
    hours: float,
) -> str:
    """A key for `editor_id`'s grid of `document_id`, valid for `hours` at most (see the module
    docstring); `web_session` is the stored browser session of a local account's sign-in."""
    if mode not in MODES:
        raise ValueError(f"unknown sign-in mode {mode!r}")
    expires = int(time.time() + hours * 3600)
    payload = f"{editor_id}.{document_id}.{mode}.{web_session or 0}.{expires}"
    return f"{payload}.{_sign(_secret(store), payload)}"


def grid_key_holder(store: Store, key: object, document_id: object) -> GridHolder | None:
    """Who holds `key` for `document_id`, or None: a malformed, forged or expired key, one for
    another article, or one whose sign-in has ended (see the module docstring)."""
    from mt.store.accounts import has_accounts
    from mt.store.editors import editor_view
    from mt.store.models import Editor
    from mt.store.sessions import live_session_editor

    if not isinstance(key, str) or len(key) > _MAX_KEY or key.count(".") != 5:
        return None
    payload, _, mac = key.rpartition(".")
    if not hmac.compare_digest(mac, _sign(_secret(store), payload)):
        return None
    editor_id, doc, mode, web_session, expires = payload.split(".")
    if isinstance(document_id, bool) or not isinstance(document_id, int):
        return None
    if int(doc) != document_id or int(expires) < time.time() or mode not in MODES:
        return None
    if mode == "local":
        # signed out, expired, the account removed or its role changed: the session is over
        editor = live_session_editor(store, int(web_session))
        if editor is None or editor.id != int(editor_id):
            return None
        return GridHolder(editor, mode, document_id)
    if mode == "single" and has_accounts(store):
        return None  # accounts were made since: everyone signs in now
    with store.session() as session:
        row = session.get(Editor, int(editor_id))
        return GridHolder(editor_view(row), mode, document_id) if row is not None else None
