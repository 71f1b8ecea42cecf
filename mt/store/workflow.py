"""An article's newsroom workflow: state, assignee, deadline, title, archive, and their log.

Why one module (about 540 lines): every function here reads or writes the one state table (`MOVES`)
and its append-only log; the article list's query is the state's view.

States, in order: ``drafted`` (machine drafts only) → ``editing`` → ``review`` (the copy desk)
→ ``ready`` → ``published``. The moves allowed (`MOVES`):

| from      | to                         | who (`mt.permissions`)                          |
|-----------|----------------------------|-------------------------------------------------|
| drafted   | editing                    | editor, reviewer, admin                         |
| editing   | review                     | editor, reviewer, admin                         |
| review    | editing                    | editor, reviewer, admin                         |
| review    | ready                      | reviewer, admin; every segment approved, or an  |
|           |                            | admin's override (logged with the event)        |
| ready     | review, editing            | reviewer, admin                                 |
| ready     | published                  | reviewer, admin                                 |
| published | editing (a correction)     | reviewer, admin; the history is kept            |

Every change is a `DocumentEvent` (who, when, from, to, note), append-only. The segments move
the state too: the first change to a segment of a drafted article moves it to editing, and a
segment of a ready article that stops being approved moves it back to review; a published
article refuses segment changes until it is reopened (`note_segment_change`).

Archived articles are hidden from `list_articles` (unless asked for) and stay in the edit log,
in reports and in `get_article`; `restore` brings them back.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import TYPE_CHECKING, Any

from mt import permissions
from mt.errors import InvalidValue, NotFound, WorkflowError
from mt.store.db import Store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.models import Document, Editor, Segment


STATES = ("drafted", "editing", "review", "ready", "published")
FINAL_STATES = ("ready", "published")
MOVES: dict[str, tuple[str, ...]] = {
    "drafted": ("editing",),
    "editing": ("review",),
    "review": ("editing", "ready"),
    "ready": ("review", "editing", "published"),
    "published": ("editing",),
}
EVENT_KINDS = ("state", "assign", "rename", "deadline", "archive", "restore")
MAX_TITLE = 500
MAX_NOTE = 2000


@dataclass(frozen=True)
class ArticleRow:
    """One article as the Documents list shows it (`segments` counted, `approved` of them)."""

    id: int
    title: str
    state: str
    assignee: str | None
    deadline: datetime | None
    created_at: datetime
    updated_at: datetime | None
    segments: int
    approved: int
    created_by: str | None
    archived_at: datetime | None = None
    last_editor: str | None = None

    @property
    def percent_approved(self) -> float:
        return round(100.0 * self.approved / self.segments, 1) if self.segments else 0.0

    def as_json(self) -> dict[str, Any]:
        """The row as `transdesk documents list --json` prints it."""
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "assignee": self.assignee,
            "deadline": _iso(self.deadline),
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "segments": self.segments,
            "approved": self.approved,
            "archived": self.archived_at is not None,
        }


@dataclass(frozen=True)
class DocumentEventView:
    """One entry of an article's workflow log."""

    id: int
    document_id: int
    editor: str
    kind: str
    from_value: str | None
    to_value: str | None
    note: str | None
    override: bool
    at: datetime


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def check_state(state: str) -> str:
    """`state` when it is one of STATES; InvalidValue (exit 1) otherwise."""
    if state not in STATES:
        raise InvalidValue(f"unknown state {state!r} (choose from: {', '.join(STATES)})")
    return state


def parse_deadline(value: str | datetime | None) -> datetime | None:
    """A deadline from ISO 8601: a date (the end of that day, UTC), or a date and time (UTC
    unless it names its offset). None, "" or "none" clear it. InvalidValue otherwise."""
    if value is None or isinstance(value, datetime):
        return _utc(value) if value is not None else None
    text = value.strip()
    if text.lower() in ("", "none"):
        return None
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)
        return _utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise InvalidValue(
            f"deadline {value!r} is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM])"
        ) from None


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _clean(text: str | None, what: str, limit: int) -> str | None:
    from mt.textsafe import refuse_unstorable

    if text is None:
        return None
    text = unicodedata.normalize("NFC", refuse_unstorable(text, what)).strip()
    if len(text) > limit:
        raise InvalidValue(f"{what} is too long ({len(text)} characters, at most {limit})")
    return text or None


# --- reading ------------------------------------------------------------------------------


def _rows(session: Session, *, doc_id: int | None = None) -> list[ArticleRow]:
    from sqlalchemy import case, func, select
    from sqlalchemy.orm import aliased

    from mt.store.models import Document, Editor, Segment

    assignee, creator, updater = aliased(Editor), aliased(Editor), aliased(Editor)
    counts = (
        select(
            Segment.document_id.label("doc"),
            func.count().label("n"),
            func.coalesce(func.sum(case((Segment.status == "approved", 1), else_=0)), 0).label(
                "approved"
            ),
        )
        .group_by(Segment.document_id)
        .subquery()
    )
    last_seg = (
        select(Segment.document_id.label("doc"), func.max(Segment.updated_at).label("at"))
        .group_by(Segment.document_id)
        .subquery()
    )
    query = (
        select(Document, assignee.name, creator.name, counts.c.n, counts.c.approved)
        .outerjoin(assignee, assignee.id == Document.assignee_id)
        .outerjoin(creator, creator.id == Document.created_by_id)
        .outerjoin(counts, counts.c.doc == Document.id)
    )
    if doc_id is not None:
        query = query.where(Document.id == doc_id)
    rows = session.execute(query.order_by(Document.id.desc())).all()
    ids = [r[0].id for r in rows]
    last_editor: dict[int, str] = {}
    seg_at: dict[int, datetime | None] = {}
    if ids:
        latest = session.execute(
            select(Segment.document_id, updater.name, Segment.updated_at)
            .join(updater, updater.id == Segment.updated_by_id)
            .join(
                last_seg,
                (last_seg.c.doc == Segment.document_id) & (last_seg.c.at == Segment.updated_at),
            )
            .where(Segment.document_id.in_(ids))
        ).all()
        last_editor = {d: name for d, name, _ in latest}
        seg_at = {d: at for d, _, at in latest}
    return [
        ArticleRow(
            doc.id,
            doc.title,
            doc.state,
            who,
            doc.deadline,
            doc.created_at,
            max(filter(None, (doc.updated_at, doc.created_at, seg_at.get(doc.id)))),
            int(n or 0),
            int(approved or 0),
            made_by,
            doc.archived_at,
            last_editor.get(doc.id),
        )
        for doc, who, made_by, n, approved in rows
    ]


def list_articles(
    store: Store,
    *,
    state: str | None = None,
    assignee: str | None = None,
    me: str | None = None,
    archived: bool = False,
) -> list[ArticleRow]:
    """Articles for the Documents list, filtered by `state` and `assignee` (a person's name).

    Archived articles are left out (`archived=True` lists only them). Order: `me`'s articles
    first, then by deadline (soonest first, none last), then newest first.

    Raises:
        InvalidValue: unknown state. NotFound: no person called `assignee`.
    """
    from mt.store.accounts import clean_name, find_editor

    if state is not None:
        check_state(state)
    with store.session() as session:
        if assignee is not None and find_editor(session, clean_name(assignee)) is None:
            raise NotFound(f"no person named {assignee!r}")
        rows = _rows(session)
    rows = [
        r
        for r in rows
        if (r.archived_at is not None) == archived
        and (state is None or r.state == state)
        and (assignee is None or r.assignee == clean_name(assignee))
    ]
    far = datetime.max.replace(tzinfo=timezone.utc)
    rows.sort(key=lambda r: -r.id)
    rows.sort(key=lambda r: (not (me and r.assignee == me), r.deadline or far))
    return rows


def get_article(store: Store, doc_id: int) -> ArticleRow:
    """One article (archived or not). Raises NotFound."""
    with store.session() as session:
        rows = _rows(session, doc_id=doc_id)
    if not rows:
        raise NotFound(f"no document {doc_id}")
    return rows[0]


def history(store: Store, doc_id: int) -> list[DocumentEventView]:
    """The article's workflow log, oldest first. Raises NotFound."""
    from sqlalchemy import select

    from mt.store.documents import require_document
    from mt.store.models import DocumentEvent, Editor

    with store.session() as session:
        require_document(session, doc_id)
        rows = session.execute(
            select(DocumentEvent, Editor.name)
            .join(Editor, Editor.id == DocumentEvent.editor_id)
            .where(DocumentEvent.document_id == doc_id)
            .order_by(DocumentEvent.id)
        ).all()
    return [
        DocumentEventView(
            e.id,
            e.document_id,
            name,
            e.kind,
            e.from_value,
            e.to_value,
            e.note,
            bool(e.override),
            e.at,
        )
        for e, name in rows
    ]


# --- changing -----------------------------------------------------------------------------


def _log(
    session: Session,
    doc: Document,
    who: Editor,
    kind: str,
    before: str | None,
    after: str | None,
    note: str | None = None,
    *,
    override: bool = False,
    now: datetime | None = None,
) -> None:
    from mt.store.models import DocumentEvent, utcnow

    now = now or utcnow()
    session.add(
        DocumentEvent(
            document_id=doc.id,
            editor_id=who.id,
            kind=kind,
            from_value=before,
            to_value=after,
            note=note,
            override=override,
            at=now,
        )
    )
    doc.updated_at = now
    session.flush()


def _locked(session: Session, doc_id: int) -> Document:
    from sqlalchemy import select

    from mt.store.models import Document

    doc = session.execute(
        select(Document).where(Document.id == doc_id).with_for_update()
    ).scalar_one_or_none()
    if doc is None:
        raise NotFound(f"no document {doc_id}")
    return doc


def _unapproved(session: Session, doc_id: int) -> tuple[int, int]:
    from sqlalchemy import case, func, select

    from mt.store.models import Segment

    n, approved = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Segment.status == "approved", 1), else_=0)), 0),
        ).where(Segment.document_id == doc_id)
    ).one()
    return int(n) - int(approved), int(n)


def set_state(
    store: Store,
    doc_id: int,
    state: str,
    *,
    by: str,
    note: str | None = None,
    override: bool = False,
) -> ArticleRow:
    """Move the article to `state` (see the module docstring for the moves and who may make
    them); logged with `by`, the time, both states and `note`.

    `override` lets an admin move to ready with segments not yet approved (the event says so).

    Raises:
        InvalidValue: unknown state. WorkflowError: a move the workflow does not allow, or ready
        with segments not approved and no override. PermissionDenied: the role does not allow
        it. NotFound: no such document.
    """
    from mt.store.accounts import actor

    check_state(state)
    note = _clean(note, "note", MAX_NOTE)
    with store.session(write=True) as session:
        doc = _locked(session, doc_id)
        current = doc.state
        final = state in FINAL_STATES or current in FINAL_STATES
        who = actor(session, by, "state_final" if final else "state")
        if state == current:
            raise WorkflowError(f"article {doc_id} is already {state}")
        if state not in MOVES[current]:
            raise WorkflowError(
                f"article {doc_id} cannot move from {current} to {state} "
                f"(from {current}: {', '.join(MOVES[current])})"
            )
        used_override = False
        if state == "ready":
            left, n = _unapproved(session, doc_id)
            if left and not override:
                raise WorkflowError(
                    f"article {doc_id} has {left} of {n} segments not approved; ready needs "
                    "every segment approved (or an admin's override)"
                )
            if left:
                actor(session, by, "override")
                used_override = True
                note = note or f"override: {left} of {n} segments not approved"
        _log(session, doc, who, "state", current, state, note, override=used_override)
        doc.state = state
        session.flush()
    return get_article(store, doc_id)


def assign(store: Store, doc_id: int, name: str | None, *, by: str) -> ArticleRow:
    """Make `name` (an existing person, not a viewer) the article's assignee; None unassigns.

    Raises NotFound (no such document or person), InvalidValue (a viewer), PermissionDenied.
    """
    from mt.store.accounts import actor, clean_name, find_editor
    from mt.store.models import Editor

    with store.session(write=True) as session:
        doc = _locked(session, doc_id)
        who = actor(session, by, "assign")
        person = None
        if name is not None:
            person = find_editor(session, clean_name(name))
            if person is None:
                raise NotFound(f"no person named {name!r}")
            if not permissions.assignable(person.role):
                raise InvalidValue(f"{person.name} is a {person.role} and cannot work on articles")
        before = session.get(Editor, doc.assignee_id).name if doc.assignee_id else None
        after = person.name if person is not None else None
        if before != after:
            _log(session, doc, who, "assign", before, after)
            doc.assignee_id = person.id if person is not None else None
    return get_article(store, doc_id)


def rename(store: Store, doc_id: int, title: str, *, by: str) -> ArticleRow:
    """Give the article a new title (logged, old and new). Raises InvalidValue for an empty or
    over-long title, NotFound, PermissionDenied."""
    from mt.store.accounts import actor

    title = _clean(title, "title", MAX_TITLE) or ""
    if not title:
        raise InvalidValue("title is empty")
    with store.session(write=True) as session:
        doc = _locked(session, doc_id)
        who = actor(session, by, "rename")
        if title != doc.title:
            _log(session, doc, who, "rename", doc.title, title)
            doc.title = title
    return get_article(store, doc_id)


def set_deadline(
    store: Store, doc_id: int, deadline: str | datetime | None, *, by: str
) -> ArticleRow:
    """Set (or, with None, clear) the article's deadline; see `parse_deadline` for strings."""
    from mt.store.accounts import actor

    when = parse_deadline(deadline)
    with store.session(write=True) as session:
        doc = _locked(session, doc_id)
        who = actor(session, by, "deadline")
        if when != doc.deadline:
            _log(session, doc, who, "deadline", _iso(doc.deadline), _iso(when))
            doc.deadline = when
    return get_article(store, doc_id)


def archive(store: Store, doc_id: int, *, by: str, note: str | None = None) -> ArticleRow:
    """Hide the article from lists (kept in the log and reports). WorkflowError when it is
    archived already."""
    return _archive(store, doc_id, by=by, note=note, archived=True)


def restore(store: Store, doc_id: int, *, by: str, note: str | None = None) -> ArticleRow:
    """Bring an archived article back into lists. WorkflowError when it is not archived."""
    return _archive(store, doc_id, by=by, note=note, archived=False)


def _archive(store: Store, doc_id: int, *, by: str, note: str | None, archived: bool) -> ArticleRow:
    from mt.store.accounts import actor
    from mt.store.models import utcnow

    note = _clean(note, "note", MAX_NOTE)
    kind = "archive" if archived else "restore"
    with store.session(write=True) as session:
        doc = _locked(session, doc_id)
        who = actor(session, by, kind)
        if (doc.archived_at is not None) == archived:
            raise WorkflowError(f"article {doc_id} is {'already' if archived else 'not'} archived")
        now = utcnow()
        _log(session, doc, who, kind, None, None, note, now=now)
        doc.archived_at = now if archived else None
    return get_article(store, doc_id)


def note_segment_change(
    session: Session, seg: Segment, who: Editor, *, kind: str, new_status: str, now: datetime
) -> None:
    """Keep the article's state in step with a segment change (inside its transaction, after
    the segment's row is written, so locks are taken segment first, then document, as an
    XLIFF import takes them).

    Raises WorkflowError on a published article (reopen it for a correction first). The first
    change to a drafted article moves it to editing; a segment of a ready article that stops
    being approved moves it back to review. Each move is logged by `who`. Other saves leave
    the document row alone (its last change is read from its segments).
    """
    from mt.store.models import Document

    doc = session.get(Document, seg.document_id)
    if doc is None:
        return
    if doc.state == "published":
        raise WorkflowError(
            f"article {doc.id} is published; reopen it for a correction (state editing) before "
            "changing it"
        )
    moves = doc.state == "drafted" or (doc.state == "ready" and new_status != "approved")
    if not moves or kind == "import":
        return
    doc = _locked(session, seg.document_id)
    session.refresh(doc)
    if doc.state == "drafted":
        _log(session, doc, who, "state", "drafted", "editing", "first change", now=now)
        doc.state = "editing"
    elif doc.state == "ready" and new_status != "approved":
        note = f"segment {seg.position + 1} changed ({kind})"
        _log(session, doc, who, "state", "ready", "review", note, now=now)
        doc.state = "review"


def can_move(role: str, current: str, state: str, *, accounts: bool = True) -> bool:
    """Whether `role` may move an article from `current` to `state` (for hiding buttons; the
    store checks again, and `ready`'s all-approved rule is checked there)."""
    if state not in MOVES.get(current, ()):
        return False
    final = state in FINAL_STATES or current in FINAL_STATES
    return permissions.allowed(role, "state_final" if final else "state", accounts=accounts)
