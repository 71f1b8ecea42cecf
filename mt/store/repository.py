"""The only door to the database for the CLI and the web app: documents, segments, edits, people.

Every function takes a `Store` (from `open_store`) first and returns frozen views (see
`mt.store.views`), never ORM objects. Saves name the version they started from; a stale one
raises `ConflictError` and changes nothing. The edit log is append-only.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from mt.errors import (
    ConflictError,
    InputError,
    InvalidValue,
    NotFound,
    PermissionDenied,
    TransdeskError,
)
from mt.store.accounts import (
    accounts_exist,
    actor,
    add_user,
    authenticate,
    check_change_approved,
    clean_name,
    ensure_editor,
    find_editor,
    has_accounts,
    list_users,
    remove_user,
    rename_user,
    set_password,
    set_role,
)
from mt.store.db import Store, default_url, open_store
from mt.store.steps import rebuild_steps
from mt.store.tm import remember
from mt.store.views import (
    CLIENTS,
    EVENT_KINDS,
    ROLES,
    STATUSES,
    CommentView,
    DocumentSummary,
    DraftView,
    EditEventView,
    EditorView,
    SegmentView,
    XliffImportResult,
)
from mt.store.workflow import note_segment_change
from mt.textsafe import refuse_unstorable
from mt.tm import draft_row, drafting_engine

__all__ = [
    "CLIENTS",
    "EVENT_KINDS",
    "ROLES",
    "STATUSES",
    "CommentView",
    "DocumentSummary",
    "DraftView",
    "EditEventView",
    "EditorView",
    "SegmentView",
    "Store",
    "XliffImportResult",
    "add_comment",
    "add_user",
    "approve_segment",
    "authenticate",
    "count_segments",
    "create_document",
    "default_url",
    "document_text",
    "drafts",
    "edit_events",
    "ensure_editor",
    "export_document",
    "get_document",
    "get_segment",
    "has_accounts",
    "import_file",
    "import_xliff",
    "list_comments",
    "list_documents",
    "list_segments",
    "list_users",
    "next_segment",
    "open_segment",
    "open_store",
    "remove_user",
    "rename_user",
    "reopen_segment",
    "report",
    "retranslate_document",
    "revert_to_mt",
    "save_segment",
    "set_password",
    "set_role",
]

Progress = Callable[[int, int], None]


# --- helpers ------------------------------------------------------------------------------

# Events that change a segment's text or status (the others leave the version alone).
CHANGE_KINDS = ("import", "save", "approve", "reopen", "revert")


def _nfc(text: str, what: str = "text") -> str:
    """`text` NFC-normalised; InputError when it is not valid Unicode (a lone surrogate, which
    neither SQLite nor PostgreSQL can store as UTF-8) or holds a NUL, which PostgreSQL cannot
    store (`what` names the text in that message)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InputError(
            f"text holds an unpaired surrogate (U+{ord(e.object[e.start]):04X}) at character "
            f"{e.start + 1}: not valid Unicode"
        ) from None
    return unicodedata.normalize("NFC", refuse_unstorable(text, what))


def _check_client(client: str) -> str:
    if client not in CLIENTS:
        raise InvalidValue(f"unknown client {client!r} (choose from: {', '.join(CLIENTS)})")
    return client


def _ms(value: int | float | None, what: str) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise InvalidValue(f"{what} is negative ({value})")
    return int(value)


def _draft_view(d: Any) -> DraftView | None:
    if d is None:
        return None
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


def _segment_view(s: Any, draft: Any, comments: int, updated_by: str | None) -> SegmentView:
    return SegmentView(
        s.id,
        s.document_id,
        s.position,
        s.paragraph,
        s.source,
        s.target,
        s.status,
        s.version,
        _draft_view(draft),
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


def _comment_counts(session: Any, segment_ids: list[int] | None, doc_id: int | None) -> dict:
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


def _load_segment(session: Any, segment_id: int) -> SegmentView:
    from mt.store.models import Segment

    row = session.execute(_segment_select().where(Segment.id == segment_id)).first()
    if row is None:
        raise NotFound(f"no segment {segment_id}")
    counts = _comment_counts(session, [segment_id], None)
    return _segment_view(row[0], row[1], counts.get(segment_id, 0), row[2])


def _require_document(session: Any, doc_id: int) -> Any:
    from mt.store.models import Document

    doc = session.get(Document, doc_id)
    if doc is None:
        raise NotFound(f"no document {doc_id}")
    return doc


def _draft_meta(engine: Any) -> dict[str, Any]:
    """What produced the drafts, from the engine's signature (or its attributes); an LLM's
    NMT fallback engine, once it has drafted, under "fallback"."""
    sig = engine.signature() if hasattr(engine, "signature") else {}
    meta = _meta_of(sig, engine)
    fallback = getattr(engine, "fallback_signature", None)
    fallback_sig = fallback() if callable(fallback) else None
    if fallback_sig:
        meta["fallback"] = _meta_of(fallback_sig, None)
    return meta


def _meta_of(sig: dict[str, Any], engine: Any) -> dict[str, Any]:
    beam = sig.get("beam", getattr(getattr(engine, "options", None), "beam_size", None))
    return {
        "engine": str(sig.get("engine") or getattr(engine, "name", "unknown")),
        "model_id": str(sig.get("model") or getattr(engine, "model_id", "unknown")),
        "revision": sig.get("revision", getattr(engine, "revision", None)),
        "beam": int(beam) if beam is not None else None,
        "compute_type": str(sig["compute_type"]) if sig.get("compute_type") else None,
        "max_length": str(sig["max_length"]) if sig.get("max_length") is not None else None,
        "is_test_model": bool(sig.get("test_model", getattr(engine, "is_test_model", False))),
        "generation": sig.get("generation"),
    }


def _score(value: float | None) -> float | None:
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return float(value)


def _refresh_document_status(session: Any, doc_id: int) -> None:
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


def _qa_findings(source: str, text: str, glossary: Any) -> list[dict]:
    """QA findings of a saved text (with the stored glossary), as stored with its edit event."""
    from dataclasses import asdict

    from mt.qa import check_pair

    return [asdict(f) for f in check_pair(source, text, glossary=glossary)]


def _cache_stats(store: Store, pairs: list[tuple[int, str, str]]) -> None:
    """Store sacrebleu statistics of (draft_id, draft text, final) pairs for reports."""
    from mt.scoring import cache_pair_stats

    cache_pair_stats(store, pairs)


# --- documents ----------------------------------------------------------------------------


def create_document(
    store: Store,
    text: str,
    *,
    title: str,
    engine: Any,
    created_by: str,
    filename: str | None = None,
    file_format: str = "txt",
    segment_mode: str = "sentence",
    progress: Progress | None = None,
    from_scratch: float = 0.0,
    seed: int | None = 0,
) -> int:
    """Segment `text`, draft every segment with `engine`, store it all; returns the document id.

    Arguments:
        text: the Korean article (NFC-normalised here); paragraphs are kept (see `mt.segment`).
        engine: an `mt.engines` engine (its `translate` and `signature()` are used), a list of
            engines (model A/B: each segment drafted by one of them at random, see
            `mt.store.drafting`), or None to store the document without drafts.
        created_by: editor name (created if missing, unless accounts exist).
        segment_mode: "sentence" (kiwipiepy) or "line".
        progress: called with (done, total) while translating.
        from_scratch: share (0-1) of segments, drawn at random, left without a draft
            (origin "scratch", empty target) for the editor to translate from scratch.
        seed: seeds the from-scratch draw and the model assignment (reproducible).

    Raises:
        InputError: the text has no segment; InvalidValue: the share is not between 0 and 1.
        PermissionDenied: accounts exist and `created_by` has none.
    """
    from sqlalchemy import insert, update

    from mt.segment import segment
    from mt.store.drafting import SCRATCH_DRAFT, assign, check_share, draft_segments
    from mt.store.models import Document, Draft, EditEvent, Segment, utcnow

    title = _nfc(title, "title").strip() or (filename or "untitled")
    with store.session() as session:  # refuse a stranger before minutes of translation
        if accounts_exist(session) and find_editor(session, clean_name(created_by)) is None:
            raise PermissionDenied(f"no account named {created_by!r}")
    seg = segment(_nfc(text, filename or title), mode=segment_mode)
    if not seg.segments:
        raise InputError(f"{filename or title}: no text to translate")
    sources = [s.text for s in seg.segments]
    share = check_share(from_scratch)
    engines = [engine] if engine is not None else []
    if isinstance(engine, list | tuple):
        engines = list(engine)
    drafted = None
    if engines:  # exact translation-memory matches, then MT held to the glossary
        wrapped = [drafting_engine(store, e) for e in engines]
        plan = assign(len(sources), models=len(wrapped), scratch_share=share, seed=seed)
        drafted = draft_segments(wrapped, sources, plan, _draft_meta, progress=progress)
    models = list(dict.fromkeys(m["model_id"] for _, m in filter(None, drafted or [])))
    now = utcnow()
    with store.session(write=True) as session:
        creator = actor(session, created_by, "import")
        doc = Document(
            title=title,
            filename=filename,
            file_format=file_format,
            segment_mode=segment_mode,
            trailing=seg.trailing,
            status="in_progress",
            created_by_id=creator.id,
            created_at=now,
            model_id=", ".join(models) if models else None,
        )
        session.add(doc)
        session.flush()
        targets = [_nfc(d[0].text) if d else "" for d in drafted or [None] * len(sources)]
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
                    for i, s in enumerate(seg.segments)
                ],
            )
            .scalars()
            .all()
        )
        draft_ids: list[int | None] = [None] * len(segment_ids)
        if drafted is not None:
            draft_ids = list(
                session.execute(
                    insert(Draft).returning(Draft.id, sort_by_parameter_order=True),
                    [
                        {
                            "segment_id": sid,
                            "run": 1,
                            "text": targets[i],
                            "score": _score(d[0].score) if d else None,
                            "time_ms": _score(d[0].time_ms) if d else None,
                            "origin": (
                                d[0].origin if d[0].origin in ("mt", "tm", "fallback") else "mt"
                            )
                            if d
                            else "scratch",
                            "created_at": now,
                            **(draft_row(d[0], d[1]) if d else SCRATCH_DRAFT),
                        }
                        for i, (sid, d) in enumerate(zip(segment_ids, drafted, strict=True))
                    ],
                ).scalars()
            )
            session.execute(
                update(Segment),
                [
                    {"id": sid, "draft_id": did}
                    for sid, did in zip(segment_ids, draft_ids, strict=True)
                ],
            )
        session.execute(
            insert(EditEvent),
            [
                {
                    "document_id": doc.id,
                    "segment_id": sid,
                    "editor_id": creator.id,
                    "kind": "import",
                    "text_before": None,
                    "text_after": targets[i],
                    "version_before": None,
                    "version_after": 1,
                    "draft_id": draft_ids[i],
                    "saved_at": now,
                    "client": "cli",
                }
                for i, sid in enumerate(segment_ids)
            ],
        )
        rebuild_steps(session, segment_ids)
        return doc.id


def import_file(
    store: Store,
    path: str | Path,
    *,
    title: str | None = None,
    engine: Any,
    created_by: str,
    segment_mode: str = "sentence",
    progress: Progress | None = None,
    format: str | None = None,
    field: str | None = None,
    column: str | None = None,
    from_scratch: float = 0.0,
    seed: int | None = 0,
    force_source_language: bool = False,
    overwrite: frozenset[str] = frozenset(),
) -> int:
    """Read a file with `mt.formats` and `create_document` from it (`engine`, `from_scratch`
    and `seed` as there).

    A file whose source is not Korean is refused (NotKorean) unless `force_source_language`;
    every source of a TMX file is imported, whether or not it has a target. An XLIFF file is a
    client's (`mt.store.client`): its segments, ids, notes, translations (human drafts, unless
    their state is in `overwrite`) and approvals are kept, and so is the file itself.

    A plain-text file is segmented as decoded, so its paragraphs and blank lines come back in
    `document_text`; in other formats each unit (Word paragraph, JSONL field, CSV cell, XLIFF
    source) is one paragraph.

    Raises:
        InputError: the file cannot be read or holds no text (message names the file).
    """
    from mt import formats
    from mt.formats.encoding import decode

    path = Path(path)
    from mt.formats.existing import ANY, APPROVALS

    parsed = formats.read(
        path,
        format=format,
        field=field,
        column=column,
        overwrite=APPROVALS | {ANY},
        force_source_language=force_source_language,
    )
    if parsed.format == "xliff":
        from mt.exchange.client import import_client_xliff

        return import_client_xliff(
            store, path.read_bytes(), path.name, title=title or path.stem, engine=engine,
            created_by=created_by, overwrite=overwrite, progress=progress,
        )  # fmt: skip
    if parsed.format == "txt":
        text, _ = decode(path.read_bytes(), path.name)
    else:
        text = "\n\n".join(unit.text for unit in parsed.units)
    return create_document(
        store,
        text,
        title=title or path.stem,
        engine=engine,
        created_by=created_by,
        filename=path.name,
        file_format=parsed.format,
        segment_mode=segment_mode,
        progress=progress,
        from_scratch=from_scratch,
        seed=seed,
    )


def _summaries(session: Any, doc_id: int | None = None) -> list[DocumentSummary]:
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


def retranslate_document(
    store: Store,
    doc_id: int,
    *,
    engine: Any,
    progress: Progress | None = None,
    editor: str | None = None,
) -> None:
    """Draft every segment again with `engine`, keeping the earlier drafts.

    Segments nobody has touched (status "draft") take the new draft as their target (an
    `import` event, client "cli", by `editor` or else the document's creator), except a
    client's own translations (human drafts), which are kept; edited and
    approved segments keep their text and the draft they were edited from, and the new draft
    is kept (and scored against their current text) for model comparison in reports.

    Raises:
        NotFound: no such document.
    """
    from sqlalchemy import func, insert, select, update

    from mt.store.models import Draft, EditEvent, Editor, Segment, utcnow

    with store.session() as session:
        doc = _require_document(session, doc_id)
        creator_name = session.get(Editor, doc.created_by_id).name
        rows = session.execute(
            select(Segment.source, Segment.status, Segment.target)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
    # Untouched segments may take exact matches from other documents' approvals; edited and
    # approved ones are drafted by the model, so models are compared on the same edits.
    engine = drafting_engine(store, engine, exclude_document=doc_id)
    hyps = engine.translate(
        [r.source for r in rows],
        progress=progress,
        reuse=[r.status == "draft" for r in rows],
        approved={r.source: r.target for r in rows if r.status == "approved"},
    )
    meta = _draft_meta(engine)
    now = utcnow()
    scored: list[tuple[int, str, str]] = []
    with store.session(write=True) as session:
        who = actor(session, editor or creator_name, "import")
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
        if len(segs) != len(hyps):
            raise TransdeskError(f"document {doc_id} changed while it was being translated")
        run = 1 + (
            session.execute(
                select(func.coalesce(func.max(Draft.run), 0))
                .join(Segment, Segment.id == Draft.segment_id)
                .where(Segment.document_id == doc_id)
            ).scalar_one()
        )
        texts = [_nfc(h.text) for h in hyps]
        draft_ids = (
            session.execute(
                insert(Draft).returning(Draft.id, sort_by_parameter_order=True),
                [
                    {
                        "segment_id": s.id,
                        "run": run,
                        "text": texts[i],
                        "score": _score(h.score),
                        "time_ms": _score(h.time_ms),
                        "origin": h.origin if h.origin in ("mt", "tm", "fallback") else "mt",
                        "created_at": now,
                        **draft_row(h, meta),
                    }
                    for i, (s, h) in enumerate(zip(segs, hyps, strict=True))
                ],
            )
            .scalars()
            .all()
        )
        changes, events = [], []
        for s, did, text in zip(segs, draft_ids, texts, strict=True):
            if s.id in human and s.status == "draft":
                continue  # kept as the client sent it; a new draft is kept, nothing scored
            if s.status != "draft":
                scored.append((did, text, s.target))
                continue
            changes.append(
                {
                    "id": s.id,
                    "draft_id": did,
                    "target": text,
                    "version": s.version + 1,
                    "updated_at": now,
                    "updated_by_id": who.id,
                }
            )
            events.append(
                {
                    "document_id": doc_id,
                    "segment_id": s.id,
                    "editor_id": who.id,
                    "kind": "import",
                    "text_before": s.target,
                    "text_after": text,
                    "version_before": s.version,
                    "version_after": s.version + 1,
                    "draft_id": did,
                    "saved_at": now,
                    "client": "cli",
                }
            )
        if changes:
            session.execute(update(Segment), changes)
            session.execute(insert(EditEvent), events)
            rebuild_steps(session, [c["id"] for c in changes])
        doc = _require_document(session, doc_id)
        doc.model_id = meta["model_id"]
    if scored:
        _cache_stats(store, scored)


# --- segments -----------------------------------------------------------------------------


def list_segments(
    store: Store, doc_id: int, *, offset: int = 0, limit: int | None = None
) -> list[SegmentView]:
    """A document's segments in order (a page of them with offset/limit). Raises NotFound."""
    from mt.store.models import Segment

    with store.session() as session:
        _require_document(session, doc_id)
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
        _require_document(session, doc_id)
        return session.execute(
            select(func.count()).select_from(Segment).where(Segment.document_id == doc_id)
        ).scalar_one()


def get_segment(store: Store, segment_id: int) -> SegmentView:
    """One segment. Raises NotFound."""
    with store.session() as session:
        return _load_segment(session, segment_id)


def open_segment(store: Store, segment_id: int, *, editor: str, client: str = "web") -> SegmentView:
    """Log that `editor` opened the segment for editing (an `open` event) and return it."""
    from mt.store.models import EditEvent, Segment, utcnow

    _check_client(client)
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
        return _load_segment(session, segment_id)


def apply_change(
    session: Any,
    seg: Any,
    who: Any,
    *,
    kind: str,
    base_version: int,
    client: str,
    text: str | None = None,
    active_ms: int | None = None,
    idle_ms: int | None = None,
    opened_at: datetime | None = None,
    keystrokes: int | None = None,
    findings: list[dict] | None = None,
    keylog: dict | None = None,
) -> bool:
    """Apply a save, approve, reopen or revert to `seg` inside an open write session.

    The update is conditional on `base_version`, so of two writers starting from one version
    exactly one wins. Returns False when nothing was logged (reopening a segment that is not
    approved).

    Raises:
        ConflictError: `base_version` is not current; the caller's transaction must roll back.
        PermissionDenied: an editor changing an approved segment while accounts exist.
        InputError: revert of a segment without a draft.
    """
    from sqlalchemy import update

    from mt.store.models import Draft, EditEvent, Segment, utcnow

    if seg.version != base_version:
        raise _conflict(seg, base_version, text)
    check_change_approved(session, seg, who, kind)
    new_text, new_status = seg.target, seg.status
    if kind == "save":
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
    if findings is None and kind in ("save", "approve"):
        from mt.termbase import session_glossary

        findings = _qa_findings(seg.source, new_text, session_glossary(session))
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
        if result.rowcount != 1:  # another writer got there between our read and our write
            session.expire(seg)
            raise _conflict(session.get(Segment, seg.id), base_version, text)
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
            opened_at=opened_at,
            saved_at=now,
            active_ms=active_ms,
            idle_ms=idle_ms,
            keystrokes=keystrokes,
            client=client,
            findings=findings,
            keylog=keylog,
        )
    )
    if kind in ("save", "approve", "revert"):  # the editor's unsaved copy is now history
        from mt.store.drafts_wip import clear_in_session

        clear_in_session(session, seg.id, who.id)
    if kind == "approve":  # the translation memory holds each source's latest approved English
        remember(session, seg.source, new_text, segment_id=seg.id, editor_id=who.id)
    if "approved" in (old_status, new_status) and old_status != new_status:
        _refresh_document_status(session, seg.document_id)
    session.flush()
    rebuild_steps(session, [seg.id])  # who did what: the segment's steps (mt.store.steps)
    session.expire(seg)
    return True


def _change(
    store: Store,
    segment_id: int,
    *,
    kind: str,
    editor: str,
    base_version: int,
    client: str,
    text: str | None = None,
    active_ms: int | None = None,
    idle_ms: int | None = None,
    opened_at: datetime | None = None,
    keystrokes: int | None = None,
    findings: list[dict] | None = None,
    keylog: Any = None,
) -> SegmentView:
    """The one write path for save, approve, reopen and revert (see their docstrings)."""
    from mt.keystrokes import parse_keylog
    from mt.store.models import Segment

    _check_client(client)
    if text is not None:
        text = _nfc(text, "translation")
    active_ms, idle_ms = _ms(active_ms, "active_ms"), _ms(idle_ms, "idle_ms")
    keystrokes = _ms(keystrokes, "keystrokes")
    log = parse_keylog(keylog)
    if log is not None and keystrokes is None:
        keystrokes = len(log.codes)
    if findings is not None and not isinstance(findings, list):
        raise InputError("findings must be a list of objects")
    if findings is None and kind in ("save", "approve"):
        # QA runs before the write lock is taken: its first call loads a sentence splitter.
        from mt.desk import document_findings
        from mt.termbase import session_glossary

        with store.session() as session:
            seg = session.get(Segment, segment_id)
            if seg is not None:
                qa = (seg.source, text if text is not None else seg.target)
                glossary = session_glossary(session)
                # Article-level QA (one rendering per name, house style): mt.store.desk.
                article = document_findings(session, seg.document_id, seg.position, qa[1])
        if seg is not None:  # else NotFound below
            findings = _qa_findings(*qa, glossary) + article
    with store.session(write=True) as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            raise NotFound(f"no segment {segment_id}")
        who = actor(session, editor, kind)
        apply_change(
            session,
            seg,
            who,
            kind=kind,
            base_version=base_version,
            client=client,
            text=text,
            active_ms=active_ms,
            idle_ms=idle_ms,
            opened_at=opened_at,
            keystrokes=keystrokes,
            findings=findings,
            keylog=log.to_json() if log is not None else None,
        )
        view = _load_segment(session, segment_id)
    if view.draft is not None and kind != "reopen":
        # Reports sum these statistics instead of re-scoring every segment (see scores.py);
        # TER can take tens of milliseconds, so it runs after the save has returned.
        store.defer(_cache_stats, store, [(view.draft.id, view.draft.text, view.target)])
    return view


def _conflict(seg: Any, base_version: int, attempted: str | None) -> ConflictError:
    return ConflictError(
        f"segment {seg.id} was changed by someone else (you started from version "
        f"{base_version}, it is now at version {seg.version}); nothing was saved",
        current_text=seg.target,
        attempted_text=attempted if attempted is not None else "",
        current_version=seg.version,
    )


def save_segment(
    store: Store,
    segment_id: int,
    text: str,
    *,
    editor: str,
    base_version: int,
    active_ms: int | None = None,
    idle_ms: int | None = None,
    opened_at: datetime | None = None,
    keystrokes: int | None = None,
    client: str = "web",
    findings: list[dict] | None = None,
    keylog: Any = None,
) -> SegmentView:
    """Save `text` (NFC-normalised) as the segment's target; status becomes "edited".

    A save that changes nothing (same text, already edited) is logged with its timing but keeps
    the version. QA findings of the text (`mt.qa.check_pair` with the stored glossary, as
    dicts) are stored with the event, unless `findings` are given. `keylog` is the visit's
    keystroke log (see `mt.keystrokes.parse_keylog`), stored with the event. The editor's
    unsaved copy of the segment (`mt.store.drafts_wip`) is deleted.

    Raises:
        ConflictError: `base_version` is not the current version (carries current_text,
            attempted_text, current_version); nothing is changed.
        PermissionDenied: accounts exist and `editor` has none, or an editor saves an
            approved segment (a reviewer must reopen it first).
        NotFound: no such segment.
    """
    if not isinstance(text, str):
        raise InputError("segment text must be a string")
    return _change(
        store,
        segment_id,
        kind="save",
        editor=editor,
        base_version=base_version,
        client=client,
        text=text,
        active_ms=active_ms,
        idle_ms=idle_ms,
        opened_at=opened_at,
        keystrokes=keystrokes,
        findings=findings,
        keylog=keylog,
    )


def approve_segment(
    store: Store,
    segment_id: int,
    *,
    editor: str,
    base_version: int,
    client: str = "web",
    text: str | None = None,
    active_ms: int | None = None,
    idle_ms: int | None = None,
    opened_at: datetime | None = None,
    keystrokes: int | None = None,
    findings: list[dict] | None = None,
    keylog: Any = None,
) -> SegmentView:
    """Approve the segment, optionally saving `text` in the same step (one `approve` event).

    The pair goes into the translation memory (`mt.tm`); QA findings are stored as on a save.

    Raises ConflictError as `save_segment`; PermissionDenied when accounts exist and `editor`
    is not a reviewer or admin.
    """
    return _change(
        store,
        segment_id,
        kind="approve",
        editor=editor,
        base_version=base_version,
        client=client,
        text=text,
        active_ms=active_ms,
        idle_ms=idle_ms,
        opened_at=opened_at,
        keystrokes=keystrokes,
        findings=findings,
        keylog=keylog,
    )


def reopen_segment(
    store: Store, segment_id: int, *, editor: str, base_version: int, client: str = "web"
) -> SegmentView:
    """Take an approved segment back to "edited" (no-op for others). Needs reviewer or admin
    when accounts exist. Raises ConflictError as `save_segment`."""
    return _change(
        store, segment_id, kind="reopen", editor=editor, base_version=base_version, client=client
    )


def revert_to_mt(
    store: Store, segment_id: int, *, editor: str, base_version: int, client: str = "web"
) -> SegmentView:
    """Put the current MT draft back as the target; status becomes "draft".

    Raises ConflictError as `save_segment`; InputError when the segment has no draft.
    """
    return _change(
        store, segment_id, kind="revert", editor=editor, base_version=base_version, client=client
    )


def add_comment(
    store: Store, segment_id: int, text: str, *, editor: str, client: str = "web"
) -> None:
    """Attach a comment to the segment (a `comment` event; the version does not change)."""
    from mt.store.models import EditEvent, Segment, utcnow

    _check_client(client)
    text = _nfc(text or "", "comment").strip()
    if not text:
        raise InputError("comment is empty")
    with store.session(write=True) as session:
        seg = session.get(Segment, segment_id)
        if seg is None:
            raise NotFound(f"no segment {segment_id}")
        who = actor(session, editor, "comment")
        session.add(
            EditEvent(
                document_id=seg.document_id,
                segment_id=seg.id,
                editor_id=who.id,
                kind="comment",
                text_before=None,
                text_after=text,
                version_before=seg.version,
                version_after=seg.version,
                draft_id=seg.draft_id,
                saved_at=utcnow(),
                client=client,
            )
        )


def list_comments(store: Store, segment_id: int) -> list[CommentView]:
    """The segment's comments, oldest first."""
    from sqlalchemy import select

    from mt.store.models import EditEvent, Editor

    with store.session() as session:
        rows = session.execute(
            select(
                EditEvent.id,
                EditEvent.segment_id,
                Editor.name,
                EditEvent.text_after,
                EditEvent.saved_at,
            )
            .join(Editor, Editor.id == EditEvent.editor_id)
            .where(EditEvent.segment_id == segment_id, EditEvent.kind == "comment")
            .order_by(EditEvent.id)
        ).all()
    return [CommentView(*r) for r in rows]


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
        return _load_segment(session, found) if found is not None else None


def document_text(store: Store, doc_id: int, *, which: str = "target") -> str:
    """The whole article with its paragraphs: `which` is "target", "draft" or "source".

    The source comes back exactly as imported (after NFC); translations are laid out by
    `mt.segment.join_translation` (sentences of a paragraph joined by one space).
    """
    from sqlalchemy import select

    from mt.segment import Segmentation, join_translation, rebuild
    from mt.store.models import Draft, Segment
    from mt.types import SourceSegment

    if which not in ("target", "draft", "source"):
        raise InvalidValue(f"unknown text {which!r} (choose from: target, draft, source)")
    with store.session() as session:
        doc = _require_document(session, doc_id)
        rows = session.execute(
            select(Segment.source, Segment.paragraph, Segment.before, Segment.target, Draft.text)
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
        trailing = doc.trailing
    seg = Segmentation([SourceSegment(r[0], r[1], r[2]) for r in rows], trailing)
    if which == "source":
        return rebuild(seg)
    texts = [r[3] if which == "target" else (r[4] or "") for r in rows]
    return join_translation(seg, texts)


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
        return [_draft_view(d) for d in rows]


# --- exchange and reports (implemented in export.py, xliff_import.py, mt/report.py) ------------


def export_document(
    store: Store, doc_id: int, fmt: str, out_path: str | Path, *, unapproved: str = "refuse"
) -> None:
    """Write the document as txt, docx, html, md, xliff, xliff2, tmx, jsonl or csv (see
    mt.store.export); `unapproved`: "refuse", "mark" or "allow" for the article formats."""
    from mt.store.export import export_document as _export

    _export(store, doc_id, fmt, out_path, unapproved=unapproved)


def import_xliff(
    store: Store, path: str | Path, *, editor: str, data: bytes | None = None
) -> XliffImportResult:
    """Record every target changed in an exported XLIFF as an edit (client "xliff").

    See `mt.store.xliff_import`. Raises ConflictError (changing nothing) when a changed target's
    segment was also changed in Transdesk since the export.
    """
    from mt.store.xliff_import import import_xliff as _import

    return _import(store, path, editor=editor, data=data)


def report(
    store: Store,
    *,
    document_id: int | None = None,
    by: str | None = None,
    seed: int = 12345,
    n_samples: int = 1000,
) -> dict[str, Any]:
    """Post-editing report (see mt.report.report): keys segments, approved, unchanged_rate, hter,
    chrf, bleu (each with `_ci95`), signatures, seconds_per_word, seconds_per_char,
    words_per_hour, outliers, groups (by editor, step, model, document or day), models,
    comparisons, productivity, notes."""
    from mt.report import report as _report

    return _report(store, document_id=document_id, by=by, seed=seed, n_samples=n_samples)
