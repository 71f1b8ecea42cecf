"""Documents in the store: a new document with its segments, drafts and import events; a new
run of drafts for an existing one; and the document list with each one's progress.

The drafting service (`mt.drafting`) segments and translates; this module only writes what it
computed. `create` and `retranslate` share `record_drafts`, the one builder of draft rows and
their `import` events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mt.errors import NotFound, PermissionDenied, TransdeskError
from mt.store.accounts import accounts_exist, actor, clean_name, find_editor
from mt.store.db import Store
from mt.store.guards import finite, nfc
from mt.store.steps import rebuild_steps
from mt.store.views import DocumentSummary
from mt.types import SourceSegment

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.models import Document


DRAFT_ORIGINS = ("mt", "tm", "fallback")  # what an engine's hypothesis may say it is


@dataclass(frozen=True)
class NewDraft:
    """One draft to store: its text, where it came from, and what produced it (the columns of
    `mt.store.models.Draft`). `origin` is "mt", "tm", "fallback", "scratch" or "human"."""

    text: str
    origin: str
    engine: str
    model_id: str
    revision: str | None = None
    beam: int | None = None
    compute_type: str | None = None
    max_length: str | None = None
    is_test_model: bool = False
    generation: dict[str, Any] | None = None
    score: float | None = None
    time_ms: float | None = None

    def columns(self) -> dict[str, Any]:
        """The draft row's columns (text NFC-normalised, scores finite or None)."""
        row = asdict(self)
        row["text"] = nfc(self.text)
        row["score"], row["time_ms"] = finite(self.score), finite(self.time_ms)
        if row["origin"] not in (*DRAFT_ORIGINS, "scratch", "human"):
            row["origin"] = "mt"
        return row


# A from-scratch segment's draft: no text, no model (the editor translates without MT).
SCRATCH_DRAFT = NewDraft(text="", origin="scratch", engine="none", model_id="from-scratch")


@dataclass(frozen=True)
class SegmentState:
    """A segment as `record_drafts` finds it: `version` None for one created in the same
    transaction (it stays at version 1 and has no text before its import event)."""

    id: int
    version: int | None = None
    target: str | None = None


@dataclass(frozen=True)
class SourceRow:
    """A segment's source, status and target, as a new run of drafts starts from them."""

    source: str
    status: str
    target: str


def require_document(session: Session, doc_id: int) -> Document:
    """The document row inside an open session; NotFound when there is none."""
    from mt.store.models import Document

    doc = session.get(Document, doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id}")
    return doc


def require_account(store: Store, name: str) -> None:
    """PermissionDenied when accounts exist and `name` has none (checked before minutes of
    translation, as the write checks it again)."""
    with store.session() as session:
        if accounts_exist(session) and find_editor(session, clean_name(name)) is None:
            raise PermissionDenied(f"no account named {name!r}")


def record_drafts(
    session: Session,
    *,
    document_id: int,
    editor_id: int,
    segments: Sequence[SegmentState],
    drafts: Sequence[NewDraft | None],
    take: Sequence[bool],
    run: int,
    now: datetime,
) -> list[int | None]:
    """Store one run of drafts (None: no draft row) and let the segments marked in `take` take
    their draft's text as target (a new version, an `import` event, client "cli", their steps
    rebuilt). Returns the draft ids, None where no draft was stored."""
    from sqlalchemy import insert, update

    from mt.store.models import Draft, EditEvent, Segment

    stored = [(s, d) for s, d in zip(segments, drafts, strict=True) if d is not None]
    new_ids = iter(
        session.execute(
            insert(Draft).returning(Draft.id, sort_by_parameter_order=True),
            [{"segment_id": s.id, "run": run, "created_at": now, **d.columns()} for s, d in stored],
        ).scalars()
        if stored
        else []
    )
    draft_ids = [next(new_ids) if d is not None else None for d in drafts]
    changes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    taken_ids: list[int] = []
    for s, d, did, taken in zip(segments, drafts, draft_ids, take, strict=True):
        if not taken:
            continue
        taken_ids.append(s.id)
        text = nfc(d.text) if d is not None else ""
        version = 1 if s.version is None else s.version + 1
        if did is not None:
            changes.append(
                {
                    "id": s.id,
                    "draft_id": did,
                    "target": text,
                    "version": version,
                    "updated_at": now,
                    "updated_by_id": editor_id,
                }
            )
        events.append(
            {
                "document_id": document_id,
                "segment_id": s.id,
                "editor_id": editor_id,
                "kind": "import",
                "text_before": s.target,
                "text_after": text,
                "version_before": s.version,
                "version_after": version,
                "draft_id": did,
                "saved_at": now,
                "client": "cli",
            }
        )
    if changes:
        session.execute(update(Segment), changes)
    if events:
        session.execute(insert(EditEvent), events)
        rebuild_steps(session, taken_ids)
    return draft_ids


def insert_document(
    store: Store,
    *,
    title: str,
    created_by: str,
    segments: Sequence[SourceSegment],
    trailing: str,
    drafts: Sequence[NewDraft | None] | None,
    model_id: str | None = None,
    filename: str | None = None,
    file_format: str = "txt",
    segment_mode: str = "sentence",
) -> int:
    """Store a new document, its segments (version 1, status draft, each drafted by its
    `drafts` entry; `drafts` None: no draft rows, empty targets) and their import events;
    returns its id. `model_id` names the models that drafted it.

    Raises:
        PermissionDenied: accounts exist and `created_by` has none.
    """
    from sqlalchemy import insert

    from mt.store.models import Document, Segment, utcnow

    now = utcnow()
    with store.session(write=True) as session:
        creator = actor(session, created_by, "import")
        doc = Document(
            title=nfc(title, "title"),
            filename=filename,
            file_format=file_format,
            segment_mode=segment_mode,
            trailing=trailing,
            status="in_progress",
            created_by_id=creator.id,
            created_at=now,
            model_id=model_id,
        )
        session.add(doc)
        session.flush()
        targets = [nfc(d.text) if d is not None else "" for d in drafts or [None] * len(segments)]
        segment_ids = (
            session.execute(
                insert(Segment).returning(Segment.id, sort_by_parameter_order=True),
                [
                    {
                        "document_id": doc.id,
                        "position": i,
                        "paragraph": s.paragraph,
                        "before": s.before,
                        "source": s.text,
                        "target": targets[i],
                        "status": "draft",
                        "version": 1,
                        "updated_at": now,
                        "updated_by_id": creator.id,
                    }
                    for i, s in enumerate(segments)
                ],
            )
            .scalars()
            .all()
        )
        record_drafts(
            session,
            document_id=doc.id,
            editor_id=creator.id,
            segments=[SegmentState(sid) for sid in segment_ids],
            drafts=list(drafts) if drafts is not None else [None] * len(segment_ids),
            take=[True] * len(segment_ids),
            run=1,
            now=now,
        )
        return doc.id


def document_sources(store: Store, doc_id: int) -> list[SourceRow]:
    """The document's segments in order, as a new run of drafts starts from them.

    Raises NotFound."""
    from sqlalchemy import select

    from mt.store.models import Segment

    with store.session() as session:
        require_document(session, doc_id)
        rows = session.execute(
            select(Segment.source, Segment.status, Segment.target)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
    return [SourceRow(*r) for r in rows]


def store_retranslation(
    store: Store,
    doc_id: int,
    drafts: Sequence[NewDraft],
    *,
    editor: str | None,
    model_id: str,
) -> list[tuple[int, str, str]]:
    """Store a new run of drafts, one per segment in order (see
    `mt.drafting.retranslate_document` for who takes them); returns (draft id, draft text,
    current target) of the edited and approved segments, for the score cache.

    Raises:
        NotFound: no such document; TransdeskError: its segments changed meanwhile.
    """
    from sqlalchemy import func, select

    from mt.store.models import Draft, Editor, Segment, utcnow

    now = utcnow()
    with store.session(write=True) as session:
        doc = require_document(session, doc_id)
        who = actor(session, editor or session.get(Editor, doc.created_by_id).name, "import")
        segs = session.execute(
            select(Segment.id, Segment.status, Segment.target, Segment.version)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
            .with_for_update()
        ).all()
        human = set(  # a client's translation is never replaced by MT (#16)
            session.execute(
                select(Segment.id)
                .join(Draft, Draft.id == Segment.draft_id)
                .where(Segment.document_id == doc_id, Draft.origin == "human")
            ).scalars()
        )
        if len(segs) != len(drafts):
            raise TransdeskError(f"document {doc_id} changed while it was being translated")
        run = 1 + (
            session.execute(
                select(func.coalesce(func.max(Draft.run), 0))
                .join(Segment, Segment.id == Draft.segment_id)
                .where(Segment.document_id == doc_id)
            ).scalar_one()
        )
        # Untouched segments take the new draft, except a client's own translations (kept as
        # sent); edited and approved ones keep their text and get the draft scored against it.
        draft_ids = record_drafts(
            session,
            document_id=doc_id,
            editor_id=who.id,
            segments=[SegmentState(s.id, s.version, s.target) for s in segs],
            drafts=drafts,
            take=[s.status == "draft" and s.id not in human for s in segs],
            run=run,
            now=now,
        )
        scored = [
            (did, nfc(d.text), s.target)
            for s, d, did in zip(segs, drafts, draft_ids, strict=True)
            if s.status != "draft" and did is not None
        ]
        require_document(session, doc_id).model_id = model_id
    return scored


def document_layout(
    store: Store, doc_id: int
) -> tuple[list[SourceSegment], str, list[str], list[str | None]]:
    """(segments as imported, the text after the last one, current targets, current draft
    texts) of a document, in order. Raises NotFound."""
    from sqlalchemy import select

    from mt.store.models import Draft, Segment

    with store.session() as session:
        doc = require_document(session, doc_id)
        rows = session.execute(
            select(Segment.source, Segment.paragraph, Segment.before, Segment.target, Draft.text)
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
        trailing = doc.trailing
    return (
        [SourceSegment(r[0], r[1], r[2]) for r in rows],
        trailing,
        [r[3] for r in rows],
        [r[4] for r in rows],
    )


def _summaries(session: Session, doc_id: int | None = None) -> list[DocumentSummary]:
    from sqlalchemy import case, func, select
    from sqlalchemy.orm import aliased

    from mt.store.models import Document, Draft, EditEvent, Editor, Segment

    creator = aliased(Editor)
    docs = select(Document, creator.name).join(creator, creator.id == Document.created_by_id)
    counts = select(
        Segment.document_id,
        func.count(),
        func.coalesce(func.sum(case((Segment.status == "approved", 1), else_=0)), 0),
        func.coalesce(func.sum(case((Segment.status == "edited", 1), else_=0)), 0),
    )
    latest = select(EditEvent.document_id, func.max(EditEvent.id)).where(
        EditEvent.kind.in_(("save", "approve", "reopen", "revert"))
    )
    if doc_id is not None:
        docs = docs.where(Document.id == doc_id)
        counts = counts.where(Segment.document_id == doc_id)
        latest = latest.where(EditEvent.document_id == doc_id)
    by_doc = {
        d: (n, a, e) for d, n, a, e in session.execute(counts.group_by(Segment.document_id)).all()
    }
    last_ids = dict(session.execute(latest.group_by(EditEvent.document_id)).all())
    tested = (
        select(Segment.document_id)
        .join(Draft, Draft.segment_id == Segment.id)
        .where(Draft.is_test_model.is_(True))
    )
    if doc_id is not None:
        tested = tested.where(Segment.document_id == doc_id)
    test_docs = set(session.execute(tested.distinct()).scalars())
    last: dict[int, tuple[str, datetime]] = {}
    if last_ids:
        rows = session.execute(
            select(EditEvent.document_id, Editor.name, EditEvent.saved_at)
            .join(Editor, Editor.id == EditEvent.editor_id)
            .where(EditEvent.id.in_(list(last_ids.values())))
        ).all()
        last = {d: (name, at) for d, name, at in rows}
    out = []
    for doc, creator_name in session.execute(docs.order_by(Document.id.desc())).all():
        n, approved, edited = by_doc.get(doc.id, (0, 0, 0))
        editor_name, at = last.get(doc.id, (None, None))
        out.append(
            DocumentSummary(
                doc.id,
                doc.title,
                int(n),
                int(approved),
                int(edited),
                round(100.0 * approved / n, 1) if n else 0.0,
                editor_name,
                at,
                doc.status,
                doc.created_at,
                doc.model_id,
                doc.filename,
                doc.file_format,
                creator_name,
                doc.source_lang,
                doc.target_lang,
                doc.id in test_docs,
            )
        )
    return out


def list_documents(store: Store) -> list[DocumentSummary]:
    """Every document with its progress, newest first."""
    with store.session() as session:
        return _summaries(session)


def get_document(store: Store, doc_id: int) -> DocumentSummary:
    """One document's summary. Raises NotFound."""
    with store.session() as session:
        found = _summaries(session, doc_id)
    if not found:
        raise NotFound(f"no document {doc_id}")
    return found[0]
