"""Export a stored document: the article (txt, docx), XLIFF for CAT tools, TMX, JSONL and CSV.

- txt / docx / html / md: the article for handover (`mt.store.article`): txt laid out as the
  source, docx opening with the headline as Heading 1, a clean HTML fragment, Markdown;
  unapproved segments are refused, marked or allowed (`unapproved`).
- xliff / xliff2: every segment as a unit with id `s<segment id>-v<version>` (so an import knows
  which segment and which version the CAT tool started from), its status as the XLIFF state
  (see `mt.formats.xliff`), its paragraph as a group, and the model id in a note.
- tmx: approved (source, final) pairs.
- jsonl / csv: one record per segment, for evaluation and fine-tuning: `EXPORT_FIELDS`, with
  sentence-level `hter` (case-sensitive TER of draft against final), `chrf` and `bleu`
  (effective order) when the segment is post-edited (status edited or approved). The CSV is
  UTF-8 with a byte-order mark (spreadsheets then read Korean correctly) and every text cell
  passes `csv_safe`, so no cell is run as a formula.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from mt.errors import UnsupportedFormat
from mt.models.provenance import model_name
from mt.store.db import Store

EXPORT_FORMATS = ("txt", "docx", "html", "md", "xliff", "xliff2", "tmx", "jsonl", "csv")
ARTICLE_FORMATS = ("txt", "docx", "html", "md")
EXPORT_FIELDS = (
    "document_id", "segment_id", "position", "paragraph", "source", "draft", "final", "status",
    "version", "model", "engine", "revision", "draft_score", "origin", "editor", "active_ms",
    "idle_ms", "keystrokes", "pauses_300", "pauses_1000", "events", "hter", "chrf", "bleu",
)  # fmt: skip


def unit_id(segment_id: int, version: int) -> str:
    """The XLIFF unit id of a segment at a version (an XML NMTOKEN, as XLIFF 2 requires)."""
    return f"s{segment_id}-v{version}"


def export_document(
    store: Store, doc_id: int, fmt: str, out_path: str | Path, *, unapproved: str = "refuse"
) -> None:
    """Write document `doc_id` in format `fmt` to `out_path` (atomically).

    `unapproved` ("refuse", "mark" or "allow") says what the article formats do with segments
    not approved (see `mt.store.article`); the other formats carry every segment's status.

    Raises:
        UnsupportedFormat: `fmt` is not one of EXPORT_FORMATS.
        NotFound: no such document.
        WorkflowError: an article format, "refuse", and segments not approved.
    """
    from mt.formats.base import atomic_write

    if fmt not in EXPORT_FORMATS:
        raise UnsupportedFormat(
            f"cannot export as {fmt!r} (choose from: {', '.join(EXPORT_FORMATS)})"
        )
    out_path = Path(out_path)
    if fmt in ARTICLE_FORMATS:
        from mt.store.article import render

        atomic_write(out_path, render(store, doc_id, fmt, unapproved=unapproved))
    elif fmt in ("xliff", "xliff2"):
        _xliff(store, doc_id, out_path, "1.2" if fmt == "xliff" else "2.0")
    elif fmt == "tmx":
        _tmx(store, doc_id, out_path)
    else:
        atomic_write(out_path, _render(store, doc_id, fmt))


def _render(store: Store, doc_id: int, fmt: str) -> bytes:
    from mt.drafting import document_text

    if fmt == "txt":
        return document_text(store, doc_id).encode("utf-8")
    if fmt == "docx":
        from mt.formats import docx

        # One Word paragraph per article paragraph (blank-line spacing is Word's to draw).
        paragraphs = [p for p in document_text(store, doc_id).split("\n") if p.strip()]
        return docx.create([""] * len(paragraphs), paragraphs)
    records = segment_records(store, doc_id)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    return _csv(records)


def _csv(records: list[dict[str, Any]]) -> bytes:
    from mt.csvsafe import write_csv

    rows = [EXPORT_FIELDS, *([r[k] for k in EXPORT_FIELDS] for r in records)]
    return write_csv(rows, bom=True).encode("utf-8")


def segment_records(store: Store, doc_id: int) -> list[dict[str, Any]]:
    """One dict per segment with EXPORT_FIELDS (see the module docstring)."""
    from sqlalchemy import func, select

    from mt.keystrokes import merge_stats
    from mt.metrics import scores_from_stats
    from mt.store.documents import require_document
    from mt.store.models import Draft, EditEvent, Editor, Segment
    from mt.store.scores import pair_stats

    with store.session() as session:
        require_document(session, doc_id)
        rows = session.execute(
            select(Segment, Draft, Editor.name)
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .outerjoin(Editor, Editor.id == Segment.updated_by_id)
            .where(Segment.document_id == doc_id)
            .order_by(Segment.position)
        ).all()
        effort = defaultdict(lambda: (0, None, None, None))
        for sid, active, idle, keys, n in session.execute(
            select(
                EditEvent.segment_id,
                func.sum(EditEvent.active_ms),
                func.sum(EditEvent.idle_ms),
                func.sum(EditEvent.keystrokes),
                func.count(),
            )
            .where(EditEvent.document_id == doc_id)
            .group_by(EditEvent.segment_id)
        ).all():
            effort[sid] = (n, active, idle, keys)
        pauses: dict[int, list] = defaultdict(list)
        for sid, log in session.execute(
            select(EditEvent.segment_id, EditEvent.keylog).where(
                EditEvent.document_id == doc_id, EditEvent.keylog.is_not(None)
            )
        ).all():
            pauses[sid].append(log)
    scored = [
        (seg.id, draft.id, draft.text, seg.target)
        for seg, draft, _ in rows
        if draft is not None
        and draft.origin not in ("scratch", "human")  # no MT to score (#16: client's drafts)
        and seg.status in ("edited", "approved")
    ]
    stats = dict(
        zip(
            [s[0] for s in scored],
            pair_stats(store, [s[1:] for s in scored]) if scored else [],
            strict=True,
        )
    )
    records = []
    for seg, draft, editor in rows:
        n, active, idle, keys = effort[seg.id]
        logged = merge_stats(pauses[seg.id]) if seg.id in pauses else None
        scores = scores_from_stats([stats[seg.id]], sentence=True) if seg.id in stats else {}
        records.append(
            {
                "document_id": doc_id,
                "segment_id": seg.id,
                "position": seg.position,
                "paragraph": seg.paragraph,
                "source": seg.source,
                "draft": draft.text if draft is not None else None,
                "final": seg.target if seg.status in ("edited", "approved") else None,
                "status": seg.status,
                "version": seg.version,
                # A local model by its folder name, never the server's path (#15).
                "model": model_name(draft.model_id) if draft is not None else None,
                "engine": draft.engine if draft is not None else None,
                "revision": draft.revision if draft is not None else None,
                "compute_type": draft.compute_type if draft is not None else None,
                "beam": draft.beam if draft is not None else None,
                "draft_score": draft.score if draft is not None else None,
                "origin": draft.origin if draft is not None else None,
                "editor": editor,
                "active_ms": int(active) if active is not None else None,
                "idle_ms": int(idle) if idle is not None else None,
                "keystrokes": int(keys) if keys is not None else None,
                "pauses_300": logged.pauses_300 if logged else None,
                "pauses_1000": logged.pauses_1000 if logged else None,
                "events": n,
                **{k: (scores[k].score if scores else None) for k in ("hter", "chrf", "bleu")},
            }
        )
    return records


def _xliff(store: Store, doc_id: int, out_path: Path, version: str) -> None:
    from mt.formats import BilingualUnit, write_xliff
    from mt.store.documents import get_document
    from mt.store.segments import list_segments

    doc = get_document(store, doc_id)
    units = [
        BilingualUnit(unit_id(s.id, s.version), s.source, s.target, s.status, "", s.paragraph)
        for s in list_segments(store, doc_id)
    ]
    write_xliff(
        units,
        out_path,
        version=version,
        source_lang=doc.source_lang,
        target_lang=doc.target_lang,
        original=doc.filename or f"{doc.title}.txt",
        model_id=", ".join(model_name(m.strip()) or "" for m in doc.model_id.split(","))
        if doc.model_id
        else None,
    )
    from mt.store.xliff_notes import add_comment_notes

    add_comment_notes(store, doc_id, out_path)  # comments travel as notes (author, time)


def _tmx(store: Store, doc_id: int, out_path: Path) -> None:
    from mt.formats import write_tmx
    from mt.store.documents import get_document
    from mt.store.segments import list_segments

    doc = get_document(store, doc_id)
    pairs = [(s.source, s.target) for s in list_segments(store, doc_id) if s.status == "approved"]
    write_tmx(pairs, out_path, source_lang=doc.source_lang, target_lang=doc.target_lang)
