"""The SQL of the exchange services (`mt.exchange`): what exports, article renderings and the
XLIFF round trip read from the database, and the rows an XLIFF import writes (a client's own
files: `mt.store.client_files`).

Reads take a `Store` and return frozen rows (below), never ORM objects. The XLIFF import runs
its rules inside one write transaction of its own, so its helpers take that open session
(`lock_segments`, `segment_state`, `text_at`, `change_segment`). Nothing here
knows a file format, a metric or how an article is laid out: that is `mt.exchange`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mt.errors import NotFound
from mt.store.db import Store
from mt.store.views import DraftView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.models import Editor
    from mt.store.segments import Change

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

    from mt.store.documents import require_document as _require_document
    from mt.store.models import Draft, EditEvent, Editor, Segment
    from mt.store.segments import draft_view as _draft_view

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
                seg.version, _draft_view(draft) if draft is not None else None, editor, n,
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

    from mt.store.documents import require_document as _require_document
    from mt.store.models import Segment

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


def lock_segments(session: Session, segment_ids: Iterable[int]) -> None:
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


def segment_state(session: Session, segment_id: int) -> SegmentState | None:
    """The segment as the open transaction sees it (None: no such segment)."""
    from mt.store.models import Segment

    seg = session.get(Segment, segment_id)
    if seg is None:
        return None
    return SegmentState(seg.id, seg.document_id, seg.source, seg.target, seg.status, seg.version)


def text_at(session: Session, segment_id: int, version: int) -> str | None:
    """The segment's target as it was at `version`, from the edit log (None: not logged)."""
    from sqlalchemy import select

    from mt.store.models import EditEvent
    from mt.store.segments import CHANGE_KINDS

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


def change_segment(session: Session, segment_id: int, who: Editor, change: Change) -> None:
    """A save or approval of the segment by `who` (an `accounts.actor` row), in the open
    write transaction, through the store's one conditional change (`segments.apply_change`)."""
    from mt.store.models import Segment
    from mt.store.segments import apply_change

    seg = session.get(Segment, segment_id)
    if seg is None:
        raise NotFound(f"no segment {segment_id}")
    apply_change(session, seg, who, change)


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
    from mt.store.guards import nfc as _nfc
    from mt.store.models import EditEvent, Segment, utcnow

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
