"""A client's XLIFF in the store (the SQL of `mt.exchange.client`): the document made from it,
the file's bytes (`document_source`), each segment's place in it (`segment_ref`), and the
reads that write the file back or take an edited copy in again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mt.store.db import Store


@dataclass(frozen=True)
class ClientSegmentRow:
    """A segment of a client's file as stored: its text, status and draft (a dict of `Draft`
    columns, None: no draft), its place in the file and the unit's notes."""

    source: str
    target: str
    status: str
    unit: int  # the unit's number in the file: the segment's paragraph
    unit_id: str
    key: str
    draft: dict[str, Any] | None
    notes: tuple[str, ...]


def store_client_document(
    store: Store,
    *,
    data: bytes,
    name: str,
    version: str,
    title: str,
    created_by: str,
    model_id: str | None,
    segments: Sequence[ClientSegmentRow],
) -> int:
    """Store a client's file as a document in one transaction; returns its id.

    The file's bytes are kept (`stored_source`), each segment's place in it too
    (`client_rows`); each segment gets its draft, an "import" event, the unit's notes as
    comments (client "xliff"), and approved ones go to the translation memory.
    """
    from pathlib import Path

    from sqlalchemy import insert

    from mt.store.accounts import actor
    from mt.store.guards import finite as _score
    from mt.store.guards import nfc as _nfc
    from mt.store.models import (
        Document,
        DocumentSource,
        Draft,
        EditEvent,
        Segment,
        SegmentRef,
        utcnow,
    )
    from mt.store.steps import rebuild_steps
    from mt.store.tm import remember

    now = utcnow()
    with store.session(write=True) as session:
        who = actor(session, created_by, "import")
        doc = Document(
            title=_nfc(title, "title").strip() or name,
            filename=Path(name).name,
            file_format="xliff",
            segment_mode="line",
            trailing="",
            status="in_progress",
            created_by_id=who.id,
            created_at=now,
            model_id=model_id,
        )
        session.add(doc)
        session.flush()
        session.add(
            DocumentSource(
                document_id=doc.id,
                name=Path(name).name,
                format="xliff",
                version=version,
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                created_at=now,
            )
        )
        rows: list[dict[str, Any]] = []
        previous_unit = None
        for i, s in enumerate(segments):
            rows.append(
                {
                    "document_id": doc.id,
                    "position": i,
                    "paragraph": s.unit,
                    "before": "" if s.unit != previous_unit else " ",
                    "source": _nfc(s.source),
                    "target": _nfc(s.target),
                    "status": s.status,
                    "version": 1,
                    "updated_at": now,
                    "updated_by_id": who.id,
                }
            )
            previous_unit = s.unit
        ids = list(
            session.execute(
                insert(Segment).returning(Segment.id, sort_by_parameter_order=True), rows
            ).scalars()
        )
        draft_ids: list[int | None] = [None] * len(ids)
        for i, (sid, s) in enumerate(zip(ids, segments, strict=True)):
            if s.draft is not None:
                draft = {**s.draft, "score": _score(s.draft["score"]),
                         "time_ms": _score(s.draft["time_ms"])}  # fmt: skip
                row = Draft(segment_id=sid, run=1, text=rows[i]["target"], created_at=now, **draft)
                session.add(row)
                session.flush()
                draft_ids[i] = row.id
                session.get(Segment, sid).draft_id = row.id
        session.execute(
            insert(SegmentRef),
            [
                {"segment_id": sid, "document_id": doc.id, "unit_id": s.unit_id,
                 "segment_key": s.key}
                for sid, s in zip(ids, segments, strict=True)
            ],
        )  # fmt: skip
        events = [
            {
                "document_id": doc.id,
                "segment_id": sid,
                "editor_id": who.id,
                "kind": "import",
                "text_before": None,
                "text_after": rows[i]["target"],
                "version_before": None,
                "version_after": 1,
                "draft_id": draft_ids[i],
                "saved_at": now,
                "client": "cli",
            }
            for i, sid in enumerate(ids)
        ]
        events += [
            {
                "document_id": doc.id,
                "segment_id": sid,
                "editor_id": who.id,
                "kind": "comment",
                "text_before": None,
                "text_after": _nfc(note, "comment"),
                "version_before": 1,
                "version_after": 1,
                "draft_id": draft_ids[i],
                "saved_at": now,
                "client": "xliff",
            }
            for i, (sid, s) in enumerate(zip(ids, segments, strict=True))
            for note in s.notes
        ]
        session.execute(insert(EditEvent), events)
        for i, sid in enumerate(ids):
            if rows[i]["status"] == "approved":
                remember(session, rows[i]["source"], rows[i]["target"], segment_id=sid,
                         editor_id=who.id)  # fmt: skip
        rebuild_steps(session, ids)
        return doc.id


def stored_source(store: Store, doc_id: int) -> tuple[str, bytes] | None:
    """The name and bytes of the file document `doc_id` was imported from (None: none kept)."""
    from mt.store.models import DocumentSource

    with store.session() as session:
        row = session.get(DocumentSource, doc_id)
        return None if row is None else (row.name, bytes(row.data))


@dataclass(frozen=True)
class ClientRow:
    """A segment of a client's document: its place in the file and what the desk has."""

    unit_id: str
    key: str
    source: str
    target: str
    status: str
    origin: str | None  # its draft's origin (None: no draft)


def client_rows(store: Store, doc_id: int) -> list[ClientRow]:
    """The segments of document `doc_id` with their place in the client's file (empty: not a
    client's document). Raises NotFound."""
    from sqlalchemy import select

    from mt.store.documents import require_document as _require_document
    from mt.store.models import Draft, Segment, SegmentRef

    with store.session() as session:
        _require_document(session, doc_id)
        rows = session.execute(
            select(
                SegmentRef.unit_id,
                SegmentRef.segment_key,
                Segment.source,
                Segment.target,
                Segment.status,
                Draft.origin,
            )
            .join(Segment, Segment.id == SegmentRef.segment_id)
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .where(SegmentRef.document_id == doc_id)
        ).all()
    return [ClientRow(*row) for row in rows]


def client_documents(store: Store, unit_id: str, key: str) -> list[int]:
    """The client documents holding a segment at this place, newest first."""
    from sqlalchemy import select

    from mt.store.models import SegmentRef

    with store.session() as session:
        return list(
            session.execute(
                select(SegmentRef.document_id)
                .where(SegmentRef.unit_id == unit_id, SegmentRef.segment_key == key)
                .distinct()
                .order_by(SegmentRef.document_id.desc())
            ).scalars()
        )


def client_places(store: Store, doc_id: int) -> dict[tuple[str, str], tuple[int, str]]:
    """(segment id, source) of each segment of a client's document, by its place in the file."""
    from sqlalchemy import select

    from mt.store.models import Segment, SegmentRef

    with store.session() as session:
        return {
            (u, k): (sid, source)
            for u, k, sid, source in session.execute(
                select(SegmentRef.unit_id, SegmentRef.segment_key, Segment.id, Segment.source)
                .join(Segment, Segment.id == SegmentRef.segment_id)
                .where(SegmentRef.document_id == doc_id)
            ).all()
        }
