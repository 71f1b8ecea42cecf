"""Editor rows: a person's name as stored (`clean_name`), finding the row, and its frozen view.

The lowest part of the people side of the store: accounts (passwords, roles) and signed-in
sessions both build on it.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from mt.errors import InvalidValue
from mt.store.views import EditorView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.models import Editor


def clean_name(name: str) -> str:
    """An editor name, NFC-normalised and stripped; InputError when empty or too long."""
    from mt.textsafe import refuse_unstorable

    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise InvalidValue("editor name is empty")
    refuse_unstorable(name, "editor name")
    if len(name) > 200:
        raise InvalidValue(f"editor name is too long ({len(name)} characters, at most 200)")
    return name


def editor_view(row: Editor) -> EditorView:
    return EditorView(row.id, row.name, row.role, row.created_at, row.password_hash is not None)


def find_editor(session: Session, name: str) -> Editor | None:
    from sqlalchemy import select

    from mt.store.models import Editor

    return session.execute(select(Editor).where(Editor.name == name)).scalar_one_or_none()
