"""The desk's settings rows (table desk_setting): one text value per key, with who changed it.

Keys in use: ``style`` (the house style TOML) and ``llm_prompt`` (the LLM prompt template);
what they mean and how they are checked before storing is `mt.desk`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.db import Store

__all__ = ["get_setting", "put_setting", "session_setting"]


def session_setting(session: Session, key: str) -> str | None:
    """The stored value of `key` (None when unset), read inside an open session."""
    from mt.store.models import DeskSetting

    row = session.get(DeskSetting, key)
    return row.value if row is not None else None


def get_setting(store: Store, key: str) -> str | None:
    """The stored value of `key`, or None when unset."""
    with store.session() as session:
        return session_setting(session, key)


def put_setting(
    store: Store,
    key: str,
    text: str | None,
    *,
    by: str | None,
    action: str,
    permission: str = "manage_users",
) -> None:
    """Store (or with None remove) the setting `key`, noting who changed it.

    Arguments:
        action, permission: what `by` is doing and the permission it needs once accounts exist
            (see `mt.store.accounts.require_admin`).

    Raises:
        PermissionDenied: accounts exist and `by` may not.
    """
    from mt.store.accounts import clean_name, find_editor, require_admin
    from mt.store.models import DeskSetting, utcnow

    with store.session(write=True) as session:
        require_admin(session, by, action, permission=permission)
        row = session.get(DeskSetting, key)
        if text is None:
            if row is not None:
                session.delete(row)
            return
        who = find_editor(session, clean_name(by)) if by else None
        if row is None:
            session.add(
                DeskSetting(
                    key=key, value=text, editor_id=who.id if who else None, updated_at=utcnow()
                )
            )
        else:
            row.value, row.updated_at = text, utcnow()
            row.editor_id = who.id if who else row.editor_id
