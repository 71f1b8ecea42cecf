"""Export a stored document as bytes: the article (txt, docx, html, md), XLIFF for CAT tools,
TMX, JSONL and CSV. The CLI writes them to a file (atomically), the web app offers them as
downloads; both call `export_document`.

- txt / docx / html / md: the article for handover (`mt.exchange.article`): txt laid out as the
  source, docx opening with the headline as Heading 1, a clean HTML fragment, Markdown;
  unapproved segments are refused, marked or allowed (`unapproved`).
- xliff / xliff2: every segment as a unit with id `s<segment id>-v<version>` (so an import knows
  which segment and which version the CAT tool started from), its status as the XLIFF state
  (see `mt.formats.xliff`), its paragraph as a group, the model id in a note, and the
  segment's comments as notes (`mt.exchange.xliff_notes`).
- tmx: approved (source, final) pairs.
- jsonl / csv: one record per segment, for evaluation and fine-tuning: `EXPORT_FIELDS`, with
  sentence-level `hter` (case-sensitive TER of draft against final), `chrf` and `bleu`
  (effective order) when the segment is post-edited (status edited or approved). The CSV is
  UTF-8 with a byte-order mark (spreadsheets then read Korean correctly) and every text cell
  passes `csv_safe`, so no cell is run as a formula (`records_csv`, also the web app's report
  tables).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mt.errors import UnsupportedFormat
from mt.exchange.unit_ids import unit_id
from mt.models.provenance import model_name
from mt.store.db import Store

EXPORT_FORMATS = ("txt", "docx", "html", "md", "xliff", "xliff2", "tmx", "jsonl", "csv")
ARTICLE_FORMATS = ("txt", "docx", "html", "md")
EXPORT_FIELDS = (
    "document_id", "segment_id", "position", "paragraph", "source", "draft", "final", "status",
    "version", "model", "engine", "revision", "draft_score", "origin", "editor", "active_ms",
    "idle_ms", "keystrokes", "pauses_300", "pauses_1000", "events", "hter", "chrf", "bleu",
)  # fmt: skip


def export_document(store: Store, doc_id: int, fmt: str, *, unapproved: str = "refuse") -> bytes:
    """Document `doc_id` in format `fmt`, as the bytes of a file.

    `unapproved` ("refuse", "mark" or "allow") says what the article formats do with segments
    not approved (see `mt.exchange.article`); the other formats carry every segment's status.

    Raises:
        UnsupportedFormat: `fmt` is not one of EXPORT_FORMATS.
        NotFound: no such document.
        WorkflowError: an article format, "refuse", and segments not approved.
    """
    if fmt not in EXPORT_FORMATS:
        raise UnsupportedFormat(
            f"cannot export as {fmt!r} (choose from: {', '.join(EXPORT_FORMATS)})"
        )
    if fmt in ARTICLE_FORMATS:
        from mt.exchange.article import render

        return render(store, doc_id, fmt, unapproved=unapproved)
    if fmt in ("xliff", "xliff2"):
        return _xliff(store, doc_id, "1.2" if fmt == "xliff" else "2.0")
    if fmt == "tmx":
        return _tmx(store, doc_id)
    records = segment_records(store, doc_id)
    if fmt == "jsonl":
        return records_jsonl(records)
    return records_csv(records, EXPORT_FIELDS)


def records_jsonl(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None
) -> bytes:
    """One JSON object per line (UTF-8, not ASCII-escaped): every key, or just `columns`."""
    lines = (
        json.dumps(dict(r) if columns is None else {k: r.get(k) for k in columns},
                   ensure_ascii=False) + "\n"
        for r in records
    )  # fmt: skip
    return "".join(lines).encode("utf-8")


def records_csv(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    lineterminator: str = "\r\n",
) -> bytes:
    """`columns` (default: every key, in the order they first appear) as a header, then one
    row per record: UTF-8 with a byte-order mark, every text cell made inert for spreadsheets
    (`mt.csvsafe`), a missing value an empty cell."""
    from mt.csvsafe import write_csv

    if columns is None:
        columns = list(dict.fromkeys(k for r in records for k in r))
    rows: list[list[object]] = [list(columns), *([r.get(k) for k in columns] for r in records)]
    return write_csv(rows, lineterminator=lineterminator, bom=True).encode("utf-8")


def segment_records(store: Store, doc_id: int) -> list[dict[str, Any]]:
    """One dict per segment with EXPORT_FIELDS (see the module docstring). Raises NotFound."""
    from mt.keystrokes import merge_stats
    from mt.metrics import scores_from_stats
    from mt.scoring import pair_stats
    from mt.store.records import export_rows

    rows = export_rows(store, doc_id)
    scored = [
        (row.segment_id, row.draft.id, row.draft.text, row.target)
        for row in rows
        if row.draft is not None
        and row.draft.origin not in ("scratch", "human")  # no MT to score (#16: client's drafts)
        and row.status in ("edited", "approved")
    ]
    stats = dict(
        zip(
            [s[0] for s in scored],
            pair_stats(store, [s[1:] for s in scored]) if scored else [],
            strict=True,
        )
    )
    records = []
    for row in rows:
        draft = row.draft
        logged = merge_stats(list(row.keylogs)) if row.keylogs else None
        scores = (
            scores_from_stats([stats[row.segment_id]], sentence=True)
            if row.segment_id in stats
            else {}
        )
        records.append(
            {
                "document_id": doc_id,
                "segment_id": row.segment_id,
                "position": row.position,
                "paragraph": row.paragraph,
                "source": row.source,
                "draft": draft.text if draft is not None else None,
                "final": row.target if row.status in ("edited", "approved") else None,
                "status": row.status,
                "version": row.version,
                # A local model by its folder name, never the server's path (#15).
                "model": model_name(draft.model_id) if draft is not None else None,
                "engine": draft.engine if draft is not None else None,
                "revision": draft.revision if draft is not None else None,
                "compute_type": draft.compute_type if draft is not None else None,
                "beam": draft.beam if draft is not None else None,
                "draft_score": draft.score if draft is not None else None,
                "origin": draft.origin if draft is not None else None,
                "editor": row.editor,
                "active_ms": row.active_ms,
                "idle_ms": row.idle_ms,
                "keystrokes": row.keystrokes,
                "pauses_300": logged.pauses_300 if logged else None,
                "pauses_1000": logged.pauses_1000 if logged else None,
                "events": row.events,
                **{k: (scores[k].score if scores else None) for k in ("hter", "chrf", "bleu")},
            }
        )
    return records


def _xliff(store: Store, doc_id: int, version: str) -> bytes:
    from mt.exchange.xliff_notes import add_comment_notes
    from mt.formats import BilingualUnit
    from mt.formats.xliff import build_xliff
    from mt.store import get_document, list_segments

    doc = get_document(store, doc_id)
    units = [
        BilingualUnit(unit_id(s.id, s.version), s.source, s.target, s.status, "", s.paragraph)
        for s in list_segments(store, doc_id)
    ]
    data = build_xliff(
        units,
        version=version,
        source_lang=doc.source_lang,
        target_lang=doc.target_lang,
        original=doc.filename or f"{doc.title}.txt",
        model_id=", ".join(model_name(m.strip()) or "" for m in doc.model_id.split(","))
        if doc.model_id
        else None,
    )
    return add_comment_notes(store, doc_id, data)  # comments travel as notes (author, time)


def _tmx(store: Store, doc_id: int) -> bytes:
    from mt.formats.tmx import build_tmx
    from mt.store import get_document, list_segments

    doc = get_document(store, doc_id)
    pairs = [(s.source, s.target) for s in list_segments(store, doc_id) if s.status == "approved"]
    return build_tmx(pairs, source_lang=doc.source_lang, target_lang=doc.target_lang)
