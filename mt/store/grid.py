"""The whole article as the web editor's grid draws it: one compact row per segment.

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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mt.store.db import Store

__all__ = ["ROW_FIELDS", "GridData", "grid_rows", "qa_counts"]

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
def _qa(source: str, target: str, glossary_key: Any, glossary: Any) -> tuple[int, int]:
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


def _cached(source: str, target: str, key: Any) -> bool:
    # lru_cache has no lookup without computing; keep our own set of computed keys.
    return (source, target, key) in _done


_done: set[tuple[str, str, Any]] = set()


def qa_counts(
    source: str, target: str, glossary: Any = None, glossary_key: Any = ""
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

    def __init__(self, value: Any) -> None:
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
    from sqlalchemy import func, select

    from mt.confidence import low_confidence
    from mt.store.documents import require_document
    from mt.store.drafts_wip import list_wip
    from mt.store.glossary import session_glossary
    from mt.store.models import Draft, GlossaryTerm, Segment

    with store.session() as session:
        require_document(session, doc_id)
        rows = session.execute(
            select(
                Segment.id,
                Segment.paragraph,
                Segment.source,
                Segment.target,
                Segment.status,
                Segment.version,
                Draft.origin,
                Draft.score,
            )
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
        glossary = session_glossary(session)
        glossary_key = tuple(
            session.execute(
                select(func.count(GlossaryTerm.id), func.max(GlossaryTerm.updated_at))
            ).one()
        )
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
