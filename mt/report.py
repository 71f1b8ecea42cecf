"""Post-editing reports: HTER, chrF and BLEU of drafts against finals, effort, model comparison.

Definitions (design.md):
- A segment is *post-edited* (scored) when its status is "edited" or "approved" and it has an
  MT draft; its final is its current target. Untouched drafts are not scored.
- **HTER** = sacrebleu TER(hypothesis = the draft the segment was edited from, reference =
  final), case-sensitive; corpus HTER = total edits / total reference words.
- **chrF** and **BLEU**: sacrebleu corpus scores of drafts against finals; signatures given.
- **Unchanged rate**: share of approved segments whose final equals their draft.
- **Effort**: active editing time (the sum of `active_ms` of a segment's events) per source word
  (Korean eojeol: space-separated) and per source character (whitespace excluded). Segments
  outside MateCat's validity band (0.25-30 s per word) are counted as `outliers` and left out of
  the speeds, which are computed over the remaining timed segments.
- **Model comparison**: on the post-edited segments that have a draft from every model, each
  model's (latest) draft scored against the same finals. Translation-memory drafts are no
  model's and are left out; `tm_segments` counts segments whose current draft came from it.
- **QA** (`qa`): the findings stored with each segment's latest save or approval, counted while
  that saved text is still the segment's target: findings in all, errors, warnings, per check,
  and segments checked and with findings.
- **Keystrokes** (`keystrokes`): from the key logs the web editor stores with saves and
  approvals (`mt.keystrokes`): keystrokes, keystrokes per source character (over segments with
  a log), pauses of >= 300 ms and >= 1,000 ms (count and total seconds); edit time and words per
  hour are `active_seconds` and `words_per_hour` above.
- **Confidence** (`confidence`): Spearman's rank correlation between the model score of the
  draft (mean token log-probability) and the segment's own HTER, over approved segments with an
  MT draft that has a score (`mt.confidence.spearman`, pandas). Negative: low scores go with
  heavy editing. Within a `by="model"` group it is one model's; overall it mixes models.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mt.errors import InvalidValue, NotFound

GROUPINGS = ("editor", "model", "document", "day")
BAND = (0.25, 30.0)  # seconds per word, MateCat's validity band


@dataclass
class _Row:
    segment_id: int
    document_id: int
    source: str
    target: str
    status: str
    draft_id: int | None
    draft_text: str | None
    model_id: str | None
    editor: str | None
    day: str | None
    active_ms: int
    stats: dict | None = None
    words: int = 0
    chars: int = 0
    draft_score: float | None = None
    draft_origin: str | None = None
    findings: list[dict] | None = None  # QA findings stored with the current target's save
    keys: Any = None  # mt.keystrokes.PauseStats of the segment's logged visits, or None

    def __post_init__(self) -> None:
        self.words = len(self.source.split())
        self.chars = len("".join(self.source.split()))

    @property
    def scored(self) -> bool:
        return self.status in ("edited", "approved") and self.draft_id is not None


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _summary(rows: Sequence[_Row]) -> dict[str, Any]:
    """The report's numbers over `rows` (the whole scope or one group)."""
    from mt.metrics import scores_from_stats

    approved = [r for r in rows if r.status == "approved"]
    approved_with_draft = [r for r in approved if r.draft_id is not None]
    scored = [r for r in rows if r.scored]
    scores = scores_from_stats([r.stats for r in scored if r.stats is not None])
    timed, outliers = [], 0
    for r in rows:
        if r.active_ms <= 0 or r.words == 0:
            continue
        per_word = r.active_ms / 1000 / r.words
        if BAND[0] <= per_word <= BAND[1]:
            timed.append(r)
        else:
            outliers += 1
    seconds = sum(r.active_ms for r in timed) / 1000
    words = sum(r.words for r in timed)
    chars = sum(r.chars for r in timed)
    unchanged = sum(r.target == r.draft_text for r in approved_with_draft)
    return {
        "segments": len(rows),
        "approved": len(approved),
        "edited": sum(r.status == "edited" for r in rows),
        "scored": len(scored),
        "unchanged_rate": (
            _round(unchanged / len(approved_with_draft)) if approved_with_draft else None
        ),
        "hter": scores["hter"].score if scores else None,
        "chrf": scores["chrf"].score if scores else None,
        "bleu": scores["bleu"].score if scores else None,
        "seconds_per_word": _round(seconds / words) if words else None,
        "seconds_per_char": _round(seconds / chars) if chars else None,
        "words_per_hour": _round(3600 * words / seconds, 2) if seconds else None,
        "timed_segments": len(timed),
        "outliers": outliers,
        "active_seconds": _round(sum(r.active_ms for r in rows) / 1000, 3),
        "tm_segments": sum(r.draft_origin == "tm" for r in rows),
        "qa": _qa(rows),
        "keystrokes": _keystrokes(rows),
        "confidence": _confidence(rows),
        "_scores": scores,
    }


def _qa(rows: Sequence[_Row]) -> dict[str, Any]:
    """Counts of the QA findings stored with the segments' current saved texts."""
    checked = [r for r in rows if r.findings is not None]
    findings = [f for r in checked for f in r.findings or ()]
    severities = Counter(f.get("severity") for f in findings)
    return {
        "findings": len(findings),
        "errors": severities["error"],
        "warnings": severities["warning"],
        "by_check": dict(sorted(Counter(str(f.get("check")) for f in findings).items())),
        "segments_checked": len(checked),
        "segments_with_findings": sum(bool(r.findings) for r in checked),
    }


def _keystrokes(rows: Sequence[_Row]) -> dict[str, Any]:
    """Keystroke and pause counts over the segments that have key logs."""
    from mt.keystrokes import PauseStats

    logged = [r for r in rows if r.keys is not None]
    total = sum((r.keys for r in logged), PauseStats())
    chars = sum(r.chars for r in logged)
    return {
        "segments": len(logged),
        "keystrokes": total.keystrokes,
        "keystrokes_per_char": _round(total.keystrokes / chars) if chars else None,
        "pauses_300": total.pauses_300,
        "pauses_300_seconds": _round(total.pauses_300_ms / 1000, 3),
        "pauses_1000": total.pauses_1000,
        "pauses_1000_seconds": _round(total.pauses_1000_ms / 1000, 3),
    }


def _confidence(rows: Sequence[_Row]) -> dict[str, Any]:
    """Spearman's rho of draft score against segment HTER over approved MT-drafted segments."""
    from mt.confidence import spearman
    from mt.metrics import segment_hter

    pairs = [
        r
        for r in rows
        if r.status == "approved"
        and r.draft_origin == "mt"
        and r.draft_score is not None
        and r.stats is not None
    ]
    rho = spearman([r.draft_score for r in pairs], segment_hter([r.stats for r in pairs]))
    return {"spearman": _round(rho), "n": len(pairs)}


def _load(
    store: Any, document_id: int | None, *, days: bool = False
) -> tuple[list[_Row], dict[int, str], dict]:
    """The segments in scope, document titles, and the cached statistics of current drafts."""
    from sqlalchemy import func, literal, select

    from mt.store.models import Document, Draft, EditEvent, Editor, Segment
    from mt.store.scores import cached_for_current_drafts

    with store.session() as session:
        docs = select(Document.id, Document.title)
        if document_id is not None:
            docs = docs.where(Document.id == document_id)
        titles = dict(session.execute(docs).all())
        if document_id is not None and not titles:
            raise NotFound(f"no document {document_id}")
        time_q = select(EditEvent.segment_id, func.sum(EditEvent.active_ms)).where(
            EditEvent.active_ms.is_not(None)
        )
        seg_q = (
            select(
                Segment.id,
                Segment.document_id,
                Segment.source,
                Segment.target,
                Segment.status,
                Segment.draft_id,
                Draft.text,
                Draft.model_id,
                Editor.name,
                Draft.score,
                Draft.origin,
                # Reading times back is slow on SQLite (text parsing): only when grouping by day.
                Segment.updated_at if days else literal(None),
            )
            .outerjoin(Draft, Draft.id == Segment.draft_id)
            .outerjoin(Editor, Editor.id == Segment.updated_by_id)
        )
        if document_id is not None:
            time_q = time_q.where(EditEvent.document_id == document_id)
            seg_q = seg_q.where(Segment.document_id == document_id)
        active = dict(session.execute(time_q.group_by(EditEvent.segment_id)).all())
        saved = _latest_findings(session, document_id)
        keys = _key_stats(session, document_id)
        rows = []
        for (
            sid,
            did,
            src,
            tgt,
            status,
            draft_id,
            draft_text,
            model,
            editor,
            score,
            origin,
            at,
        ) in session.execute(seg_q.order_by(Segment.document_id, Segment.position)).all():
            day = at.date().isoformat() if at else None
            text_saved, findings = saved.get(sid, (None, None))
            rows.append(
                _Row(
                    sid,
                    did,
                    src,
                    tgt,
                    status,
                    draft_id,
                    draft_text,
                    model,
                    editor,
                    day,
                    int(active.get(sid) or 0),
                    draft_score=score,
                    draft_origin=origin,
                    findings=findings if text_saved == tgt else None,
                    keys=keys.get(sid),
                )
            )
        cached = cached_for_current_drafts(session, document_id)
    return rows, titles, cached


def _key_stats(session: Any, document_id: int | None) -> dict[int, Any]:
    """Per segment, the summed `PauseStats` of its events' key logs."""
    from sqlalchemy import select

    from mt.keystrokes import merge_stats
    from mt.store.models import EditEvent

    query = select(EditEvent.segment_id, EditEvent.keylog).where(EditEvent.keylog.is_not(None))
    if document_id is not None:
        query = query.where(EditEvent.document_id == document_id)
    logs: dict[int, list] = defaultdict(list)
    for sid, log in session.execute(query).all():
        logs[sid].append(log)
    return {sid: merge_stats(found) for sid, found in logs.items()}


def _latest_findings(session: Any, document_id: int | None) -> dict[int, tuple[str, list]]:
    """Per segment, the text and QA findings of its latest save or approval that has findings."""
    from sqlalchemy import func, select

    from mt.store.models import EditEvent

    latest = select(func.max(EditEvent.id)).where(
        EditEvent.kind.in_(("save", "approve")), EditEvent.findings.is_not(None)
    )
    if document_id is not None:
        latest = latest.where(EditEvent.document_id == document_id)
    latest = latest.group_by(EditEvent.segment_id)
    rows = session.execute(
        select(EditEvent.segment_id, EditEvent.text_after, EditEvent.findings).where(
            EditEvent.id.in_(latest)
        )
    ).all()
    return {sid: (text, findings) for sid, text, findings in rows}


def _attach_stats(store: Any, rows: list[_Row], cached: dict) -> None:
    from mt.store.scores import pair_stats

    scored = [r for r in rows if r.scored]
    pairs = [(r.draft_id, r.draft_text or "", r.target) for r in scored]
    stats = pair_stats(store, pairs, known=cached)
    for r, s in zip(scored, stats, strict=True):
        r.stats = s


def _models(store: Any, rows: list[_Row]) -> list[dict[str, Any]]:
    """Each model's latest drafts against the same finals, on segments every model drafted."""
    from sqlalchemy import select

    from mt.metrics import scores_from_stats
    from mt.store.models import Draft
    from mt.store.scores import pair_stats

    scored = {r.segment_id: r for r in rows if r.scored}
    if not scored:
        return []
    latest: dict[tuple[int, str], int] = {}  # (segment, model) -> its newest draft
    ids = sorted(scored)
    with store.session() as session:
        for i in range(0, len(ids), 500):
            for draft_id, segment_id, model in session.execute(
                select(Draft.id, Draft.segment_id, Draft.model_id)
                .where(Draft.segment_id.in_(ids[i : i + 500]), Draft.origin == "mt")
                .order_by(Draft.id)
            ).all():
                latest[(segment_id, model)] = draft_id
        # Texts only of drafts that are not the segments' current ones (those are in `rows`).
        current = {r.draft_id for r in scored.values()}
        others = sorted(d for d in latest.values() if d not in current)
        texts: dict[int, str] = {}
        for i in range(0, len(others), 500):
            texts.update(
                session.execute(
                    select(Draft.id, Draft.text).where(Draft.id.in_(others[i : i + 500]))
                ).all()
            )
    by_model: dict[str, set[int]] = defaultdict(set)
    for segment_id, model in latest:
        by_model[model].add(segment_id)
    common = sorted(set.intersection(*by_model.values()))
    out = []
    for model in sorted(by_model):
        stats, pairs = [], []
        for s in common:
            draft_id, row = latest[(s, model)], scored[s]
            if draft_id == row.draft_id:
                stats.append(row.stats)
            else:
                pairs.append((draft_id, texts[draft_id], row.target))
        if pairs:
            stats += pair_stats(store, pairs)
        scores = scores_from_stats(stats) if stats else {}
        out.append(
            {
                "model": model,
                "segments": len(common),
                "hter": scores["hter"].score if scores else None,
                "chrf": scores["chrf"].score if scores else None,
                "bleu": scores["bleu"].score if scores else None,
            }
        )
    return out


def _key(row: _Row, by: str) -> str | int:
    if by == "editor":
        return row.editor or "(none)"
    if by == "model":
        return row.model_id or "(no draft)"
    if by == "document":
        return row.document_id
    return row.day or "(none)"


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if not k.startswith("_")}


def report(store: Any, *, document_id: int | None = None, by: str | None = None) -> dict[str, Any]:
    """The post-editing report over one document or all of them (see the module docstring).

    Arguments:
        document_id: limit to one document (None: every document).
        by: also give `groups`, one summary per editor (of the final text), model (of the
            current draft), document (its id, with its `title`), or day (UTC date of the last
            change).

    Returns:
        A JSON-ready dict with, at the top level: segments, approved, edited, scored,
        unchanged_rate, hter, chrf, bleu, signatures, seconds_per_word, seconds_per_char,
        words_per_hour, timed_segments, outliers, outlier_band, active_seconds, tm_segments,
        qa, confidence, groups, models (groups carry their own qa and confidence).
        Scores are on sacrebleu's 0-100 scale and None when nothing is post-edited.

    Raises:
        NotFound: `document_id` does not exist. InputError: unknown `by`.
    """
    if by is not None and by not in GROUPINGS:
        raise InvalidValue(f"unknown grouping {by!r} (choose from: {', '.join(GROUPINGS)})")
    rows, titles, cached = _load(store, document_id, days=by == "day")
    _attach_stats(store, rows, cached)
    total = _summary(rows)
    scores = total["_scores"]
    out: dict[str, Any] = {"document_id": document_id, "by": by, **_public(total)}
    out["signatures"] = {name: score.signature for name, score in scores.items()}
    out["outlier_band"] = list(BAND)
    groups: list[dict[str, Any]] = []
    if by is not None:
        grouped: dict[str | int, list[_Row]] = defaultdict(list)
        for r in rows:
            grouped[_key(r, by)].append(r)
        for key in sorted(grouped):
            group: dict[str, Any] = {by: key}
            if by == "document":
                group["title"] = titles.get(key, "")
            groups.append({**group, **_public(_summary(grouped[key]))})
    out["groups"] = groups
    out["models"] = _models(store, rows)
    return out
