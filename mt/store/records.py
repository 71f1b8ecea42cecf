"""The SQL of the exchange services (`mt.exchange`): what exports, article renderings, XLIFF
round trips and client files read from the database, and the rows their imports write.

Reads take a `Store` and return frozen rows (below), never ORM objects. The XLIFF import runs
its rules inside one write transaction of its own, so its helpers take that open session
(`lock_segments`, `segment_state`, `text_at`, `change_segment`, `segment_view`). Nothing here
knows a file format, a metric or how an article is laid out: that is `mt.exchange`'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mt.errors import PermissionDenied
from mt.store.db import Store
from mt.store.views import DraftView, SegmentView

# --- reads for exports ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    """A segment with its current draft, its last editor and the effort logged on it."""

    segment_id: int
    position: int
    paragraph: int
    source: str
    target: str
    status: str
    version: int
    draft: DraftView | None
    editor: str | None
    events: int  # edit-log events of the segment
    active_ms: int | None  # summed over those events (None: none logged)
    idle_ms: int | None
    keystrokes: int | None
    keylogs: tuple[dict[str, Any], ...]  # each save's keystroke log, oldest first


def export_rows(store: Store, doc_id: int) -> list[ExportRow]:
    """Every segment of document `doc_id` in order, for the JSONL/CSV records. Raises NotFound."""
    from collections import defaultdict

    from sqlalchemy import func, select

    from mt.store.models import Draft, EditEvent, Editor, Segment
    from mt.store.repository import _draft_view, _require_document

    with store.session() as session:
        _require_document(session, doc_id)
        rows = session.execute(
            select(Segment, Draft, Editor.name)
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .outerjoin(Editor, Editor.id == Segment.updated_by_id)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
        effort: dict[int, tuple[int, Any, Any, Any]] = defaultdict(lambda: (0, None, None, None))
        for sid, active, idle, keys, n in session.execute(
            select(
                EditEvent.segment_id,
                func.sum(EditEvent.active_ms),
                func.sum(EditEvent.idle_ms),
                func.sum(EditEvent.keystrokes),
                func.count(),
            )
            .where(EditEvent.document_id == doc_id)
            .group_by(EditEvent.segment_id)
        ).all():
            effort[sid] = (n, active, idle, keys)
        keylogs: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for sid, log in session.execute(
            select(EditEvent.segment_id, EditEvent.keylog).where(
                EditEvent.document_id == doc_id, EditEvent.keylog.is_not(None)
            )
        ).all():
            keylogs[sid].append(log)
        out = []
        for seg, draft, editor in rows:
            n, active, idle, keys = effort[seg.id]
            row = ExportRow(
                seg.id, seg.position, seg.paragraph, seg.source, seg.target, seg.status,
                seg.version, _draft_view(draft), editor, n,
                int(active) if active is not None else None,
                int(idle) if idle is not None else None,
                int(keys) if keys is not None else None,
                tuple(keylogs.get(seg.id, ())),
            )  # fmt: skip
            out.append(row)
    return out


@dataclass(frozen=True)
class CommentNote:
    """A comment as it travels in an exported XLIFF: its edit-log id, author, text and time."""

    id: int
    segment_id: int
    author: str
    text: str | None
    saved_at: datetime


def comments_by_segment(store: Store, doc_id: int) -> dict[int, list[CommentNote]]:
    """The document's comments, oldest first, by segment id."""
    from sqlalchemy import select

    from mt.store.models import EditEvent, Editor

    with store.session() as session:
        rows = session.execute(
            select(EditEvent.id, EditEvent.segment_id, Editor.name, EditEvent.text_after,
                   EditEvent.saved_at)
            .join(Editor, Editor.id == EditEvent.editor_id)
            .where(EditEvent.document_id == doc_id, EditEvent.kind == "comment")
            .order_by(EditEvent.id)
        ).all()  # fmt: skip
    out: dict[int, list[CommentNote]] = {}
    for row in rows:
        out.setdefault(row.segment_id, []).append(CommentNote(*row))
    return out


@dataclass(frozen=True)
class ArticleSegment:
    """A segment as the article needs it: source and its layout, English and status."""

    source: str
    paragraph: int
    before: str
    target: str
    status: str


@dataclass(frozen=True)
class ArticleRows:
    """A document's title, the text after its last segment, and its segments in order."""

    title: str
    trailing: str
    segments: tuple[ArticleSegment, ...]


def article_rows(store: Store, doc_id: int) -> ArticleRows:
    """What the article renderings read of document `doc_id`. Raises NotFound."""
    from sqlalchemy import select

    from mt.store.models import Segment
    from mt.store.repository import _require_document

    with store.session() as session:
        doc = _require_document(session, doc_id)
        rows = session.execute(
            select(
                Segment.source, Segment.paragraph, Segment.before, Segment.target, Segment.status
            )
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
        return ArticleRows(doc.title, doc.trailing, tuple(ArticleSegment(*r) for r in rows))


# --- the XLIFF import's transaction ---------------------------------------------------------


@dataclass(frozen=True)
class SegmentState:
    """A segment's text and status at a moment inside a transaction."""

    id: int
    document_id: int
    source: str
    target: str
    status: str
    version: int


def lock_segments(session: Any, segment_ids: Sequence[int]) -> None:
    """Lock these segments at once, in id order (PostgreSQL's FOR UPDATE; SQLite already
    serialises writers), so two transactions over the same segments queue, not deadlock."""
    from sqlalchemy import select

    from mt.store.models import Segment

    session.execute(
        select(Segment)
        .where(Segment.id.in_(sorted(segment_ids)))
        .order_by(Segment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def segment_state(session: Any, segment_id: int) -> SegmentState | None:
    """The segment as the open transaction sees it (None: no such segment)."""
    from mt.store.models import Segment

    seg = session.get(Segment, segment_id)
    if seg is None:
        return None
    return SegmentState(seg.id, seg.document_id, seg.source, seg.target, seg.status, seg.version)


def text_at(session: Any, segment_id: int, version: int) -> str | None:
    """The segment's target as it was at `version`, from the edit log (None: not logged)."""
    from sqlalchemy import select

    from mt.store.models import EditEvent
    from mt.store.repository import CHANGE_KINDS

    return session.execute(
        select(EditEvent.text_after)
        .where(
            EditEvent.segment_id == segment_id,
            EditEvent.version_after == version,
            EditEvent.kind.in_(CHANGE_KINDS),
        )
        .order_by(EditEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def change_segment(
    session: Any,
    segment_id: int,
    who: Any,
    *,
    kind: str,
    base_version: int,
    client: str,
    text: str | None = None,
) -> None:
    """A save or approval of the segment by `who` (an `accounts.actor` row), in the open
    write transaction, through the store's one conditional change."""
    from mt.store.models import Segment
    from mt.store.repository import apply_change

    seg = session.get(Segment, segment_id)
    apply_change(session, seg, who, kind=kind, base_version=base_version, client=client, text=text)


def segment_view(session: Any, segment_id: int) -> SegmentView:
    """The segment's frozen view inside the open transaction. Raises NotFound."""
    from mt.store.repository import _load_segment

    return _load_segment(session, segment_id)


def add_new_comments(
    store: Store, editor: str, notes: Sequence[tuple[int, str, int | None]], *, client: str
) -> list[int]:
    """Comments by `editor` from (segment id, text, exported comment id) notes; returns the
    new edit-log ids, in one transaction.

    A note is skipped when its segment does not exist, or it is already one of the segment's
    comments (its exported id is one of theirs, or its text equals one of theirs).
    """
    from sqlalchemy import select

    from mt.store.accounts import actor
    from mt.store.models import EditEvent, Segment, utcnow
    from mt.store.repository import _nfc

    added: list[int] = []
    with store.session(write=True) as session:
        who = None
        for segment_id, text, event_id in notes:
            seg = session.get(Segment, segment_id)
            if seg is None:
                continue
            known = session.execute(
                select(EditEvent.id, EditEvent.text_after).where(
                    EditEvent.segment_id == seg.id, EditEvent.kind == "comment"
                )
            ).all()
            if event_id in {k.id for k in known} or text in {
                (k.text_after or "").strip() for k in known
            }:
                continue
            who = who or actor(session, editor, "comment")
            event = EditEvent(
                document_id=seg.document_id, segment_id=seg.id, editor_id=who.id,
                kind="comment", text_before=None, text_after=_nfc(text, "comment"),
                version_before=seg.version, version_after=seg.version, draft_id=seg.draft_id,
                saved_at=utcnow(), client=client,
            )  # fmt: skip
            session.add(event)
            session.flush()
            added.append(event.id)
    return added


# --- a client's XLIFF -----------------------------------------------------------------------


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


def refuse_stranger(store: Store, name: str) -> None:
    """PermissionDenied when accounts exist and `name` has none (checked before drafting)."""
    from mt.store.accounts import accounts_exist, clean_name, find_editor

    with store.session() as session:
        if accounts_exist(session) and find_editor(session, clean_name(name)) is None:
            raise PermissionDenied(f"no account named {name!r}")


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
    from mt.store.models import (
        Document,
        DocumentSource,
        Draft,
        EditEvent,
        Segment,
        SegmentRef,
        utcnow,
    )
    from mt.store.repository import _nfc, _score
    from mt.store.steps import rebuild_steps
    from mt.tm import remember

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
        rows = []
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

    from mt.store.models import Draft, Segment, SegmentRef
    from mt.store.repository import _require_document

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
