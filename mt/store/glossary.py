"""The desk glossary's rows: one per Korean term, saved, listed, deleted, read for QA.

Saving a term that exists replaces its renderings (the file is newer). Once accounts exist only
admins change the glossary: every changing function takes `by`, the signed-in user, and checks it
here, on the server. Reading files and building the `Glossary` QA uses is `mt.termbase`'s.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from mt.errors import InputError, NotFound
from mt.textsafe import refuse_unstorable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.db import Store

__all__ = [
    "MAX_TERM_CHARS",
    "GlossaryImportResult",
    "GlossaryTermView",
    "TermValues",
    "delete_glossary_term",
    "glossary_stamp",
    "list_glossary",
    "save_terms",
    "term_rows",
]

MAX_TERM_CHARS = 200


class TermValues(Protocol):
    """What a term saves (`mt.qa.glossary.Term` has it): Korean, accepted English (first
    preferred), known wrong renderings, case sensitivity and a note."""

    @property
    def korean(self) -> str: ...
    @property
    def english(self) -> tuple[str, ...]: ...
    @property
    def avoid(self) -> tuple[str, ...]: ...
    @property
    def case_sensitive(self) -> bool: ...
    @property
    def note(self) -> str | None: ...


@dataclass(frozen=True)
class GlossaryTermView:
    """One stored term: Korean, accepted English (first preferred), known wrong renderings."""

    id: int
    korean: str
    english: tuple[str, ...]
    avoid: tuple[str, ...]
    case_sensitive: bool
    note: str
    source: str | None
    updated_at: datetime | None
    updated_by: str | None = None


@dataclass(frozen=True)
class GlossaryImportResult:
    """What an import did: terms added, changed, and already the same."""

    added: int
    updated: int
    unchanged: int


def _term_values(term: TermValues) -> dict[str, Any]:
    return {
        "english": list(term.english),
        "avoid": list(term.avoid),
        "case_sensitive": bool(term.case_sensitive),
        "note": term.note or "",
    }


def save_terms(
    store: Store, terms: Sequence[TermValues], *, source: str, by: str | None
) -> GlossaryImportResult:
    """Store `terms` (from the file or list named `source`); terms already stored are replaced.

    Raises:
        InputError: a text cannot be stored, or a Korean term is longer than 200 characters.
        PermissionDenied: accounts exist and `by` is not an admin.
    """
    from sqlalchemy import select

    from mt.store.accounts import clean_name, find_editor, require_admin
    from mt.store.models import GlossaryTerm, utcnow

    terms = list(terms)
    for term in terms:
        for text in (term.korean, *term.english, *term.avoid, term.note or ""):
            refuse_unstorable(text, f"{source}: term '{term.korean[:20]}'")
        if len(term.korean) > MAX_TERM_CHARS:
            raise InputError(
                f"{source}: term '{term.korean[:20]}…' is longer than {MAX_TERM_CHARS} characters"
            )
    now = utcnow()
    added = updated = unchanged = 0
    with store.session(write=True) as session:
        require_admin(session, by, "change the glossary", permission="glossary")
        who = find_editor(session, clean_name(by)) if by else None
        existing = {
            row.korean: row
            for row in session.execute(
                select(GlossaryTerm).where(GlossaryTerm.korean.in_([t.korean for t in terms]))
            ).scalars()
        }
        for term in terms:
            values = _term_values(term)
            row = existing.get(term.korean)
            if row is None:
                session.add(
                    GlossaryTerm(
                        korean=term.korean,
                        source=source,
                        editor_id=who.id if who else None,
                        created_at=now,
                        updated_at=now,
                        **values,
                    )
                )
                added += 1
            elif all(getattr(row, k) == v for k, v in values.items()):
                unchanged += 1
            else:
                for k, v in values.items():
                    setattr(row, k, v)
                row.source, row.updated_at = source, now
                row.editor_id = who.id if who else row.editor_id
                updated += 1
    return GlossaryImportResult(added, updated, unchanged)


def list_glossary(store: Store) -> list[GlossaryTermView]:
    """Every stored term, in Korean alphabetical order."""
    from sqlalchemy import select

    from mt.store.models import Editor, GlossaryTerm

    with store.session() as session:
        rows = session.execute(
            select(GlossaryTerm, Editor.name)
            .outerjoin(Editor, Editor.id == GlossaryTerm.editor_id)
            .order_by(GlossaryTerm.korean)
        ).all()
        return [
            GlossaryTermView(
                t.id,
                t.korean,
                tuple(t.english),
                tuple(t.avoid or ()),
                bool(t.case_sensitive),
                t.note or "",
                t.source,
                t.updated_at,
                name,
            )
            for t, name in rows
        ]


def delete_glossary_term(store: Store, korean: str, *, by: str | None = None) -> None:
    """Remove one term (by its Korean).

    Raises:
        NotFound: no such term. PermissionDenied: accounts exist and `by` is not an admin.
    """
    from sqlalchemy import delete

    from mt.store.accounts import require_admin
    from mt.store.models import GlossaryTerm

    korean = unicodedata.normalize("NFC", korean).strip()
    with store.session(write=True) as session:
        require_admin(session, by, "change the glossary", permission="glossary")
        result = session.execute(delete(GlossaryTerm).where(GlossaryTerm.korean == korean))
        if result.rowcount == 0:
            raise NotFound(f"no glossary term '{korean}'")


def glossary_stamp(session: Session) -> tuple:
    """Changes whenever a term is added, changed or deleted."""
    from sqlalchemy import func, select

    from mt.store.models import GlossaryTerm

    return tuple(
        session.execute(
            select(
                func.count(), func.max(GlossaryTerm.id), func.max(GlossaryTerm.updated_at)
            ).select_from(GlossaryTerm)
        ).one()
    )


def term_rows(session: Session) -> list[GlossaryTermView]:
    """Every stored term (in table order), read inside an open session."""
    from sqlalchemy import select

    from mt.store.models import GlossaryTerm

    return [
        GlossaryTermView(
            r.id,
            r.korean,
            tuple(r.english),
            tuple(r.avoid or ()),
            bool(r.case_sensitive),
            r.note,
            r.source,
            r.updated_at,
        )
        for r in session.execute(select(GlossaryTerm)).scalars().all()
    ]
