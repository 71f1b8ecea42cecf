"""Editor rows: a person's name as stored (`clean_name`), finding the row, and its frozen view.

`clean_name` is how a name is looked up; `check_new_name` is the one check of a name a row is
created with or renamed to (the CLI's `transdesk users` and the web's Settings both reach it
through `mt.store.accounts`): NFKC, no invisible or direction-changing character (`mt.names`),
and no existing editor's name look-alike (the same TR39 confusable skeleton).

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


def check_new_name(session: Session, name: str, *, keep_id: int | None = None) -> str:
    """`name` as a new (or renamed, `keep_id`) editor row may be called: `mt.names.check_name`,
    then refused when its confusable skeleton is another editor's (that row's own id,
    `keep_id`, left out). Raises InvalidValue (one line; neither name is shown raw)."""
    from sqlalchemy import select

    from mt.names import check_name, skeleton
    from mt.store.models import Editor
    from mt.textsafe import refuse_unstorable

    name = check_name(name)
    refuse_unstorable(name, "editor name")
    mine = skeleton(name)
    for row_id, other in session.execute(select(Editor.id, Editor.name)).all():
        if row_id == keep_id or other == name:
            continue
        if skeleton(unicodedata.normalize("NFKC", other)) == mine:
            raise InvalidValue(
                f"editor name {name!r} looks like the existing editor {other!r}: refused "
                "(choose a name that reads differently)"
            )
    return name


def editor_view(row: Editor) -> EditorView:
    return EditorView(row.id, row.name, row.role, row.created_at, row.password_hash is not None)


def find_editor(session: Session, name: str) -> Editor | None:
    from sqlalchemy import select

    from mt.store.models import Editor

    return session.execute(select(Editor).where(Editor.name == name)).scalar_one_or_none()
