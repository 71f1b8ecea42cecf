"""A client's XLIFF at the desk: imported with its ids, notes, translations and approvals, and
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
`import-xliff` take such a file back by the client's ids. The rows are read and written by
`mt.store.client_files`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.errors import InputError
from mt.store.db import Store

if TYPE_CHECKING:
    from mt.engines.base import Translator

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
    engine: Translator | None,
    created_by: str,
    overwrite: frozenset[str] = frozenset(),
    progress: Callable[[int, int], None] | None = None,
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
    from mt.engines.base import draft_meta as _draft_meta
    from mt.formats.client import read_client
    from mt.formats.existing import may_replace
    from mt.store.client_files import ClientSegmentRow, store_client_document
    from mt.store.documents import require_account
    from mt.tm import draft_row, drafting_engine

    client = read_client(data, name)
    require_account(store, created_by)  # before minutes of translation
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
    models = list(dict.fromkeys(m["model_id"] for _, m in hyps.values()))
    rows = []
    for i, s in enumerate(segments):
        draft: dict[str, Any] | None
        if kept[i]:
            text, status = s.target, ("approved" if s.status == "approved" else "draft")
            draft = {"origin": "human", "score": None, "time_ms": None, **HUMAN_DRAFT}
        elif i in hyps:
            h, meta = hyps[i]
            text, status = h.text, "draft"
            origin = h.origin if h.origin in ("mt", "tm", "fallback") else "mt"
            draft = {"origin": origin, "score": h.score, "time_ms": h.time_ms,
                     **draft_row(h, meta)}  # fmt: skip
        else:
            text, status, draft = "", "draft", None
        rows.append(
            ClientSegmentRow(s.source, text, status, s.unit, s.unit_id, s.key, draft, s.notes)
        )
    return store_client_document(
        store, data=data, name=name, version=client.version, title=title,
        created_by=created_by, model_id=", ".join(models) if models else None, segments=rows,
    )  # fmt: skip


def export_like(store: Store, doc_id: int, *, like: str | Path | None = None) -> bytes:
    """The client's file of document `doc_id` with the desk's texts, as bytes.

    Arguments:
        like: the client's file to fill (default: the file kept at import).

    Raises:
        NotFound: no such document.
        InputError: the document was not imported from a client's XLIFF, or `like` is not
            that file (a segment of the document is missing from it or has another source).
    """
    from mt.formats.base import read_path
    from mt.formats.client import Final, read_client, write_like
    from mt.store.client_files import client_rows, stored_source

    rows = client_rows(store, doc_id)
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
        for row in rows:
            if not _same(places.get((row.unit_id, row.key)), row.source):
                where = f"unit {row.unit_id}" + (f" segment {row.key}" if row.key else "")
                raise InputError(
                    f"{name}: {where} is missing or has another source than document "
                    f"{doc_id}'s; give the file the document was imported from"
                )
    finals = {(r.unit_id, r.key): Final(r.target, r.status, r.origin) for r in rows}
    return write_like(data, name, finals)


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
    from mt.formats.client import read_client
    from mt.formats.xliff import BilingualUnit
    from mt.store.client_files import client_documents, client_places

    try:
        client = read_client(data, name)
    except InputError:
        return None
    first = client.segments[0]
    for doc_id in client_documents(store, first.unit_id, first.key):
        refs = client_places(store, doc_id)
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
    from mt.store.client_files import stored_source

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
