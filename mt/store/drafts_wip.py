"""Work in progress: an editor's unsaved text of a segment, kept so nothing typed is lost.

One copy per (editor, segment), replaced as the editor types (the web editor sends it within 2 s
of the last keystroke and on leaving the row) and deleted by that editor's save or approval of
the segment. It is not a version of the segment and not an edit event: the edit log and the
segment are untouched, reports never see it, and only its own editor can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mt.errors import InputError, NotFound
from mt.store.accounts import actor, clean_name, find_editor
from mt.store.db import Store

__all__ = ["MAX_WIP_CHARS", "Wip", "clear_wip", "get_wip", "list_wip", "put_wip"]

# A segment is a sentence or a line; a megabyte of "unsaved text" is not typing.
MAX_WIP_CHARS = 100_000


@dataclass(frozen=True)
class Wip:
    """An unsaved text: the segment, the version it was typed against, when it was last sent."""

    segment_id: int
    text: str
    base_version: int
    updated_at: datetime


def put_wip(store: Store, segment_id: int, text: str, *, editor: str, base_version: int) -> Wip:
    """Keep `text` as `editor`'s unsaved text of the segment (replacing the previous copy).

    Raises:
        InputError: text not a string, too long or not valid Unicode.
        NotFound: no such segment.
        PermissionDenied: accounts exist and `editor` has none.
    """
    from mt.store.guards import nfc as _nfc
    from mt.store.models import Segment, SegmentWip, utcnow

    if not isinstance(text, str):
        raise InputError("unsaved text must be a string")
    if len(text) > MAX_WIP_CHARS:
        raise InputError(
            f"unsaved text is {len(text):,} characters (at most {MAX_WIP_CHARS:,}): refused"
        )
    text = _nfc(text)
    now = utcnow()
    with store.session(write=True) as session:
        if session.get(Segment, segment_id) is None:
            raise NotFound(f"no segment {segment_id}")
        who = actor(session, editor, "edit")
        row = (
            session.query(SegmentWip)
            .filter(SegmentWip.editor_id == who.id, SegmentWip.segment_id == segment_id)
            .one_or_none()
        )
        if row is None:
            row = SegmentWip(editor_id=who.id, segment_id=segment_id)
            session.add(row)
        row.text, row.base_version, row.updated_at = text, int(base_version), now
        session.flush()
        return Wip(segment_id, text, int(base_version), now)


def get_wip(store: Store, segment_id: int, *, editor: str) -> Wip | None:
    """`editor`'s unsaved text of the segment, or None."""
    found = list_wip(store, [segment_id], editor=editor)
    return found.get(segment_id)


def list_wip(store: Store, segment_ids: list[int] | None, *, editor: str) -> dict[int, Wip]:
    """`editor`'s unsaved texts, by segment id (of `segment_ids`, or all when None)."""
    from sqlalchemy import select

    from mt.store.models import SegmentWip

    with store.session() as session:
        who = find_editor(session, clean_name(editor))
        if who is None:
            return {}
        query = select(SegmentWip).where(SegmentWip.editor_id == who.id)
        if segment_ids is not None:
            query = query.where(SegmentWip.segment_id.in_(segment_ids))
        return {
            r.segment_id: Wip(r.segment_id, r.text, r.base_version, r.updated_at)
            for r in session.execute(query).scalars()
        }


def clear_wip(store: Store, segment_id: int, *, editor: str) -> None:
    """Forget `editor`'s unsaved text of the segment (a save or approval does it itself)."""
    with store.session(write=True) as session:
        who = find_editor(session, clean_name(editor))
        if who is not None:
            clear_in_session(session, segment_id, who.id)


def clear_in_session(session: object, segment_id: int, editor_id: int) -> None:
    """Delete the unsaved copy inside an open write session (used by the save path)."""
    from sqlalchemy import delete

    from mt.store.models import SegmentWip

    session.execute(  # type: ignore[attr-defined]
        delete(SegmentWip).where(
            SegmentWip.editor_id == editor_id, SegmentWip.segment_id == segment_id
        )
    )
