"""Who else has an article open: heartbeats from each browser session, expiring.

A page showing an article calls `heartbeat` every `HEARTBEAT_S` seconds with its own `client`
key (one per browser session), the segment it is on and whether its person is typing there;
`who_is_here` lists the others seen within `EXPIRY_S` seconds. A closed tab simply stops
beating and drops out; `leave` removes it at once. Rows older than `PURGE_S` are deleted on
the next heartbeat. Presence is not history: it never enters the edit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mt.errors import InvalidValue, NotFound
from mt.store.db import Store, upsert_insert

HEARTBEAT_S = 3
EXPIRY_S = 15
PURGE_S = 300


@dataclass(frozen=True)
class PresenceView:
    """Someone with the article open: name, segment (id and 1-based number), typing or not."""

    client: str
    editor: str
    segment_id: int | None
    segment_number: int | None
    typing: bool
    seen_at: datetime


def _check_client(client: str) -> str:
    if not client or len(client) > 64:
        raise InvalidValue("presence client key must be 1 to 64 characters")
    return client


def heartbeat(
    store: Store,
    client: str,
    doc_id: int,
    *,
    editor: str,
    segment_id: int | None = None,
    typing: bool = False,
    now: datetime | None = None,
) -> None:
    """Record that `editor` (browser session `client`) has `doc_id` open, on `segment_id`.

    Raises NotFound (no such document or segment of it), PermissionDenied (unknown account).
    """
    from sqlalchemy import delete, select

    from mt.store.accounts import actor
    from mt.store.documents import require_document
    from mt.store.models import Presence, Segment, utcnow

    _check_client(client)
    now = now or utcnow()
    with store.session(write=True) as session:
        require_document(session, doc_id)
        if segment_id is not None:
            owner = session.execute(
                select(Segment.document_id).where(Segment.id == segment_id)
            ).scalar_one_or_none()
            if owner != doc_id:
                raise NotFound(f"no segment {segment_id} in document {doc_id}")
        who = actor(session, editor, "presence")
        values = {
            "client": client,
            "document_id": doc_id,
            "editor_id": who.id,
            "segment_id": segment_id,
            "typing": bool(typing),
            "seen_at": now,
        }
        stmt = upsert_insert(session, Presence).values(**values)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["client"],
                set_={k: stmt.excluded[k] for k in values if k != "client"},
            )
        )
        session.execute(delete(Presence).where(Presence.seen_at < now - timedelta(seconds=PURGE_S)))


def leave(store: Store, client: str) -> None:
    """Forget browser session `client` (its person closed the article)."""
    from sqlalchemy import delete

    from mt.store.models import Presence

    with store.session(write=True) as session:
        session.execute(delete(Presence).where(Presence.client == _check_client(client)))


def who_is_here(
    store: Store, doc_id: int, *, exclude_client: str | None = None, now: datetime | None = None
) -> list[PresenceView]:
    """The sessions seen on `doc_id` within EXPIRY_S seconds (but `exclude_client`), by name."""
    from sqlalchemy import select

    from mt.store.models import Editor, Presence, Segment, utcnow

    now = now or utcnow()
    query = (
        select(Presence, Editor.name, Segment.position)
        .join(Editor, Editor.id == Presence.editor_id)
        .outerjoin(Segment, Segment.id == Presence.segment_id)
        .where(
            Presence.document_id == doc_id,
            Presence.seen_at >= now - timedelta(seconds=EXPIRY_S),
        )
    )
    if exclude_client is not None:
        query = query.where(Presence.client != exclude_client)
    with store.session() as session:
        rows = session.execute(query.order_by(Editor.name, Presence.id)).all()
    return [
        PresenceView(
            p.client,
            name,
            p.segment_id,
            position + 1 if position is not None else None,
            bool(p.typing),
            p.seen_at,
        )
        for p, name, position in rows
    ]
