"""Segments in the store: their views, the `open` event, and the one conditional write of a
change (save, approve, reopen, revert) described by a frozen `Change`.

A change names the version it started from; a stale one raises `ConflictError`, changing
nothing. The store only writes: QA findings and keystroke logs come computed (`mt.revising`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from mt.errors import ConflictError, InputError, NotFound
from mt.limits import check_change_size
from mt.store.accounts import actor, check_change_approved
from mt.store.db import Store
from mt.store.documents import require_document
from mt.store.guards import check_client, check_ms, nfc
from mt.store.steps import rebuild_steps
from mt.store.tm import remember, withdraw
from mt.store.views import DraftView, EditEventView, SegmentView
from mt.store.workflow import note_segment_change

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult
    from sqlalchemy.orm import Session

    from mt.store.models import Draft, Editor, Segment


# Events that change a segment's text or status (the others leave the version alone).
CHANGE_KINDS = ("import", "save", "approve", "reopen", "revert")


@dataclass(frozen=True)
class Resolution:
    """A conflict resolved by keeping one's own text: the version it was typed against
    (`mine_from`) and the newer version it is saved on top of (the change's base version)."""

    mine_from: int

    def __post_init__(self) -> None:
        mine = self.mine_from
        if isinstance(mine, bool) or not isinstance(mine, int) or mine < 0:
            raise InputError(f"the version your text was typed against is not {mine!r}")


@dataclass(frozen=True)
class Change:
    """A save, approve, reopen or revert of one segment, as the store writes it.

    `text` (save; approve, optionally) is NFC-normalised here; `active_ms`, `idle_ms` and
    `keystrokes` must not be negative; `findings` (QA findings as dicts) and `keylog` (a parsed
    keystroke log as JSON) are stored with the event as given. `resolution` marks a save that
    keeps its editor's text over a newer version after a conflict (`Resolution`).

    Raises InvalidValue (unknown client, a negative duration) or InputError (text that cannot
    be stored, findings that are not a list) when made.
    """

    kind: str
    base_version: int
    client: str = "web"
    text: str | None = None
    active_ms: int | None = None
    idle_ms: int | None = None
    opened_at: datetime | None = None
    keystrokes: int | None = None
    findings: list[dict[str, Any]] | None = None
    keylog: dict[str, Any] | None = None
    resolution: Resolution | None = None

    def __post_init__(self) -> None:
        check_client(self.client)
        if self.text is not None:
            object.__setattr__(self, "text", nfc(self.text, "translation"))
        object.__setattr__(self, "active_ms", check_ms(self.active_ms, "active_ms"))
        object.__setattr__(self, "idle_ms", check_ms(self.idle_ms, "idle_ms"))
        object.__setattr__(self, "keystrokes", check_ms(self.keystrokes, "keystrokes"))
        if self.findings is not None and not isinstance(self.findings, list):
            raise InputError("findings must be a list of objects")
        if self.resolution is not None and self.kind != "save":
            raise InputError("only a save resolves a conflict")
        if self.resolution is not None and self.resolution.mine_from >= self.base_version:
            raise InputError(
                f"keeping your text needs the newer version it goes on top of: version "
                f"{self.base_version} is not newer than version {self.resolution.mine_from}"
            )


@dataclass(frozen=True)
class SegmentPlace:
    """Where a segment sits and what it says: what QA of a change needs."""

    id: int
    document_id: int
    position: int
    source: str
    target: str


def draft_view(d: Draft) -> DraftView:
    """The frozen view of a draft row."""
    return DraftView(
        d.id,
        d.engine,
        d.model_id,
        d.revision,
        d.beam,
        d.text,
        d.score,
        d.time_ms,
        d.origin,
        bool(d.is_test_model),
        d.created_at,
        d.compute_type,
    )


def _segment_view(
    s: Segment, draft: Draft | None, comments: int, updated_by: str | None
) -> SegmentView:
    return SegmentView(
        s.id,
        s.document_id,
        s.position,
        s.paragraph,
        s.source,
        s.target,
        s.status,
        s.version,
        draft_view(draft) if draft is not None else None,
        comments,
        s.updated_at,
        updated_by,
    )


@functools.lru_cache(maxsize=1)
def _segment_select() -> Any:
    """SELECT segment, its current draft and its last editor's name (built once)."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from mt.store.models import Draft, Editor, Segment

    updater = aliased(Editor)
    return (
        select(Segment, Draft, updater.name)
        .outerjoin(Draft, Draft.id == Segment.draft_id)
        .outerjoin(updater, updater.id == Segment.updated_by_id)
    )


def _comment_counts(
    session: Session, segment_ids: list[int] | None, doc_id: int | None
) -> dict[int, int]:
    from sqlalchemy import func, select

    from mt.store.models import EditEvent

    query = select(EditEvent.segment_id, func.count()).where(EditEvent.kind == "comment")
    if segment_ids is not None:
        if not segment_ids:
            return {}
        query = query.where(EditEvent.segment_id.in_(segment_ids))
    else:
        query = query.where(EditEvent.document_id == doc_id)
    return dict(session.execute(query.group_by(EditEvent.segment_id)).all())


def load_segment(session: Session, segment_id: int) -> SegmentView:
    """One segment's view inside an open session. Raises NotFound."""
    from mt.store.models import Segment

    row = session.execute(_segment_select().where(Segment.id == segment_id)).first()
    if row is None:
        raise NotFound(f"no segment {segment_id}")
    counts = _comment_counts(session, [segment_id], None)
    return _segment_view(row[0], row[1], counts.get(segment_id, 0), row[2])


def segment_place(session: Session, segment_id: int) -> SegmentPlace | None:
    """The segment's place and texts inside an open session, or None when there is none."""
    from mt.store.models import Segment

    seg = session.get(Segment, segment_id)
    if seg is None:
        return None
    return SegmentPlace(seg.id, seg.document_id, seg.position, seg.source, seg.target)


def list_segments(
    store: Store, doc_id: int, *, offset: int = 0, limit: int | None = None
) -> list[SegmentView]:
    """A document's segments in order (a page of them with offset/limit). Raises NotFound."""
    from mt.store.models import Segment

    with store.session() as session:
        require_document(session, doc_id)
        query = (
            _segment_select()
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = session.execute(query).all()
        ids = [r[0].id for r in rows] if limit is not None else None
        counts = _comment_counts(session, ids, doc_id)
        return [_segment_view(s, d, counts.get(s.id, 0), who) for s, d, who in rows]


def count_segments(store: Store, doc_id: int) -> int:
    """How many segments the document has. Raises NotFound."""
    from sqlalchemy import func, select

    from mt.store.models import Segment

    with store.session() as session:
        require_document(session, doc_id)
        return session.execute(
            select(func.count()).select_from(Segment).where(Segment.document_id == doc_id)
        ).scalar_one()


def get_segment(store: Store, segment_id: int) -> SegmentView:
    """One segment. Raises NotFound."""
    with store.session() as session:
        return load_segment(session, segment_id)


def open_segment(store: Store, segment_id: int, *, editor: str, client: str = "web") -> SegmentView:
    """Log that `editor` opened the segment for editing (an `open` event) and return it."""
    from mt.store.models import EditEvent, Segment, utcnow

    check_client(client)
    with store.session(write=True) as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            raise NotFound(f"no segment {segment_id}")
        who = actor(session, editor, "open")
        now = utcnow()
        session.add(
            EditEvent(
                document_id=seg.document_id,
                segment_id=seg.id,
                editor_id=who.id,
                kind="open",
                text_before=seg.target,
                text_after=seg.target,
                version_before=seg.version,
                version_after=seg.version,
                draft_id=seg.draft_id,
                opened_at=now,
                saved_at=now,
                client=client,
            )
        )
        session.flush()
        return load_segment(session, segment_id)


def next_segment(
    store: Store, doc_id: int, *, after_position: int, unapproved_only: bool = True
) -> SegmentView | None:
    """The first segment after `after_position` (not yet approved, by default), or None."""
    from sqlalchemy import select

    from mt.store.models import Segment

    with store.session() as session:
        query = select(Segment.id).where(
            Segment.document_id == doc_id, Segment.position > after_position
        )
        if unapproved_only:
            query = query.where(Segment.status != "approved")
        found = session.execute(query.order_by(Segment.position).limit(1)).scalar_one_or_none()
        return load_segment(session, found) if found is not None else None


def _refresh_document_status(session: Session, doc_id: int) -> None:
    """Keep document.status in step: "done" once every segment is approved."""
    from sqlalchemy import func, select, update

    from mt.store.models import Document, Segment

    open_left = session.execute(
        select(func.count())
        .select_from(Segment)
        .where(Segment.document_id == doc_id, Segment.status != "approved")
    ).scalar_one()
    status = "in_progress" if open_left else "done"
    session.execute(
        update(Document)
        .where(Document.id == doc_id, Document.status != status)
        .values(status=status)
    )


def _conflict(seg: Segment, base_version: int, attempted: str | None) -> ConflictError:
    return ConflictError(
        f"segment {seg.id} was changed by someone else (you started from version "
        f"{base_version}, it is now at version {seg.version}); nothing was saved",
        current_text=seg.target,
        attempted_text=attempted if attempted is not None else "",
        current_version=seg.version,
    )


def _resolution(session: Session, seg: Segment, change: Change) -> dict[str, Any] | None:
    """The edit log's record of a "keep mine" save: both versions and who made theirs."""
    from mt.store.models import Editor

    if change.resolution is None:
        return None
    theirs_by = session.get(Editor, seg.updated_by_id) if seg.updated_by_id is not None else None
    return {
        "kept": "mine",
        "mine_from": change.resolution.mine_from,
        "theirs": change.base_version,
        "theirs_by": theirs_by.name if theirs_by is not None else None,
    }


def apply_change(session: Session, seg: Segment, who: Editor, change: Change) -> bool:
    """Apply `change` to the segment row `seg` by the editor row `who` in an open write session.

    The update is conditional on `change.base_version`, so of two writers starting from one
    version exactly one wins. Returns False when nothing was logged (reopening a segment that
    is not approved).

    Raises:
        ConflictError: `base_version` is not current; the caller's transaction must roll back.
        PermissionDenied: an editor changing an approved segment while accounts exist.
        InputError: revert of a segment without a draft, or a save without its text.
    """
    from sqlalchemy import update

    from mt.store.models import Draft, EditEvent, Segment, utcnow

    kind, base_version, text = change.kind, change.base_version, change.text
    if seg.version != base_version:
        raise _conflict(seg, base_version, text)
    check_change_approved(session, seg, who, kind)  # the one rule (mt.permissions)
    resolution = _resolution(session, seg, change)  # names who made the version kept under
    new_text, new_status = seg.target, seg.status
    if kind == "save":
        if text is None:  # else the NOT NULL target column refused it mid-write
            raise InputError(f"a save of segment {seg.id} needs its text")
        new_text, new_status = text, "edited"
    elif kind == "approve":
        new_text, new_status = (text if text is not None else seg.target), "approved"
    elif kind == "reopen":
        if seg.status != "approved":
            return False
        new_status = "edited"
    elif kind == "revert":
        draft = session.get(Draft, seg.draft_id) if seg.draft_id is not None else None
        if draft is None:
            raise InputError(f"segment {seg.id} has no MT draft to revert to")
        new_text, new_status = draft.text, "draft"
    unchanged = new_text == seg.target and new_status == seg.status
    version = seg.version if unchanged else seg.version + 1
    now = utcnow()
    old_text, old_status = seg.target, seg.status
    if not unchanged:
        result = session.execute(
            update(Segment)
            .where(Segment.id == seg.id, Segment.version == base_version)
            .values(
                target=new_text,
                status=new_status,
                version=version,
                updated_at=now,
                updated_by_id=who.id,
            )
            .execution_options(synchronize_session=False)
        )
        # another writer got there between our read and our write
        if cast("CursorResult[Any]", result).rowcount != 1:
            session.expire(seg)
            current = session.get(Segment, seg.id)
            if current is None:  # deleted meanwhile (its document was)
                raise NotFound(f"no segment {seg.id}")
            raise _conflict(current, base_version, text)
    # The article's workflow state follows (mt.store.workflow); a published one refuses.
    note_segment_change(session, seg, who, kind=kind, new_status=new_status, now=now)
    session.add(
        EditEvent(
            document_id=seg.document_id,
            segment_id=seg.id,
            editor_id=who.id,
            kind=kind,
            text_before=old_text,
            text_after=new_text,
            version_before=base_version,
            version_after=version,
            draft_id=seg.draft_id,
            opened_at=change.opened_at,
            saved_at=now,
            active_ms=change.active_ms,
            idle_ms=change.idle_ms,
            keystrokes=change.keystrokes,
            client=change.client,
            findings=change.findings,
            keylog=change.keylog,
            resolution=resolution,
        )
    )
    if kind in ("save", "approve", "revert"):  # the editor's unsaved copy is now history
        from mt.store.drafts_wip import clear_in_session

        clear_in_session(session, seg.id, who.id)
    if kind == "approve":  # the translation memory holds each source's latest approved English
        remember(session, seg.source, new_text, segment_id=seg.id, editor_id=who.id)
    elif old_status == "approved" and new_status != "approved":  # a reopen, save or revert
        withdraw(session, seg.id)
    if "approved" in (old_status, new_status) and old_status != new_status:
        _refresh_document_status(session, seg.document_id)
    session.flush()
    rebuild_steps(session, [seg.id])  # who did what: the segment's steps (mt.store.steps)
    session.expire(seg)
    return True


def change_segment(store: Store, segment_id: int, change: Change, *, editor: str) -> SegmentView:
    """Write `change` by `editor` in one transaction (see `apply_change`); the segment after it.

    Raises NotFound, PermissionDenied (`mt.permissions`), InputError (a text or keystroke log
    over `mt.limits`: the append-only log is bounded) and what `apply_change` raises.
    """
    from mt.store.models import Segment

    with store.session(write=True) as session:
        # The row stays locked to the end (SQLite's write lock does that there): a change that
        # writes no row must not read back another writer's newer version as its own.
        seg = session.get(Segment, segment_id, with_for_update=True)
        if seg is None:
            raise NotFound(f"no segment {segment_id}")
        who = actor(session, editor, change.kind)
        check_change_size(seg.id, seg.source, seg.target, change.text, change.keylog)
        apply_change(session, seg, who, change)
        return load_segment(session, segment_id)


def edit_events(
    store: Store, *, document_id: int | None = None, segment_id: int | None = None
) -> list[EditEventView]:
    """The edit log (optionally of one document or segment), oldest first."""
    from sqlalchemy import select

    from mt.store.models import EditEvent, Editor

    query = select(EditEvent, Editor.name).join(Editor, Editor.id == EditEvent.editor_id)
    if document_id is not None:
        query = query.where(EditEvent.document_id == document_id)
    if segment_id is not None:
        query = query.where(EditEvent.segment_id == segment_id)
    with store.session() as session:
        rows = session.execute(query.order_by(EditEvent.id)).all()
    return [
        EditEventView(
            e.id,
            e.segment_id,
            name,
            e.kind,
            e.text_before,
            e.text_after,
            e.version_before,
            e.version_after,
            e.opened_at,
            e.saved_at,
            e.active_ms,
            e.idle_ms,
            e.keystrokes,
            e.client,
            e.document_id,
            e.findings,
            e.keylog,
            e.resolution,
        )
        for e, name in rows
    ]


def drafts(store: Store, segment_id: int) -> list[DraftView]:
    """Every draft of the segment (all models, all runs), oldest first."""
    from sqlalchemy import select

    from mt.store.models import Draft

    with store.session() as session:
        rows = session.execute(
            select(Draft).where(Draft.segment_id == segment_id).order_by(Draft.id)
        ).scalars()
        return [draft_view(d) for d in rows]
