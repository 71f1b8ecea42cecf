"""Reads of one document's segments for the desk's views, in position order: the texts the
article-level QA index (`mt.desk`) is built and kept up to date from, and the editor grid's
rows (`mt.grid`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from mt.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "ChangedSegment",
    "GridSegment",
    "changed_segments",
    "changed_targets",
    "document_texts",
    "grid_segments",
]


class GridSegment(NamedTuple):
    """A segment as the grid shows it, with its current draft's origin and model score."""

    id: int
    paragraph: int
    source: str
    target: str
    status: str
    version: int
    origin: str | None
    score: float | None


class ChangedSegment(NamedTuple):
    """A segment changed lately: its grid fields, who changed it last and when."""

    id: int
    source: str
    target: str
    status: str
    version: int
    origin: str | None
    updated_by: str | None
    updated_at: datetime | None


def changed_segments(
    session: Session, document_id: int, since: datetime | None, ids: Collection[int] = ()
) -> list[ChangedSegment]:
    """The document's segments changed at or after `since` (by anyone, through any path), and
    those of `ids` whenever they changed."""
    from sqlalchemy import false, or_, select

    from mt.store.models import Draft, Editor, Segment

    return [
        ChangedSegment(*row)
        for row in session.execute(
            select(
                Segment.id,
                Segment.source,
                Segment.target,
                Segment.status,
                Segment.version,
                Draft.origin,
                Editor.name,
                Segment.updated_at,
            )
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .outerjoin(Editor, Editor.id == Segment.updated_by_id)
            .where(
                Segment.document_id == document_id,
                or_(
                    Segment.updated_at >= since if since is not None else false(),
                    Segment.id.in_(list(ids)) if ids else false(),
                ),
            )
            .order_by(Segment.position)
        ).all()
    ]


def grid_segments(session: Session, document_id: int) -> list[GridSegment]:
    """Every segment of the document, in position order.

    Raises:
        NotFound: no such document.
    """
    from sqlalchemy import select

    from mt.store.models import Document, Draft, Segment

    if session.get(Document, document_id) is None:
        raise NotFound(f"no document {document_id}")
    return [
        GridSegment(*row)
        for row in session.execute(
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
            .where(Segment.document_id == document_id)
            .order_by(Segment.position)
        ).all()
    ]


def document_texts(
    session: Session, document_id: int
) -> list[tuple[int, str, str | None, datetime | None]]:
    """(position, source, target, last change) of every segment, in position order."""
    from sqlalchemy import select

    from mt.store.models import Segment

    return [
        (p, s, t, u)
        for p, s, t, u in session.execute(
            select(Segment.position, Segment.source, Segment.target, Segment.updated_at)
            .where(Segment.document_id == document_id)
            .order_by(Segment.position)
        ).all()
    ]


def changed_targets(
    session: Session, document_id: int, since: datetime | None
) -> list[tuple[int, str | None, datetime | None]]:
    """(position, target, last change) of the segments changed at or after `since` (None: of
    every segment ever changed)."""
    from sqlalchemy import select

    from mt.store.models import Segment

    query = select(Segment.position, Segment.target, Segment.updated_at).where(
        Segment.document_id == document_id
    )
    if since is not None:
        query = query.where(Segment.updated_at >= since)
    else:
        query = query.where(Segment.updated_at.is_not(None))
    return [(p, t, u) for p, t, u in session.execute(query).all()]
