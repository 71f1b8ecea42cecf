"""Who is at the desk: OIDC sign-in, local accounts, or the single local user when none exist.

Three modes, chosen on every run:
- **oidc**: `[auth]` is configured in `.streamlit/secrets.toml`; sign-in goes through `st.login`
  and the editor's role comes from the store (new people start as editors);
- **local**: the store has accounts with passwords; people sign in with name and password
  (argon2 hashes, checked by the store). A sign-in lasts across reloads, new tabs and deep
  links: a random session token in an HttpOnly, SameSite=Strict cookie, stored only as a hash
  (`mt.store.sessions`; the cookie is set by `ui.server`'s route), until sign-out, expiry
  (TRANSDESK_SESSION_HOURS, default 12) or a change of the account (removed, new role);
- **single**: no account exists yet; the app runs as one local user with every right and says so.

The signed-in person is the account's **id** (`Identity.editor_id`), never its name: every run
reads the account again by id, so a renamed account keeps its session under its new name, and
a new account given the old name inherits nothing.

Roles are enforced by the store (it raises `PermissionDenied`); `require` repeats the check on the
server before an action, and hidden buttons are only a convenience.
"""

from __future__ import annotations

import getpass
import os
import time
from dataclasses import dataclass

import streamlit as st

from mt import permissions
from mt import store as repo
from mt.errors import PermissionDenied
from ui import components as ui

_SESSION_KEY = "transdesk_identity"
_WEB_SESSION_KEY = "transdesk_web_session"
_FAILURES_KEY = "transdesk_signin_failures"
_FAILED_KEY = "transdesk_signin_failed"


@dataclass(frozen=True)
class Identity:
    """The signed-in person: store name, role, how they got in (oidc, local, single), and the
    id of their editor row (who they are; the name and role are read again by it every run)."""

    name: str
    role: str
    mode: str
    editor_id: int

    def can(self, action: str) -> bool:
        """Whether this person's role allows `action` (the one table, `mt.permissions`)."""
        return permissions.allowed(self.role, action, accounts=self.mode != "single")


def require(identity: Identity, action: str) -> None:
    """Raise PermissionDenied unless `identity` may do `action` (`mt.permissions`)."""
    permissions.require(identity.name, identity.role, action, accounts=identity.mode != "single")


def oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an `[auth]` section for `st.login`."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def local_user_name() -> str:
    """The name of the single local user: TRANSDESK_USER, else the login name."""
    name = os.environ.get("TRANSDESK_USER")
    if name:
        return name
    try:
        return getpass.getuser() or "editor"
    except Exception:  # no login name in some containers
        return "editor"


def current() -> Identity:
    """Who is at the desk, checked against the store again (pages and actions call this).

    Every page and every action asks, not only the router: a role changed or an account removed
    takes effect on the next click.

    Raises:
        PermissionDenied: nobody is signed in, or the account is gone.
    """
    from ui.state import store

    identity = sign_in(store())
    if identity is None:
        raise PermissionDenied("sign in first")
    return identity


def page_identity() -> Identity:
    """`current()` for a page: shows the reason and stops the page when nobody is signed in."""
    try:
        return current()
    except PermissionDenied as e:
        ui.error(f"{e}.")
        st.stop()
        raise  # st.stop() does not return


def sign_in(store: repo.Store) -> Identity | None:
    """Establish who is at the desk, or None when a sign-in form must be shown first."""
    if oidc_configured():
        identity = _oidc_identity(store)
    elif repo.has_accounts(store):
        identity = _local_identity(store)
    else:
        editor = repo.ensure_editor(store, local_user_name(), role="admin")
        identity = Identity(editor.name, "admin", "single", editor.id)
    if identity is None:
        st.session_state.pop(_SESSION_KEY, None)
    else:
        st.session_state[_SESSION_KEY] = identity
    return identity


def _oidc_identity(store: repo.Store) -> Identity | None:
    if not st.user.is_logged_in:
        return None
    name = str(st.user.get("email") or st.user.get("name") or st.user.get("sub") or "")
    if not name:
        return None
    editor = repo.ensure_editor(store, name)
    return Identity(editor.name, editor.role, "oidc", editor.id)


def _cookie_identity(store: repo.Store) -> Identity | None:
    """Who the browser's session cookie belongs to (a reload, a new tab, a deep link)."""
    from mt.store import sessions

    try:
        token = st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # no request context (AppTest, bare mode)
        token = None
    if not token:
        return None
    editor = sessions.session_editor(store, token)
    if editor is None:
        return None
    st.session_state[_WEB_SESSION_KEY] = ("token", token)
    return Identity(editor.name, editor.role, "local", editor.id)


def _signed_in_editor(store: repo.Store, editor_id: int) -> repo.EditorView | None:
    """The account `editor_id` as stored now, while this browser session's sign-in is live (not
    signed out, expired, or ended by a role change or removal) and is that account's; else None.
    """
    from mt.store import sessions

    kept = st.session_state.get(_WEB_SESSION_KEY)
    if kept is None:  # signed in before sessions were recorded (tests drive the page directly)
        editor = repo.editor_by_id(store, editor_id)
    else:
        kind, value = kept
        if kind == "token":
            editor = sessions.session_editor(store, value)
        else:
            editor = sessions.live_session_editor(store, value)
    if editor is None or editor.id != editor_id or not editor.has_password:
        return None  # gone, removed, or a session row that is not this person's
    return editor


def _local_identity(store: repo.Store) -> Identity | None:
    kept = st.session_state.get(_SESSION_KEY)
    if not isinstance(kept, Identity) or kept.mode != "local":
        return _cookie_identity(store)
    # By id, never by name: the account may have been renamed (and its old name given to
    # someone else), its role changed or the account removed since sign-in.
    editor = _signed_in_editor(store, kept.editor_id)
    if editor is None:
        st.session_state.pop(_WEB_SESSION_KEY, None)
        return None
    return Identity(editor.name, editor.role, "local", editor.id)


def sign_in_page() -> None:
    """The page shown instead of the app until someone signs in."""
    st.title("Transdesk")
    st.subheader("Sign in")
    if oidc_configured():
        st.write("This desk uses your organisation's sign-in.")
        if st.button("Sign in", type="primary", key="oidc_sign_in"):
            try:
                st.login()
            except Exception as e:  # Authlib missing or the [auth] settings incomplete
                ui.error(f"Sign-in is not available: {e}")
        return
    with st.form("sign_in", border=True):
        st.text_input("Name", key="sign_in_name", autocomplete="username")
        st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        # A callback runs before the next script run, so the app opens signed in at once.
        st.form_submit_button("Sign in", type="primary", on_click=_check_password)
    if st.session_state.pop(_FAILED_KEY, False):
        st.error("Wrong name or password.")
    st.caption("Ask an admin for an account (`transdesk users add NAME --role editor`).")


def _check_password() -> None:
    from ui.state import store

    name = (st.session_state.get("sign_in_name") or "").strip()
    password = st.session_state.get("sign_in_password") or ""
    st.session_state["sign_in_password"] = ""
    failures = int(st.session_state.get(_FAILURES_KEY, 0))
    # Slow down guessing in this session; argon2 already makes each try costly.
    time.sleep(min(failures, 5) * 0.5)
    editor = repo.authenticate(store(), name, password) if name and password else None
    if editor is None:
        st.session_state[_FAILURES_KEY] = failures + 1
        st.session_state[_FAILED_KEY] = True
        return
    st.session_state[_FAILURES_KEY] = 0
    st.session_state[_SESSION_KEY] = Identity(editor.name, editor.role, "local", editor.id)
    _remember_browser(editor.id)


def _remember_browser(editor_id: int) -> None:
    """Open a stored session for the account `editor_id` and have the browser trade its one-time
    code for the cookie."""
    from mt.store import sessions
    from ui import cookie
    from ui.server_routes import SESSION_ROUTE
    from ui.state import store

    pending = sessions.begin_session(store(), editor_id)
    st.session_state[_WEB_SESSION_KEY] = ("id", pending.session_id)
    cookie.request(SESSION_ROUTE, {"code": pending.code})


def sign_out() -> None:
    """Forget this session's identity and everything it kept (a button callback)."""
    from mt.store import sessions
    from ui import cookie
    from ui.server_routes import SIGNOUT_ROUTE
    from ui.state import store

    identity = st.session_state.get(_SESSION_KEY)
    kept = st.session_state.get(_WEB_SESSION_KEY)
    if kept is not None:
        kind, value = kept
        if kind == "token":
            sessions.revoke_session(store(), token=value)
        else:
            sessions.revoke_session(store(), session_id=value)
    for key in list(st.session_state):
        del st.session_state[key]
    if isinstance(identity, Identity) and identity.mode == "oidc":
        st.logout()
    elif isinstance(identity, Identity) and identity.mode == "local":
        cookie.request(SIGNOUT_ROUTE)  # the cookie goes too (its session is already revoked)


def web_session_id(store: repo.Store) -> int | None:
    """The id of this browser session's stored sign-in (local accounts), else None."""
    from mt.store.sessions import session_of_token

    kept = st.session_state.get(_WEB_SESSION_KEY)
    if kept is None:
        return None
    kind, value = kept
    return value if kind == "id" else session_of_token(store, value)
