"""The rows reports are computed from: segments with their drafts, times, QA findings, key logs,
models' drafts, the chain of edit steps, and the model scores of current MT drafts.

Every read returns plain data (named tuples of columns, dicts); what the numbers mean is
`mt.report`'s, `mt.attribution`'s and `mt.confidence`'s. The only writes are the cached own-step
statistics of `edit_step` rows (`put_step_stats`), derived data a busy or read-only database may
refuse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from mt.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.db import Store

__all__ = [
    "ReportRows",
    "SegmentRow",
    "current_mt_scores",
    "draft_texts",
    "editor_active_ms",
    "keylogs_by_editor",
    "model_drafts",
    "put_step_stats",
    "report_rows",
    "step_rows",
]

_CHUNK = 500


class SegmentRow(NamedTuple):
    """A segment in a report's scope with its current draft and last editor."""

    id: int
    document_id: int
    source: str
    target: str
    status: str
    draft_id: int | None
    draft_text: str | None
    model_id: str | None
    editor: str | None
    score: float | None
    origin: str | None
    revision: str | None
    updated_at: datetime | None  # only read when asked for (slow on SQLite)


@dataclass(frozen=True)
class ReportRows:
    """What a report reads in one session.

    `active_ms`: summed active time of each segment's events; `findings`: per segment, the text
    and QA findings of its latest save or approval with findings; `keylogs`: per segment, the
    key logs of its events; `cached`: raw score-cache rows of the current drafts.
    """

    titles: dict[int, str]
    segments: list[SegmentRow]
    active_ms: dict[int, int]
    findings: dict[int, tuple[str, list]]
    keylogs: dict[int, list]
    cached: dict[tuple[int, str], Any]


def report_rows(
    store: Store, document_id: int | None, *, config: str, days: bool = False
) -> ReportRows:
    """The segments in scope (one document or all) in document and position order, with what
    goes with them; `days` also reads each segment's last change time; `config` is the
    statistics config of the score cache rows to read.

    Raises:
        NotFound: `document_id` does not exist.
    """
    from sqlalchemy import func, literal, select

    from mt.store.models import Document, Draft, EditEvent, Editor, Segment
    from mt.store.scores import cached_for_current_drafts

    with store.session() as session:
        docs = select(Document.id, Document.title)
        if document_id is not None:
            docs = docs.where(Document.id == document_id)
        titles: dict[int, str] = {i: t for i, t in session.execute(docs).all()}
        if document_id is not None and not titles:
            raise NotFound(f"no document {document_id}")
        time_q = select(EditEvent.segment_id, func.sum(EditEvent.active_ms)).where(
            EditEvent.active_ms.is_not(None)
        )
        seg_q = (
            select(
                Segment.id,
                Segment.document_id,
                Segment.source,
                Segment.target,
                Segment.status,
                Segment.draft_id,
                Draft.text,
                Draft.model_id,
                Editor.name,
                Draft.score,
                Draft.origin,
                Draft.revision,
                # Reading times back is slow on SQLite (text parsing): only when grouping by day.
                Segment.updated_at if days else literal(None),
            )
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .outerjoin(Editor, Editor.id == Segment.updated_by_id)
        )
        if document_id is not None:
            time_q = time_q.where(EditEvent.document_id == document_id)
            seg_q = seg_q.where(Segment.document_id == document_id)
        active = {
            sid: int(ms or 0)
            for sid, ms in session.execute(time_q.group_by(EditEvent.segment_id)).all()
        }
        findings = _latest_findings(session, document_id)
        keylogs = _keylogs(session, document_id)
        segments = [
            SegmentRow(*row)
            for row in session.execute(seg_q.order_by(Segment.document_id, Segment.position))
        ]
        cached = cached_for_current_drafts(session, config, document_id)
    return ReportRows(titles, segments, active, findings, keylogs, cached)


def _keylogs(session: Session, document_id: int | None) -> dict[int, list]:
    """Per segment, the key logs of its events."""
    from sqlalchemy import select

    from mt.store.models import EditEvent

    query = select(EditEvent.segment_id, EditEvent.keylog).where(EditEvent.keylog.is_not(None))
    if document_id is not None:
        query = query.where(EditEvent.document_id == document_id)
    logs: dict[int, list] = defaultdict(list)
    for sid, log in session.execute(query).all():
        logs[sid].append(log)
    return dict(logs)


def _latest_findings(session: Session, document_id: int | None) -> dict[int, tuple[str, list]]:
    """Per segment, the text and QA findings of its latest save or approval that has findings."""
    from sqlalchemy import func, select

    from mt.store.models import EditEvent

    latest = select(func.max(EditEvent.id)).where(
        EditEvent.kind.in_(("save", "approve")), EditEvent.findings.is_not(None)
    )
    if document_id is not None:
        latest = latest.where(EditEvent.document_id == document_id)
    latest = latest.group_by(EditEvent.segment_id)
    rows = session.execute(
        select(EditEvent.segment_id, EditEvent.text_after, EditEvent.findings).where(
            EditEvent.id.in_(latest)
        )
    ).all()
    return {sid: (text, findings) for sid, text, findings in rows}


def keylogs_by_editor(store: Store, document_id: int | None) -> dict[str, dict[int, list]]:
    """Per editor name, per segment, the key logs of that editor's own events."""
    from sqlalchemy import select

    from mt.store.models import EditEvent, Editor

    query = (
        select(EditEvent.segment_id, Editor.name, EditEvent.keylog)
        .join(Editor, Editor.id == EditEvent.editor_id)
        .where(EditEvent.keylog.is_not(None))
    )
    if document_id is not None:
        query = query.where(EditEvent.document_id == document_id)
    logs: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    with store.session() as session:
        for sid, name, log in session.execute(query).all():
            logs[name][sid].append(log)
    return logs


def model_drafts(
    store: Store, segment_ids: Sequence[int], origins: Sequence[str]
) -> list[tuple[int, int, str | None, str | None]]:
    """(draft id, segment id, model id, revision) of every draft of these segments with one
    of `origins`, oldest first."""
    from sqlalchemy import select

    from mt.store.models import Draft

    ids = list(segment_ids)
    out: list[tuple[int, int, str | None, str | None]] = []
    with store.session() as session:
        for i in range(0, len(ids), _CHUNK):
            out.extend(
                (d, s, m, r)
                for d, s, m, r in session.execute(
                    select(Draft.id, Draft.segment_id, Draft.model_id, Draft.revision)
                    .where(
                        Draft.segment_id.in_(ids[i : i + _CHUNK]), Draft.origin.in_(list(origins))
                    )
                    .order_by(Draft.id)
                ).all()
            )
    return out


def draft_texts(store: Store, draft_ids: Sequence[int]) -> dict[int, str]:
    """The text of each of these drafts, by id."""
    from sqlalchemy import select

    from mt.store.models import Draft

    ids = list(draft_ids)
    texts: dict[int, str] = {}
    with store.session() as session:
        for i in range(0, len(ids), _CHUNK):
            texts.update(
                (d, t)
                for d, t in session.execute(
                    select(Draft.id, Draft.text).where(Draft.id.in_(ids[i : i + _CHUNK]))
                ).all()
            )
    return texts


def step_rows(store: Store, document_id: int | None) -> list[tuple[Any, ...]]:
    """The `edit_step` rows in scope, in segment and chain order: id, segment id, seq, kind,
    editor name, editor role, text before, text after, active ms, edit ms, review ms,
    keystrokes, approved, segment source, current draft origin, cached stats, stats config."""
    from sqlalchemy import select

    from mt.store.models import Draft, Editor, EditStep, Segment

    query = (
        select(
            EditStep.id, EditStep.segment_id, EditStep.seq, EditStep.kind, Editor.name,
            Editor.role, EditStep.text_before, EditStep.text_after, EditStep.active_ms,
            EditStep.edit_ms, EditStep.review_ms, EditStep.keystrokes, EditStep.approved,
            Segment.source, Draft.origin, EditStep.stats, EditStep.stats_config,
        )
        .join(Segment, Segment.id == EditStep.segment_id)
        .outerjoin(Editor, Editor.id == EditStep.editor_id)
        .outerjoin(Draft, Draft.id == Segment.draft_id)
        .order_by(EditStep.segment_id, EditStep.seq)
    )  # fmt: skip
    if document_id is not None:
        query = query.where(EditStep.document_id == document_id)
    with store.session() as session:
        return [tuple(r) for r in session.execute(query).all()]


def put_step_stats(store: Store, stats: Sequence[tuple[int, dict]], config: str) -> None:
    """Cache own-step statistics on their `edit_step` rows (id, stats); a database that refuses
    the write is left as it is (derived data, scored again next time)."""
    from sqlalchemy import update
    from sqlalchemy.exc import OperationalError

    from mt.store.models import EditStep

    if not stats:
        return
    try:
        with store.session(write=True) as session:
            session.execute(
                update(EditStep),
                [{"id": i, "stats": s, "stats_config": config} for i, s in stats],
            )
    except OperationalError:
        pass  # a cache: a read-only or busy database means scoring again next time


def editor_active_ms(store: Store, document_id: int | None) -> dict[str, int]:
    """Active milliseconds of each person's own events (every kind), by name."""
    from sqlalchemy import func, select

    from mt.store.models import EditEvent, Editor

    query = (
        select(Editor.name, func.sum(EditEvent.active_ms))
        .join(Editor, Editor.id == EditEvent.editor_id)
        .where(EditEvent.active_ms.is_not(None))
        .group_by(Editor.name)
    )
    if document_id is not None:
        query = query.where(EditEvent.document_id == document_id)
    with store.session() as session:
        return {name: int(ms or 0) for name, ms in session.execute(query).all()}


def current_mt_scores(store: Store, document_id: int) -> dict[int, float]:
    """Segment id → model score of the document's current MT drafts that have one."""
    from sqlalchemy import select

    from mt.store.models import Draft, Segment

    with store.session() as session:
        rows = session.execute(
            select(Segment.id, Draft.score)
            .join(Draft, Draft.id == Segment.draft_id)
            .where(
                Segment.document_id == document_id, Draft.origin == "mt", Draft.score.is_not(None)
            )
        ).all()
    return {sid: float(score) for sid, score in rows}
