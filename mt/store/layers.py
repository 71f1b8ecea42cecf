"""The copy desk's three layers of each segment: MT draft → editor's text → reviewer's text.

Read from the segment's steps (`mt.store.steps`, table ``edit_step``), in order: a draft step
sets the MT layer (and resets the others to it); a step by a person whose role is not reviewer
or admin (`mt.permissions`) sets the editor's layer, and the reviewer's layer follows it; a step
by a reviewer or admin sets the reviewer's layer. Roles are the people's roles now.
"""

from __future__ import annotations

from dataclasses import dataclass

from mt import permissions
from mt.store.db import Store


@dataclass(frozen=True)
class SegmentLayers:
    """One segment's layers and who made the last two (None: nobody changed that layer)."""

    segment_id: int
    position: int
    paragraph: int
    source: str
    mt: str
    editor_text: str
    reviewer_text: str
    status: str
    version: int
    editor: str | None
    reviewer: str | None


def copy_desk_layers(
    store: Store, doc_id: int, *, offset: int = 0, limit: int | None = None
) -> list[SegmentLayers]:
    """The segments of `doc_id` with their three layers, in order: all of them, or the page of
    `limit` from `offset` (only that page's rows and steps are read). Raises NotFound."""
    from sqlalchemy import select

    from mt.store.documents import require_document
    from mt.store.models import Editor, EditStep, Segment

    reviewers = set(permissions.roles_for("approve"))
    with store.session() as session:
        require_document(session, doc_id)
        query = (
            select(Segment)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        segments = session.execute(query).scalars().all()
        steps_query = (
            select(EditStep, Editor.name, Editor.role)
            .outerjoin(Editor, Editor.id == EditStep.editor_id)
            .where(EditStep.document_id == doc_id)
            .order_by(EditStep.segment_id, EditStep.seq)
        )
        if limit is not None or offset:
            steps_query = steps_query.where(EditStep.segment_id.in_([s.id for s in segments]))
        steps = session.execute(steps_query).all()
        by_segment: dict[int, list] = {}
        for step, name, role in steps:
            by_segment.setdefault(step.segment_id, []).append(
                (step.kind, step.text_after, name, role)
            )
        out = []
        for seg in segments:
            mt = editor_text = reviewer_text = seg.target
            editor = reviewer = None
            for kind, text, name, role in by_segment.get(seg.id, []):
                if kind == "draft":
                    mt = editor_text = reviewer_text = text
                    editor = reviewer = None
                elif role in reviewers:
                    reviewer_text, reviewer = text, name
                else:
                    editor_text = reviewer_text = text
                    editor, reviewer = name, None
            out.append(
                SegmentLayers(
                    seg.id,
                    seg.position,
                    seg.paragraph,
                    seg.source,
                    mt,
                    editor_text,
                    reviewer_text,
                    seg.status,
                    seg.version,
                    editor,
                    reviewer,
                )
            )
    return out
