"""Accounts: argon2id password hashes, the password policy, roles, and the role check every
action passes (the editor rows themselves: `mt.store.editors`)."""

from __future__ import annotations

import functools
import secrets
from typing import TYPE_CHECKING, Any, cast

from mt import permissions
from mt.errors import InputError, InvalidValue, NotFound, PermissionDenied
from mt.store.db import Store, upsert_insert
from mt.store.editors import check_new_name, clean_name, editor_view, find_editor
from mt.store.views import EditorView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.models import Base, Editor, Segment


_hasher: Any = None


def _password_hasher() -> Any:
    """argon2-cffi's PasswordHasher: argon2id with its memory-hard defaults (RFC 9106 low-mem)."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches in practice, verified against for names that do not exist."""
    return _password_hasher().hash(secrets.token_urlsafe(32))


# The desk's password policy, for every way in (CLI `users add`/`passwd`, the web app's People).
MIN_PASSWORD_LENGTH = 8


def check_password(password: str) -> str:
    """`password` when the policy accepts it; `InvalidValue` (exit 1) when it is empty or shorter
    than `MIN_PASSWORD_LENGTH` characters."""
    if not password:
        raise InvalidValue("password is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    """An argon2id hash string (salt and parameters included)."""
    if not password:
        raise InvalidValue("password is empty")
    return _password_hasher().hash(password)


def check_role(role: str) -> str:
    """`role` when it is one of `mt.permissions.ROLES`; an `InvalidValue` (exit 1) otherwise."""
    return permissions.check_role(role)


def accounts_exist(session: Session) -> bool:
    """True when any editor has a password (role checks then apply)."""
    from sqlalchemy import select

    from mt.store.models import Editor

    found = session.execute(
        select(Editor.id).where(Editor.password_hash.is_not(None)).limit(1)
    ).first()
    return found is not None


def create_editor(session: Session, name: str, role: str = "editor") -> Editor:
    """The editor row called `name`, inserted if missing (safe against a concurrent insert)."""
    from mt.store.models import Editor, utcnow

    row = find_editor(session, name)
    if row is None:
        name = check_new_name(session, name)  # NFKC: it may be an existing row's name now
        row = find_editor(session, name)
    if row is None:
        insert_ignore(session, Editor, {"name": name, "role": role, "created_at": utcnow()})
        # Inserted just now, or by the concurrent insert this one gave way to: there now.
        row = cast("Editor", find_editor(session, name))
    return row


def actor(session: Session, name: str, action: str) -> Editor:
    """The editor row doing `action`, after the role check of `mt.permissions`.

    Without accounts (local, single-user use) anyone but a viewer may do anything, and unknown
    names are created as editors. Once any account has a password, the name must exist and its
    role must allow `action` (`mt.permissions.PERMISSIONS`).

    Raises:
        PermissionDenied: unknown name with accounts, or a role too low for `action`.
    """
    permissions.check_action(action)
    name = clean_name(name)
    accounts = accounts_exist(session)
    row = find_editor(session, name)
    if row is None:
        if accounts:
            raise PermissionDenied(f"no account named {name!r}")
        return create_editor(session, name)
    permissions.require(row.name, row.role, action, accounts=accounts)
    return row


def check_change_approved(session: Session, seg: Segment, who: Editor, kind: str) -> None:
    """The store's rule for approved segments: saving over or reverting one needs the
    ``change_approved`` right of `mt.permissions` once accounts exist (an editor asks a
    reviewer to reopen it first); other changes and other segments pass.

    Raises:
        PermissionDenied: `who` may not change approved segment `seg`.
    """
    if not permissions.needs_change_approved(kind, seg.status):
        return
    if permissions.allowed(who.role, "change_approved") or not accounts_exist(session):
        return
    raise permissions.change_approved_denied(seg.id, who.name)


def insert_ignore(
    session: Session, model: type[Base], values: dict[str, Any] | list[dict[str, Any]]
) -> None:
    """INSERT that silently skips rows clashing with a unique constraint (both databases)."""
    session.execute(upsert_insert(session, model).on_conflict_do_nothing(), values)


def require_admin(
    session: Session,
    by: str | None,
    action: str,
    *,
    unless_self: str = "",
    permission: str = "manage_users",
) -> None:
    """With accounts, only a role `permission` allows (admins: `mt.permissions`), or for a
    password the user themself, may manage people and the desk's shared data."""
    if by is None or not accounts_exist(session):
        return
    row = find_editor(session, clean_name(by))
    if row is None:
        raise PermissionDenied(f"no account named {by!r}")
    if row.name != unless_self:
        permissions.require(row.name, row.role, permission, doing=action)


# --- public functions (re-exported by mt.store) -----------------------------------------------


def add_user(
    store: Store,
    name: str,
    *,
    role: str = "editor",
    password: str | None = None,
    by: str | None = None,
) -> EditorView:
    """Create an account; `password` (checked by `check_password`) is stored as an argon2id hash
    (None: no password).

    A password-less editor that already exists (created by local use or an XLIFF import) is
    claimed: it gets the role and password given. `by` names the signed-in user doing it (the
    web app passes it): once accounts exist, only an admin may add users. The CLI passes None
    (whoever runs it owns the database).

    Raises:
        InvalidValue: empty name, unknown role, or a password the policy refuses.
        InputError: the name has an account already.
        PermissionDenied: `by` is not an admin while accounts exist.
    """
    from mt.store.models import Editor, utcnow

    name = clean_name(name)
    check_role(role)
    hashed = hash_password(check_password(password)) if password is not None else None
    with store.session(write=True) as session:
        require_admin(session, by, "add users")
        row = find_editor(session, name)
        name = check_new_name(session, name, keep_id=row.id if row is not None else None)
        row = row if row is not None else find_editor(session, name)
        if row is not None and (row.password_hash is not None or hashed is None):
            raise InputError(f"user {name!r} already exists")
        if row is None:
            row = Editor(name=name, role=role, password_hash=hashed, created_at=utcnow())
            session.add(row)
        else:
            row.role, row.password_hash = role, hashed
        session.flush()
        return editor_view(row)


def authenticate(store: Store, name: str, password: str) -> EditorView | None:
    """The editor when `password` matches their hash, else None (never raises on a bad login)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _password_hasher()
    try:
        name = clean_name(name)
    except InputError:
        return None
    with store.session() as session:
        row = find_editor(session, name)
        stored = row.password_hash if row is not None else None
        view = editor_view(row) if row is not None else None
    if not password:
        return None
    try:
        # An unknown name costs one verification too, so timing does not tell which names exist.
        hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    if hasher.check_needs_rehash(stored):
        _store_password(store, name, password)  # the password in use, policy or not
    return view


def list_users(store: Store) -> list[EditorView]:
    """Every editor, by name."""
    from sqlalchemy import select

    from mt.store.models import Editor

    with store.session() as session:
        rows = session.execute(select(Editor).order_by(Editor.name)).scalars()
        return [editor_view(r) for r in rows]


def editor_by_id(store: Store, editor_id: int) -> EditorView | None:
    """The editor with id `editor_id` as stored now (its current name and role), or None.

    The id is who a person is: a name can be renamed and then taken by someone else.
    """
    from mt.store.models import Editor

    with store.session() as session:
        row = session.get(Editor, editor_id)
        return editor_view(row) if row is not None else None


def set_role(store: Store, name: str, role: str, *, by: str | None = None) -> EditorView:
    """Change an editor's role (`by`: as in `add_user`, an admin once accounts exist).

    Raises NotFound for an unknown name, InputError for a bad role, PermissionDenied.
    """
    check_role(role)
    name = clean_name(name)
    with store.session(write=True) as session:
        require_admin(session, by, "change roles")
        row = find_editor(session, name)
        if row is None:
            raise NotFound(f"no editor named {name!r}")
        if row.role != role:
            from mt.store.sessions import revoke_editor_sessions

            revoke_editor_sessions(session, row.id)  # signed-in browsers must sign in again
        row.role = role
        session.flush()
        return editor_view(row)


def set_password(store: Store, name: str, password: str, *, by: str | None = None) -> EditorView:
    """Set or replace an editor's password (`by`: the user themself or an admin). Replacing a
    password signs out every browser signed in with the old one.

    Raises InvalidValue for a password the policy refuses (`check_password`), NotFound for an
    unknown name, PermissionDenied.
    """
    name = clean_name(name)
    return _store_password(store, name, check_password(password), by=by)


def _store_password(store: Store, name: str, password: str, *, by: str | None = None) -> EditorView:
    from mt.store.sessions import revoke_editor_sessions

    name = clean_name(name)
    hashed = hash_password(password)
    with store.session(write=True) as session:
        require_admin(session, by, "set passwords", unless_self=name)
        row = find_editor(session, name)
        if row is None:
            raise NotFound(f"no editor named {name!r}")
        replaced = row.password_hash is not None
        row.password_hash = hashed
        if replaced:
            revoke_editor_sessions(session, row.id)
        session.flush()
        return editor_view(row)


def rename_user(store: Store, name: str, new_name: str, *, by: str | None = None) -> EditorView:
    """Give an editor a new name (`by`: an admin once accounts exist).

    The editor keeps its id, so its history stays its own; the database logs the rename
    (`editor_rename`: old name, new name, when), so reports can say who was called what.

    Raises NotFound for an unknown name, InputError when the new name is taken or invalid,
    PermissionDenied.
    """
    name, new_name = clean_name(name), clean_name(new_name)
    with store.session(write=True) as session:
        require_admin(session, by, "rename users")
        row = find_editor(session, name)
        if row is None:
            raise NotFound(f"no editor named {name!r}")
        new_name = check_new_name(session, new_name, keep_id=row.id)
        if new_name != name and find_editor(session, new_name) is not None:
            raise InputError(f"an editor named {new_name!r} already exists")
        row.name = new_name
        session.flush()
        return editor_view(row)


def remove_user(store: Store, name: str, *, by: str | None = None) -> EditorView:
    """Remove an account: its password goes and every signed-in browser of it is signed out.

    The editor row stays, without password, because the edit log names it (the log is
    append-only); the name can be given an account again with `add_user`.

    Raises NotFound for an unknown name or one without account, PermissionDenied.
    """
    from mt.store.sessions import revoke_editor_sessions

    name = clean_name(name)
    with store.session(write=True) as session:
        require_admin(session, by, "remove users")
        row = find_editor(session, name)
        if row is None or row.password_hash is None:
            raise NotFound(f"no account named {name!r}")
        row.password_hash = None
        revoke_editor_sessions(session, row.id)
        session.flush()
        return editor_view(row)


def has_accounts(store: Store) -> bool:
    """True when any editor has a password: role checks then apply to every action."""
    with store.session() as session:
        return accounts_exist(session)


def ensure_editor(store: Store, name: str, *, role: str = "editor") -> EditorView:
    """The editor called `name`, created (without password, with `role`) if missing."""
    name = clean_name(name)
    check_role(role)
    with store.session(write=True) as session:
        return editor_view(create_editor(session, name, role))
