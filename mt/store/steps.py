"""A segment's history as a chain of steps, each credited to whoever made it (design.md).

Built from the append-only edit log, in event order, from the events that change a segment
(import, save, approve, reopen, revert):

- an ``import`` event is the machine's **draft** step (MT, translation memory, or an empty
  from-scratch slot); it belongs to no editor, whoever ran the import;
- consecutive changes by one person form that person's step: **edit** when it changed the text
  or saved (the text they found → the text they left), **review** when it only approved or
  reopened without a change. Another person's change, or a new draft, starts a new step;
- an approval inside a person's step marks it ``approved``; the approval's active time is
  review time (``review_ms``), the other events' is edit time (``edit_ms``).

`rebuild_steps` replaces a segment's rows in ``edit_step`` from its log; every write path calls
it, and migration 0005 calls it for every segment that existed before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session


CHANGE_KINDS = ("import", "save", "approve", "reopen", "revert")
_CHUNK = 500


@dataclass
class Step:
    """One step while it is being built (see the module docstring)."""

    segment_id: int
    document_id: int
    kind: str
    editor_id: int | None
    draft_id: int | None
    text_before: str | None
    text_after: str
    first_event_id: int
    last_event_id: int
    started_at: datetime | None
    ended_at: datetime | None
    events: int = 0
    active_ms: int = 0
    edit_ms: int = 0
    review_ms: int = 0
    keystrokes: int | None = None
    approved: bool = False
    saved: bool = False  # holds a save or revert (an edit even when the text is unchanged)
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self, seq: int) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "document_id": self.document_id,
            "seq": seq,
            "kind": self.kind,
            "editor_id": self.editor_id,
            "draft_id": self.draft_id,
            "text_before": self.text_before,
            "text_after": self.text_after,
            "events": self.events,
            "active_ms": self.active_ms,
            "edit_ms": self.edit_ms,
            "review_ms": self.review_ms,
            "keystrokes": self.keystrokes,
            "approved": self.approved,
            "first_event_id": self.first_event_id,
            "last_event_id": self.last_event_id,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
        }


def build_steps(events: Iterable[Any]) -> list[Step]:
    """The steps of one segment from its change events (objects with the edit_event columns:
    id, segment_id, document_id, editor_id, kind, text_before, text_after, draft_id,
    active_ms, keystrokes, saved_at), in log order."""
    steps: list[Step] = []
    for e in events:
        if e.kind not in CHANGE_KINDS:
            continue
        active = int(e.active_ms or 0)
        if e.kind == "import":
            steps.append(
                Step(e.segment_id, e.document_id, "draft", None, e.draft_id, e.text_before,
                     e.text_after or "", e.id, e.id, e.saved_at, e.saved_at, events=1,
                     active_ms=active)
            )  # fmt: skip
            continue
        last = steps[-1] if steps else None
        if last is None or last.kind == "draft" or last.editor_id != e.editor_id:
            before = e.text_before
            if before is None:
                before = last.text_after if last else ""
            last = Step(e.segment_id, e.document_id, "review", e.editor_id, None, before,
                        before or "", e.id, e.id, e.saved_at, e.saved_at)  # fmt: skip
            steps.append(last)
        last.text_after = e.text_after if e.text_after is not None else last.text_after
        last.last_event_id, last.ended_at = e.id, e.saved_at
        last.events += 1
        last.active_ms += active
        if e.kind == "approve":
            last.approved = True
            last.review_ms += active
        else:
            last.edit_ms += active
            if e.kind in ("save", "revert"):
                last.saved = True
            if e.kind != "reopen":
                last.approved = False  # a change after an approval: the approval no longer holds
        if e.keystrokes is not None:
            last.keystrokes = (last.keystrokes or 0) + int(e.keystrokes)
        changed = (last.text_before or "") != last.text_after
        last.kind = "edit" if (changed or last.saved) else "review"
    return steps


def rebuild_steps(session: Session | Connection, segment_ids: Sequence[int]) -> int:
    """Replace the `edit_step` rows of these segments from their edit log; returns the number
    of steps written. Runs inside the caller's (write) session."""
    from sqlalchemy import delete, insert, select

    from mt.store.models import EditEvent, EditStep

    ids = sorted(set(segment_ids))
    written = 0
    cols = (
        EditEvent.id, EditEvent.segment_id, EditEvent.document_id, EditEvent.editor_id,
        EditEvent.kind, EditEvent.text_before, EditEvent.text_after, EditEvent.draft_id,
        EditEvent.active_ms, EditEvent.keystrokes, EditEvent.saved_at,
    )  # fmt: skip
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        events = session.execute(
            select(*cols)
            .where(EditEvent.segment_id.in_(chunk), EditEvent.kind.in_(CHANGE_KINDS))
            .order_by(EditEvent.segment_id, EditEvent.id)
        ).all()
        by_segment: dict[int, list[Any]] = {}
        for e in events:
            by_segment.setdefault(e.segment_id, []).append(e)
        session.execute(delete(EditStep).where(EditStep.segment_id.in_(chunk)))
        rows = [
            step.row(seq)
            for sid in chunk
            for seq, step in enumerate(build_steps(by_segment.get(sid, ())))
        ]
        if rows:
            session.execute(insert(EditStep), rows)
        written += len(rows)
    return written


def rebuild_all_steps(session: Session | Connection) -> int:
    """`rebuild_steps` for every segment (migration 0005, or after a restore)."""
    from sqlalchemy import select

    from mt.store.models import Segment

    ids = list(session.execute(select(Segment.id).order_by(Segment.id)).scalars())
    return rebuild_steps(session, ids)
