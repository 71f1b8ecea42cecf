"""From scratch after import: turn a random share of a document's untouched segments into
from-scratch segments (the Settings panel and `transdesk documents scratch`).

A segment is untouched while its status is ``draft``, its edit log holds nothing but
``import`` events (nobody opened, saved, approved, commented) and nobody has unsaved text in
it. The share is drawn over those segments, in position order (`mt.drafting.apply_scratch`
draws it with `mt.drafting.assign` and the seed; this module writes it), exactly as
`transdesk import --from-scratch SHARE --seed N` draws over a new document's segments, so on
an untouched document the same share and seed pick the same segments the import would have.
Each picked segment gets a new draft row (origin ``scratch``, empty text, `SCRATCH_DRAFT`), an
empty target and a new version, and an ``import`` event in the edit log (the draft it had
stays in the log and in the draft table); its steps are rebuilt.
Segments already from scratch are counted in the draw and left as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mt.errors import WorkflowError
from mt.store.db import Store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.models import Segment


def untouched_segments(session: Session, doc_id: int) -> list[Segment]:
    """The document's untouched segments (see the module docstring), in position order."""
    from sqlalchemy import exists, select

    from mt.store.models import EditEvent, Segment, SegmentWip

    touched = exists().where(EditEvent.segment_id == Segment.id, EditEvent.kind != "import")
    wip = exists().where(SegmentWip.segment_id == Segment.id)
    return list(
        session.execute(
            select(Segment)
            .where(Segment.document_id == doc_id, Segment.status == "draft", ~touched, ~wip)
            .order_by(Segment.position)
        ).scalars()
    )


def scratch_segments(
    store: Store,
    doc_id: int,
    pick: Callable[[int], Sequence[bool]],
    *,
    by: str,
    client: str = "cli",
) -> int:
    """Make document `doc_id`'s untouched segments that `pick(count)` marks True from scratch,
    in one transaction; returns how many segments were changed (already-scratch ones are not).

    Raises:
        NotFound: no such document; PermissionDenied: `by` may not (`mt.permissions` action
        ``scratch``); WorkflowError: the article is published.
    """
    from sqlalchemy import func, insert, select, update

    from mt.store.accounts import actor
    from mt.store.documents import SCRATCH_DRAFT, require_document
    from mt.store.guards import check_client
    from mt.store.models import Draft, EditEvent, Segment, utcnow
    from mt.store.steps import rebuild_steps

    check_client(client)
    with store.session(write=True) as session:
        who = actor(session, by, "scratch")
        doc = require_document(session, doc_id)
        if doc.state == "published":
            raise WorkflowError(
                f"article {doc_id} is published; reopen it (state editing) before changing it"
            )
        segments = untouched_segments(session, doc_id)
        picked = [s for s, p in zip(segments, pick(len(segments)), strict=True) if p]
        origins = dict(
            session.execute(
                select(Draft.id, Draft.origin).where(
                    Draft.id.in_([s.draft_id for s in picked if s.draft_id is not None])
                )
            ).all()
        )
        picked = [s for s in picked if origins.get(s.draft_id) != "scratch"]
        if not picked:
            return 0
        runs = dict(
            session.execute(
                select(Draft.segment_id, func.max(Draft.run))
                .where(Draft.segment_id.in_([s.id for s in picked]))
                .group_by(Draft.segment_id)
            ).all()
        )
        now = utcnow()
        changed: list[int] = []
        for seg in picked:
            old_text, old_version = seg.target, seg.version
            draft_id = session.execute(
                insert(Draft).returning(Draft.id),
                {
                    "segment_id": seg.id,
                    "run": (runs.get(seg.id) or 0) + 1,
                    "created_at": now,
                    **SCRATCH_DRAFT.columns(),
                },
            ).scalar_one()
            result = session.execute(
                update(Segment)
                .where(Segment.id == seg.id, Segment.version == old_version)
                .values(
                    target="",
                    draft_id=draft_id,
                    version=old_version + 1,
                    updated_at=now,
                    updated_by_id=who.id,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # saved by someone meanwhile: no longer untouched
                raise WorkflowError(
                    f"segment {seg.id} changed while drafting from scratch; try again"
                )
            session.execute(
                insert(EditEvent),
                {
                    "document_id": doc_id,
                    "segment_id": seg.id,
                    "editor_id": who.id,
                    "kind": "import",
                    "text_before": old_text,
                    "text_after": "",
                    "version_before": old_version,
                    "version_after": old_version + 1,
                    "draft_id": draft_id,
                    "saved_at": now,
                    "client": client,
                },
            )
            changed.append(seg.id)
        rebuild_steps(session, changed)
        return len(changed)
