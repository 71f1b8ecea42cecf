"""Import an XLIFF file edited in a CAT tool: each changed target becomes an edit (client "xliff").

Units are matched to segments by the id the export wrote (`s<segment>-v<version>`); a bare
segment number is accepted too (then the exported text is taken to be the current one), and so
are a client's own ids in a file imported with `transdesk import` (`mt.exchange.client`: then
too the exported text is taken to be the current one). The
text the CAT tool started from is the segment's text at that version, from the edit log, so a
target is "changed" only when the translator changed it:

| XLIFF target vs exported text | XLIFF state | effect                                       |
|-------------------------------|-------------|----------------------------------------------|
| changed                       | draft/edited| save (status edited)                         |
| changed                       | approved    | approve with the new text (one event)        |
| unchanged                     | draft       | nothing                                      |
| unchanged                     | edited      | save (confirms the MT draft) if still draft  |
| unchanged                     | approved    | approve, if not approved yet                 |

A segment changed in Transdesk since the export and also changed in the file is a conflict:
the import raises `ConflictError` and changes nothing. The whole file is one transaction.
Approvals need a reviewer or admin once accounts exist (PermissionDenied otherwise). The
transaction's reads and writes are `mt.store.records`'.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from mt.errors import ConcurrentChange, ConflictError, InputError
from mt.exchange.unit_ids import DESK_ID, UNIT_ID
from mt.store.db import Store
from mt.store.views import XliffImportResult

# Tries of the whole import when PostgreSQL reports a deadlock or serialization failure.
ATTEMPTS = 3


def _parse_id(name: str, unit_id: str) -> tuple[int, int | None]:
    match = UNIT_ID.fullmatch(unit_id.strip())
    if not match:
        raise InputError(
            f"{name}: unit id {unit_id!r} is not a Transdesk segment (was the file exported by "
            "transdesk export?)"
        )
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def _read_units(path: str | Path, data: bytes | None) -> list[Any]:
    from mt.formats import read_xliff

    if data is None:
        return read_xliff(path)
    return read_xliff(Path(str(path)).name or "upload.xlf", data=data)


def _client_units(
    store: Store, name: str, path: str | Path, data: bytes | None, units: list[Any]
) -> list[tuple[Any, int, int | None]] | None:
    """A client's file imported with its ids (`mt.exchange.client`): its segments by those ids.

    The desk's own export (every id `s<segment>-v<version>`) is never looked up there.
    """
    from mt.exchange.client import find_client_units
    from mt.formats.base import read_path

    if all(DESK_ID.fullmatch(unit.id.strip()) for unit in units):
        return None
    found = find_client_units(store, name, read_path(path) if data is None else data)
    return None if found is None else [(unit, segment_id, None) for unit, segment_id in found]


def _same(a: str, b: str) -> bool:
    return unicodedata.normalize("NFC", a).strip() == unicodedata.normalize("NFC", b).strip()


def import_xliff(
    store: Store, path: str | Path, *, editor: str, data: bytes | None = None
) -> XliffImportResult:
    """Record the translator's changes in an exported XLIFF file (see the module docstring).

    Arguments:
        path: the XLIFF file (or, with `data`, the name of an upload).
        editor: who did the work in the CAT tool.
        data: the file's bytes when it is not on disk (a web upload).

    Raises:
        InputError: unreadable file, a unit that is not a segment of this database, or a unit
            whose source differs from the segment's.
        ConflictError: a changed unit's segment also changed in Transdesk since the export.
        PermissionDenied: approvals by an editor while accounts exist.
    """

    name = Path(str(path)).name
    units = _read_units(path, data)
    parsed = _client_units(store, name, path, data, units)
    if parsed is None:
        parsed = [(unit, *_parse_id(name, unit.id)) for unit in units]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            result = _import(store, name, parsed, editor)
            from mt.exchange.xliff_notes import import_notes  # notes come back as comments

            return import_notes(store, path, data, editor, result)
        except ConcurrentChange:
            # A deadlock or serialization failure rolled everything back; run it again (the
            # segments' versions are then re-read, so a real clash becomes a conflict).
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _import(store: Store, name: str, parsed: list[Any], editor: str) -> XliffImportResult:
    from mt.revising import qa_findings
    from mt.scoring import cache_pair_stats
    from mt.store import records
    from mt.store.accounts import actor
    from mt.store.segments import Change, load_segment
    from mt.termbase import session_glossary

    saved: list[int] = []
    approved: list[int] = []
    unchanged: list[int] = []
    documents: set[int] = set()
    conflicts: list[tuple[int, records.SegmentState, str]] = []
    with store.session(write=True) as session:
        needs_review = any(unit.state == "approved" for unit, _, _ in parsed)
        who = actor(session, editor, "approve" if needs_review else "save")
        # Every segment of the file at once, in id order, whatever the file's order: two
        # imports of the same segments then queue instead of deadlocking.
        records.lock_segments(session, {segment_id for _, segment_id, _ in parsed})
        glossary = session_glossary(session)  # QA of each change, as a save in the editor
        for unit, segment_id, version in parsed:
            seg = records.segment_state(session, segment_id)
            if seg is None:
                raise InputError(
                    f"{name}: unit {unit.id}: no segment {segment_id} in this database"
                )
            if not _same(unit.source, seg.source):
                raise InputError(
                    f"{name}: unit {unit.id}: source differs from segment {segment_id}'s "
                    "(was the file exported from this database?)"
                )
            documents.add(seg.document_id)
            base = version if version is not None else seg.version
            exported = seg.target if base == seg.version else records.text_at(session, seg.id, base)
            target = unicodedata.normalize("NFC", unit.target)
            changed = exported is None or target != exported
            if changed and exported is not None and not target.strip() and exported.strip():
                changed = False  # a tool that drops targets has not deleted the translation
            if changed:
                kind = "approve" if unit.state == "approved" else "save"
            elif unit.state == "approved" and seg.status != "approved":
                kind = "approve"
            elif unit.state == "edited" and seg.status == "draft":
                kind = "save"
            else:
                unchanged.append(segment_id)
                continue
            if seg.version != base:
                if changed and _same(target, seg.target):
                    unchanged.append(segment_id)  # both sides made the same change
                    continue
                conflicts.append((segment_id, seg, target))
                continue
            text = target if kind == "save" or changed else None
            findings = qa_findings(seg.source, text if text is not None else seg.target, glossary)
            change = Change(kind, base, client="xliff", text=text, findings=findings)
            records.change_segment(session, segment_id, who, change)
            (approved if kind == "approve" else saved).append(segment_id)
        if conflicts:
            segment_id, seg, target = conflicts[0]
            raise ConflictError(
                f"{name}: {len(conflicts)} segment(s) changed in Transdesk since the export and "
                f"in the file too (first: segment {segment_id}); nothing was imported",
                current_text=seg.target,
                attempted_text=target,
                current_version=seg.version,
            )
        touched = [load_segment(session, sid) for sid in saved + approved]
    pairs = [(v.draft.id, v.draft.text, v.target) for v in touched if v.draft is not None]
    if pairs:
        cache_pair_stats(store, pairs)  # reports sum these statistics (mt.store.scores)
    return XliffImportResult(
        tuple(sorted(documents)), tuple(saved), tuple(approved), tuple(unchanged)
    )
