"""The desk's glossary in the database: import (CSV, TSV, TBX), list, delete, and QA with it.

Terms are read with `mt.qa.glossary.load_glossary` (file formats documented there) and stored one
row per Korean term; importing a term that exists replaces its renderings (the file is newer).
Once accounts exist only admins change the glossary: every changing function takes `by`, the
signed-in user, and checks it here, on the server. `store_glossary` builds the `Glossary` that
QA and drafting use; it is cached per database and rebuilt when the terms change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mt.errors import InputError, NotFound
from mt.qa.checks import Finding, check_pair
from mt.qa.glossary import Glossary, Term, load_glossary, parse_glossary
from mt.store.db import Store

__all__ = [
    "GlossaryImportResult",
    "GlossaryTermView",
    "check_segment",
    "delete_glossary_term",
    "import_glossary",
    "list_glossary",
    "store_glossary",
]

MAX_TERM_CHARS = 200


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


def _term_values(term: Term) -> dict[str, Any]:
    return {
        "english": list(term.english),
        "avoid": list(term.avoid),
        "case_sensitive": bool(term.case_sensitive),
        "note": term.note or "",
    }


def import_glossary(
    store: Store, path: str | Path, *, data: bytes | None = None, by: str | None = None
) -> GlossaryImportResult:
    """Add the terms of a CSV, TSV or TBX glossary file; terms already stored are replaced.

    Arguments:
        path: the file, or (with `data`) just its name, whose suffix picks the format.
        data: the file's bytes (an upload), read instead of `path`.
        by: the signed-in user; once accounts exist it must be an admin.

    Raises:
        InputError, UnsupportedFormat: the file cannot be read as a glossary (see
            `load_glossary`), or a Korean term is longer than 200 characters.
        PermissionDenied: accounts exist and `by` is not an admin.
    """
    name = Path(path).name
    # An upload is parsed from memory: it never touches the disk.
    glossary = load_glossary(path) if data is None else parse_glossary(data, name or "glossary")
    return _save(store, glossary, source=name, by=by)


def _save(store: Store, glossary: Glossary, *, source: str, by: str | None) -> GlossaryImportResult:
    from sqlalchemy import select

    from mt.store.accounts import _require_admin, clean_name, find_editor
    from mt.store.models import GlossaryTerm, utcnow
    from mt.textsafe import refuse_unstorable

    terms = list(glossary)
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
        _require_admin(session, by, "change the glossary")
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
    import unicodedata

    from sqlalchemy import delete

    from mt.store.accounts import _require_admin
    from mt.store.models import GlossaryTerm

    korean = unicodedata.normalize("NFC", korean).strip()
    with store.session(write=True) as session:
        _require_admin(session, by, "change the glossary")
        result = session.execute(delete(GlossaryTerm).where(GlossaryTerm.korean == korean))
        if result.rowcount == 0:
            raise NotFound(f"no glossary term '{korean}'")


# --- the Glossary object, cached per database --------------------------------------------------

_cache: dict[tuple[str, int], tuple[tuple, Glossary | None]] = {}
_cache_lock = threading.Lock()


def _stamp(session: Any) -> tuple:
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


def session_glossary(session: Any) -> Glossary | None:
    """The stored glossary (None when it has no terms), read inside an open session."""
    from sqlalchemy import select

    from mt.store.models import GlossaryTerm

    bind = session.get_bind()
    key = (str(bind.url), id(bind.pool))  # the pool: one per open store, shared by its sessions
    stamp = _stamp(session)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rows = session.execute(select(GlossaryTerm)).scalars().all()
    glossary = (
        Glossary(
            Term(r.korean, tuple(r.english), tuple(r.avoid or ()), bool(r.case_sensitive), r.note)
            for r in rows
        )
        if rows
        else None
    )
    with _cache_lock:
        _cache[key] = (stamp, glossary)
    return glossary


def store_glossary(store: Store) -> Glossary | None:
    """The stored glossary as a `Glossary`, or None when it has no terms."""
    with store.session() as session:
        return session_glossary(session)


def check_segment(store: Store, source: str, target: str) -> list[Finding]:
    """QA findings (`mt.qa.check_pair`) of a target, with the stored glossary."""
    return check_pair(source, target, glossary=store_glossary(store))
