"""Comments on segments: `comment` events in the edit log (the segment's version stays)."""

from __future__ import annotations

from mt.errors import InputError, NotFound
from mt.store.accounts import actor
from mt.store.db import Store
from mt.store.guards import check_client, nfc
from mt.store.views import CommentView


def add_comment(
    store: Store, segment_id: int, text: str, *, editor: str, client: str = "web"
) -> None:
    """Attach a comment to the segment (a `comment` event; the version does not change)."""
    from mt.store.models import EditEvent, Segment, utcnow

    check_client(client)
    text = nfc(text or "", "comment").strip()
    if not text:
        raise InputError("comment is empty")
    with store.session(write=True) as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            raise NotFound(f"no segment {segment_id}")
        who = actor(session, editor, "comment")
        session.add(
            EditEvent(
                document_id=seg.document_id,
                segment_id=seg.id,
                editor_id=who.id,
                kind="comment",
                text_before=None,
                text_after=text,
                version_before=seg.version,
                version_after=seg.version,
                draft_id=seg.draft_id,
                saved_at=utcnow(),
                client=client,
            )
        )


def list_comments(store: Store, segment_id: int) -> list[CommentView]:
    """The segment's comments, oldest first."""
    from sqlalchemy import select

    from mt.store.models import EditEvent, Editor

    with store.session() as session:
        rows = session.execute(
            select(
                EditEvent.id,
                EditEvent.segment_id,
                Editor.name,
                EditEvent.text_after,
                EditEvent.saved_at,
            )
            .join(Editor, Editor.id == EditEvent.editor_id)
            .where(EditEvent.segment_id == segment_id, EditEvent.kind == "comment")
            .order_by(EditEvent.id)
        ).all()
    return [CommentView(*r) for r in rows]
