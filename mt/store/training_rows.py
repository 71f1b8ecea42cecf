"""The approved segments adaptation trains on: text, draft origin and time of the last approval."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mt.store.db import Store

__all__ = ["approved_segments"]


def approved_segments(
    store: Store, documents: Sequence[int] | None = None
) -> list[tuple[int, int, str, str, str | None, datetime]]:
    """(segment id, document id, source, target, current draft origin, last approval time) of
    every approved segment (of `documents` only, when given)."""
    from sqlalchemy import func, select

    from mt.store.models import Draft, EditEvent, Segment

    approved = (
        select(EditEvent.segment_id, func.max(EditEvent.saved_at).label("at"))
        .where(EditEvent.kind == "approve")
        .group_by(EditEvent.segment_id)
        .subquery()
    )
    query = (
        select(
            Segment.id,
            Segment.document_id,
            Segment.source,
            Segment.target,
            Draft.origin,
            approved.c.at,
        )
        .join(approved, approved.c.segment_id == Segment.id)
        .outerjoin(Draft, Draft.id == Segment.draft_id)
        .where(Segment.status == "approved")
    )
    if documents is not None:
        query = query.where(Segment.document_id.in_(list(documents)))
    with store.session() as session:
        return [(i, d, s, t, o, at) for i, d, s, t, o, at in session.execute(query).all()]
