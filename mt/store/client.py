"""A client's XLIFF in the store: imported with its ids, notes, translations and approvals, and
written back as the client's own file (`transdesk export --format xliff --like`).

`import_client_xliff` makes one segment per segment of the file (`mt.formats.client`), in file
order, one paragraph per unit, and keeps the file's bytes (`document_source`) and each
segment's ids (`segment_ref`):

- an approved segment (an approval or lock) is stored approved with the client's text, never
  sent to MT, and remembered in the translation memory like any approval;
- another segment with a translation keeps it as a **human draft** (draft origin "human",
  status draft): never replaced by MT unless its state is named in `overwrite`, and left out
  of HTER and model comparisons;
- an empty segment is drafted by the engine (translation memory first, as for any import);
- the unit's notes become comments on its first segment (client "xliff").

`export_like` gives the file back with the desk's texts (`mt.formats.client.write_like`), from
the stored original or from the same file given again. `find_client_units` lets
`import-xliff` take such a file back by the client's ids.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path
from typing import Any

from mt.errors import InputError
from mt.store.db import Store

HUMAN_DRAFT = {
    "engine": "human",
    "model_id": "human translation",
    "revision": None,
    "beam": None,
    "compute_type": None,
    "max_length": None,
    "is_test_model": False,
}


def import_client_xliff(
    store: Store,
    data: bytes,
    name: str,
    *,
    title: str,
    engine: Any,
    created_by: str,
    overwrite: frozenset[str] = frozenset(),
    progress: Any = None,
) -> int:
    """Store a client's XLIFF as a document (see the module docstring); returns its id.

    Arguments:
        data, name: the file's bytes and name.
        engine: drafts the empty segments (and those whose state is in `overwrite`).
        overwrite: file states (`mt.formats.existing`) whose translations are drafted anew.

    Raises:
        InputError: not XLIFF, or no segment.
        PermissionDenied: accounts exist and `created_by` has none.
    """
    from sqlalchemy import insert

    from mt.drafting import draft_meta as _draft_meta
    from mt.formats.client import read_client
    from mt.formats.existing import may_replace
    from mt.store.accounts import accounts_exist, actor, clean_name, find_editor
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
    from mt.tm import draft_row, drafting_engine, remember

    client = read_client(data, name)
    with store.session() as session:  # refuse a stranger before minutes of translation
        if accounts_exist(session) and find_editor(session, clean_name(created_by)) is None:
            from mt.errors import PermissionDenied

            raise PermissionDenied(f"no account named {created_by!r}")
    segments = client.segments
    kept = [
        bool(s.target.strip()) and (s.status == "approved" or not may_replace(s.state, overwrite))
        for s in segments
    ]
    todo = [i for i, k in enumerate(kept) if not k]
    hyps: dict[int, tuple[Any, dict]] = {}
    if engine is not None and todo:
        wrapped = drafting_engine(store, engine)
        out = wrapped.translate([segments[i].source for i in todo], progress=progress)
        meta = _draft_meta(wrapped)
        hyps = {i: (h, meta) for i, h in zip(todo, out, strict=True)}
    now = utcnow()
    models = list(dict.fromkeys(m["model_id"] for _, m in hyps.values()))
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
            model_id=", ".join(models) if models else None,
        )
        session.add(doc)
        session.flush()
        session.add(
            DocumentSource(
                document_id=doc.id,
                name=Path(name).name,
                format="xliff",
                version=client.version,
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                created_at=now,
            )
        )
        rows, drafts = [], []
        previous_unit = None
        for i, s in enumerate(segments):
            if kept[i]:
                text, status = _nfc(s.target), ("approved" if s.status == "approved" else "draft")
                draft = {"origin": "human", "score": None, "time_ms": None, **HUMAN_DRAFT}
            elif i in hyps:
                h, meta = hyps[i]
                text, status = _nfc(h.text), "draft"
                origin = h.origin if h.origin in ("mt", "tm", "fallback") else "mt"
                draft = {
                    "origin": origin,
                    "score": _score(h.score),
                    "time_ms": _score(h.time_ms),
                    **draft_row(h, meta),
                }
            else:
                text, status, draft = "", "draft", None
            rows.append(
                {
                    "document_id": doc.id,
                    "position": i,
                    "paragraph": s.unit,
                    "before": "" if s.unit != previous_unit else " ",
                    "source": _nfc(s.source),
                    "target": text,
                    "status": status,
                    "version": 1,
                    "updated_at": now,
                    "updated_by_id": who.id,
                }
            )
            drafts.append(draft)
            previous_unit = s.unit
        ids = list(
            session.execute(
                insert(Segment).returning(Segment.id, sort_by_parameter_order=True), rows
            ).scalars()
        )
        draft_ids: list[int | None] = [None] * len(ids)
        for i, (sid, draft) in enumerate(zip(ids, drafts, strict=True)):
            if draft is not None:
                row = Draft(segment_id=sid, run=1, text=rows[i]["target"], created_at=now, **draft)
                session.add(row)
                session.flush()
                draft_ids[i] = row.id
                session.get(Segment, sid).draft_id = row.id
        session.execute(
            insert(SegmentRef),
            [
                {
                    "segment_id": sid,
                    "document_id": doc.id,
                    "unit_id": c.unit_id,
                    "segment_key": c.key,
                }
                for sid, c in zip(ids, segments, strict=True)
            ],
        )
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


def export_like(
    store: Store, doc_id: int, out_path: str | Path, *, like: str | Path | None = None
) -> None:
    """Write the client's file of document `doc_id` back with the desk's texts (atomically).

    Arguments:
        like: the client's file to fill (default: the file kept at import).

    Raises:
        NotFound: no such document.
        InputError: the document was not imported from a client's XLIFF, or `like` is not
            that file (a segment of the document is missing from it or has another source).
    """
    from sqlalchemy import select

    from mt.formats.base import atomic_write, read_path
    from mt.formats.client import Final, read_client, write_like
    from mt.store.documents import require_document
    from mt.store.models import Draft, Segment, SegmentRef

    with store.session() as session:
        require_document(session, doc_id)
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
    stored = stored_source(store, doc_id)
    if not rows or stored is None:
        raise InputError(
            f"document {doc_id} was not imported from a client's XLIFF file; export it as "
            "xliff without a client file"
        )
    if like is None:
        name, data = stored
    else:
        name, data = Path(str(like)).name, read_path(like)
        places = {s.place: s.source for s in read_client(data, name).segments}
        for unit, key, source, *_ in rows:
            if not _same(places.get((unit, key)), source):
                where = f"unit {unit}" + (f" segment {key}" if key else "")
                raise InputError(
                    f"{name}: {where} is missing or has another source than document "
                    f"{doc_id}'s; give the file the document was imported from"
                )
    finals = {(u, k): Final(target, status, origin) for u, k, _, target, status, origin in rows}
    atomic_write(out_path, write_like(data, name, finals))


def _same(a: str | None, b: str) -> bool:
    if a is None:
        return False
    return unicodedata.normalize("NFC", a).strip() == unicodedata.normalize("NFC", b).strip()


def find_client_units(store: Store, name: str, data: bytes) -> list[tuple[Any, int]] | None:
    """An edited copy of a client's file, as (unit, segment id) pairs for `import-xliff`.

    The file is a client's when every segment of it is a segment of one imported document (same
    unit id, key and source); the most recent such document is taken. Each unit carries the
    segment's target and what its state means to the desk (`mt.formats.client`). None when no
    document matches.
    """
    from sqlalchemy import select

    from mt.formats.client import read_client
    from mt.formats.xliff import BilingualUnit
    from mt.store.models import Segment, SegmentRef

    try:
        client = read_client(data, name)
    except InputError:
        return None
    first = client.segments[0]
    with store.session() as session:
        candidates = session.execute(
            select(SegmentRef.document_id)
            .where(SegmentRef.unit_id == first.unit_id, SegmentRef.segment_key == first.key)
            .distinct()
            .order_by(SegmentRef.document_id.desc())
        ).scalars()
        for doc_id in list(candidates):
            refs = {
                (u, k): (sid, source)
                for u, k, sid, source in session.execute(
                    select(SegmentRef.unit_id, SegmentRef.segment_key, Segment.id, Segment.source)
                    .join(Segment, Segment.id == SegmentRef.segment_id)
                    .where(SegmentRef.document_id == doc_id)
                ).all()
            }
            if all(s.place in refs and _same(s.source, refs[s.place][1]) for s in client.segments):
                sent = _as_imported(store, doc_id)
                return [
                    (BilingualUnit(s.label, s.source, s.target, _state(s, sent)), refs[s.place][0])
                    for s in client.segments
                ]
    return None


def _as_imported(store: Store, doc_id: int) -> dict[tuple[str, str], tuple[str, str]]:
    """(target, status) of each segment of the file the document was imported from."""
    from mt.formats.client import read_client

    stored = stored_source(store, doc_id)
    if stored is None:
        return {}
    return {s.place: (s.target, s.status) for s in read_client(stored[1], stored[0]).segments}


def _state(segment: Any, sent: dict[tuple[str, str], tuple[str, str]]) -> str:
    """The desk status a segment of the returned file asks for: the client's own translation,
    returned as it came, asks for nothing (it is not the translator's confirmation)."""
    if segment.status != "approved" and sent.get(segment.place) == (
        segment.target,
        segment.status,
    ):
        return "draft"
    return segment.status
