"""The desk glossary as a service: import a glossary file, the `Glossary` QA and drafting use,
and QA of one segment with it.

Terms are read with `mt.qa.glossary.load_glossary` (CSV, TSV, TBX; formats documented there) and
stored one row per Korean term by `mt.store.glossary` (importing a term that exists replaces its
renderings; once accounts exist only admins may). `store_glossary` builds the `Glossary` that QA
and drafting use; it is cached per database and rebuilt when the terms change.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from mt.qa.checks import check_pair
from mt.qa.findings import Finding
from mt.qa.glossary import Glossary, Term, load_glossary, parse_glossary

if TYPE_CHECKING:
    from mt.store.db import Session, Store
    from mt.store.glossary import GlossaryImportResult

__all__ = ["check_segment", "import_glossary", "session_glossary", "store_glossary"]


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
    from mt.store.glossary import save_terms

    name = Path(path).name
    # An upload is parsed from memory: it never touches the disk.
    glossary = load_glossary(path) if data is None else parse_glossary(data, name or "glossary")
    return save_terms(store, list(glossary), source=name, by=by)


# --- the Glossary object, cached per database --------------------------------------------------

_cache: dict[tuple[str, int], tuple[tuple, Glossary | None]] = {}
_cache_lock = threading.Lock()


def session_glossary(session: Session) -> Glossary | None:
    """The stored glossary (None when it has no terms), read inside an open store session."""
    from mt.store.glossary import glossary_stamp, term_rows

    bind = session.get_bind().engine  # the Engine itself (a Connection names its Engine)
    key = (str(bind.url), id(bind.pool))  # the pool: one per open store, shared by its sessions
    stamp = glossary_stamp(session)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rows = term_rows(session)
    glossary = (
        Glossary(Term(r.korean, r.english, r.avoid, r.case_sensitive, r.note) for r in rows)
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
