"""The whole article as the web editor's grid draws it: one compact row per segment.

The rows are read by `mt.store.document_rows.grid_segments`; QA and confidence are added here.

A row is a list (small to send, quick to read in the browser), in `ROW_FIELDS` order:
segment id, number (from 1), paragraph, source, English, status, version, draft origin
("mt", "tm" or ""), QA findings (errors, warnings), low confidence (0/1), and the reading
editor's unsaved text (or None). QA counts of a text come from `mt.qa.check_pair` with the
stored glossary, cached per (source, English) pair, so a reload of a long article is quick. QA
of a new 2,000-segment article takes seconds (Korean sentence splitting), so `grid_rows` spends
at most `qa_budget_s` on it and leaves the rest to a background thread: those rows carry -1
(QA pending) and `GridData.pending` counts them; asking again later finds them cached.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Collection, Hashable

    from mt.qa.glossary import Glossary
    from mt.store.db import Store
    from mt.store.views import SegmentView

__all__ = [
    "ROW_FIELDS",
    "GridData",
    "changes_since",
    "conflict_info",
    "grid_rows",
    "qa_counts",
    "row_after_change",
]

ROW_FIELDS = (
    "id",
    "n",
    "para",
    "source",
    "target",
    "status",
    "version",
    "origin",
    "qa_errors",
    "qa_warnings",
    "low",
    "wip",
    "wip_version",
)


@dataclass(frozen=True)
class GridData:
    """Rows of one article and its progress counts."""

    rows: list[list[Any]]
    approved: int
    edited: int
    total: int
    pending: int = 0


@functools.lru_cache(maxsize=50_000)
def _qa(source: str, target: str, glossary_key: Hashable, glossary: _Unhashed) -> tuple[int, int]:
    from mt.qa import check_pair

    found = check_pair(source, target, glossary=glossary.value)
    errors = sum(1 for f in found if f.severity == "error")
    return errors, len(found) - errors


_worker: Any = None
_queued: set[tuple[str, str, Any]] = set()


def _background(jobs: list[tuple[str, str, Any, Any]]) -> None:
    """Fill the QA cache for `jobs` on one daemon thread (once per pair)."""
    global _worker
    import concurrent.futures

    if _worker is None:
        _worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="transdesk-qa")
    fresh = [j for j in jobs if j[:3] not in _queued]
    if not fresh:
        return
    _queued.update(j[:3] for j in fresh)

    def run() -> None:
        for source, target, key, glossary in fresh:
            try:
                qa_counts(source, target, glossary, key)
            finally:
                _queued.discard((source, target, key))

    _worker.submit(run)


def _cached(source: str, target: str, key: Hashable) -> bool:
    # lru_cache has no lookup without computing; keep our own set of computed keys.
    return (source, target, key) in _done


_done: set[tuple[str, str, Any]] = set()


def qa_counts(
    source: str, target: str, glossary: Glossary | None = None, glossary_key: Hashable = ""
) -> tuple[int, int]:
    """(errors, warnings) of QA on a pair, cached by (source, target, `glossary_key`): pass a
    key that changes whenever the glossary does."""
    out = _qa(source, target, glossary_key, _Unhashed(glossary))
    if len(_done) > 100_000:
        _done.clear()
    _done.add((source, target, glossary_key))
    return out


class _Unhashed:
    """Carries an object through lru_cache without making it part of the key."""

    def __init__(self, value: Glossary | None) -> None:
        self.value = value

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Unhashed)


def grid_rows(
    store: Store, doc_id: int, *, editor: str | None, qa_budget_s: float | None = 0.5
) -> GridData:
    """Every segment of the document as a grid row (see the module docstring).

    Raises:
        NotFound: no such document.
    """
    from mt.confidence import low_confidence
    from mt.store.document_rows import grid_segments
    from mt.store.drafts_wip import list_wip
    from mt.store.glossary import glossary_stamp
    from mt.termbase import session_glossary

    with store.session() as session:
        rows = grid_segments(session, doc_id)
        glossary = session_glossary(session)
        glossary_key = glossary_stamp(session)
    wip = list_wip(store, None, editor=editor) if editor else {}
    scores = {r.id: float(r.score) for r in rows if r.origin == "mt" and r.score is not None}
    low = low_confidence(scores)
    out: list[list[Any]] = []
    approved = edited = 0
    deadline = time.perf_counter() + qa_budget_s if qa_budget_s is not None else None
    if deadline is not None and not _done:
        deadline = 0.0  # the first QA of a process loads the Korean splitter (seconds)
    later: list[tuple[str, str, Any, Any]] = []
    for n, r in enumerate(rows, start=1):
        if (
            deadline is None
            or _cached(r.source, r.target, glossary_key)
            or time.perf_counter() < deadline
        ):
            errors, warnings = qa_counts(r.source, r.target, glossary, glossary_key)
        else:
            errors = warnings = -1
            later.append((r.source, r.target, glossary_key, glossary))
        mine = wip.get(r.id)
        out.append(
            [
                r.id,
                n,
                r.paragraph,
                r.source,
                r.target,
                r.status,
                r.version,
                r.origin or "",
                errors,
                warnings,
                int(r.id in low),
                mine.text if mine is not None else None,
                mine.base_version if mine is not None else None,
            ]
        )
        approved += r.status == "approved"
        edited += r.status == "edited"
    if later:
        _background(later)
    return GridData(out, approved, edited, len(out), len(later))


def row_after_change(store: Store, view: SegmentView) -> dict[str, Any]:
    """The fields of one grid row after a change, by name (see `ROW_FIELDS`), with QA counted
    against the desk glossary as `grid_rows` counts it; no unsaved copy ("wip") any more."""
    from mt.store.glossary import glossary_stamp
    from mt.termbase import session_glossary

    with store.session() as session:
        glossary, glossary_key = session_glossary(session), glossary_stamp(session)
    errors, warnings = qa_counts(view.source, view.target, glossary, glossary_key)
    return {
        "target": view.target,
        "status": view.status,
        "version": view.version,
        "origin": view.draft.origin if view.draft else "",
        "qe": errors,
        "qw": warnings,
        "wip": None,
    }


# A change committed just before a poll's clock reading may carry an earlier time than the poll
# after it saw: each poll looks this far back again (the grid skips versions it already has).
CHANGES_OVERLAP = timedelta(seconds=5)


def _diff(theirs: str, mine: str) -> list[list[str]]:
    from mt.textdiff import diff_words

    return [[op.kind, op.before, op.after] for op in diff_words(theirs, mine)]


def conflict_info(view: SegmentView, mine: str) -> dict[str, Any]:
    """What a conflict row shows: the other person's text and version, who and when, and the
    word diff from their text to `mine` (operations as [kind, before, after])."""
    return {
        "text": view.target,
        "version": view.version,
        "status": view.status,
        "by": view.updated_by,
        "at": view.updated_at.isoformat() if view.updated_at else None,
        "diff": _diff(view.target, mine),
    }


def changes_since(
    store: Store,
    doc_id: int,
    since: datetime | None,
    mine: dict[int, str],
    ids: Collection[int] = (),
) -> dict[str, Any]:
    """Segments of `doc_id` changed since `since` (None: none yet, only the clock) and those
    named in `ids` (whenever they changed), as named grid fields with who and when; `mine`
    (segment id → the asker's unsaved text) adds the word diff from the stored text to the
    asker's for the rows it names. `now` is the next `since`."""
    from mt.store.document_rows import changed_segments
    from mt.store.glossary import glossary_stamp
    from mt.store.models import utcnow
    from mt.termbase import session_glossary

    now = utcnow()
    if since is None and not ids:
        return {"now": now.isoformat(), "rows": []}
    with store.session() as session:
        found = changed_segments(
            session, doc_id, since - CHANGES_OVERLAP if since is not None else None, ids
        )
        glossary = session_glossary(session) if found else None
        glossary_key = glossary_stamp(session) if found else ""
    rows = []
    later: list[tuple[str, str, Any, Any]] = []
    for r in found:
        if _cached(r.source, r.target, glossary_key):
            errors, warnings = qa_counts(r.source, r.target, glossary, glossary_key)
        else:  # the poll answers at once; QA of the new text follows on the next sync
            errors = warnings = -1
            later.append((r.source, r.target, glossary_key, glossary))
        row: dict[str, Any] = {
            "id": r.id,
            "target": r.target,
            "status": r.status,
            "version": r.version,
            "origin": r.origin or "",
            "qe": errors,
            "qw": warnings,
            "by": r.updated_by,
            "at": r.updated_at.isoformat() if r.updated_at else None,
        }
        if r.id in mine and mine[r.id] != r.target:
            row["diff"] = _diff(r.target, mine[r.id])
        rows.append(row)
    if later:
        _background(later)
    return {"now": now.isoformat(), "rows": rows, "pending": len(later)}
