"""Post-editing reports: HTER, chrF and BLEU of drafts against finals, effort, model comparison.

Why one module (about 520 lines): the definitions below are what every report figure means, kept
beside the one `_Row` list they are computed from; the rows come from `mt.store.report_rows`,
per-editor attribution and productivity live in their own modules.

Definitions (design.md):
- A segment is *post-edited* (scored) when its status is "edited" or "approved" and it has an
  MT or TM draft; its final is its current target. Untouched drafts are not scored, nor are
  from-scratch segments (origin "scratch": no draft to edit; see `productivity`).
- **HTER** = sacrebleu TER(hypothesis = the draft the segment was edited from, reference =
  final), case-sensitive; corpus HTER = total edits / total reference words.
- **chrF** and **BLEU**: sacrebleu corpus scores of drafts against finals; signatures given.
- **Unchanged rate**: `unchanged` / `unchanged_of`: approved segments whose final equals their
  draft, out of approved segments with an MT or TM draft (from-scratch ones excluded).
- **Effort**: active editing time (the sum of `active_ms` of a segment's events) per source word
  (Korean eojeol: space-separated) and per source character (whitespace excluded). Segments
  outside MateCat's validity band (0.25-30 s per word) are counted as `outliers` and left out of
  the speeds, which are computed over the remaining timed segments (from-scratch ones excluded).
- **Intervals**: every score carries `<metric>_ci95` = [low, high], a seeded 95% bootstrap
  interval resampled by segment (`mt.intervals`), and each group its sacreBLEU `signatures`.
- **Models** are (id, revision): named `id@revision` (a local folder by its folder name and
  `sha256:` fingerprint, never its path).
- **Model comparison**: on the post-edited segments that have a draft from every model, each
  model's (latest) draft scored against the same finals, with sacreBLEU's paired bootstrap
  test against the first model (`comparisons`). Models that drafted different segments (model
  A/B) are compared by an unpaired bootstrap of their own segments. Translation-memory and
  from-scratch drafts are no model's and are left out; `tm_segments` and `scratch_segments`
  count them. A client's own translations (origin "human", from an imported XLIFF) are no
  model's either, and no MT: left out of HTER, chrF, BLEU and the unchanged rate as well;
  `human_draft_segments` counts them.
- **Attribution** (`by="editor"`, `by="step"`): from each segment's chain of steps; see
  `mt.attribution`. **Productivity** (MT vs from scratch): see `mt.productivity`.
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
from typing import TYPE_CHECKING, Any

from mt.errors import InvalidValue
from mt.intervals import N_SAMPLES, SEED

if TYPE_CHECKING:
    from mt.store.db import Store

GROUPINGS = ("editor", "step", "model", "document", "day")
BAND = (0.25, 30.0)  # seconds per word, MateCat's validity band
NOTES = {
    "hter": "HTER = edits (insertions, deletions, substitutions, shifts) per 100 words of the "
    "final text, case-sensitive sacreBLEU TER of the draft against the final. It can exceed "
    "100 when the draft needed more edits than the final has words (e.g. a long wrong draft "
    "cut down to a short sentence).",
    "scope": "HTER, chrF and BLEU are over post-edited segments (edited or approved) with an MT "
    "or translation-memory draft; untouched drafts and from-scratch segments (no draft) are "
    "left out. Model comparisons leave out translation-memory drafts too.",
    "unchanged_rate": "Approved segments whose final text is the draft unchanged, out of "
    "approved segments with an MT or TM draft (unchanged_of).",
    "speed": "Seconds per word: active editing time per source word (Korean eojeol). Segments "
    "outside 0.25-30 s per word are outliers: counted, left out of the speeds. From-scratch "
    "segments are left out here and compared in productivity.",
    "intervals": "[low, high] are 95% bootstrap intervals (segments resampled with replacement, "
    "seeded, reproducible). Differences are significant at p < 0.05 (sacreBLEU's paired "
    "bootstrap on the same segments; an unpaired bootstrap between different segments).",
    "editors": "Per editor, each person is credited with their own steps: drafting is the "
    "machine's; own-step HTER is from the text they found to the text they left; an approval "
    "without a change is review time, not edits.",
}

# Drafts a model wrote: its own ("mt"), and the NMT model's drafts taken when an LLM's replies
# failed validation ("fallback", recorded under the NMT model).
MODEL_ORIGINS = ("mt", "fallback")
# Drafts nobody post-edits as MT: none (from scratch) and a client's own translation ("human",
# from an imported XLIFF); they are left out of HTER, chrF, BLEU and the unchanged rate.
UNSCORED_ORIGINS = ("scratch", "human")


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
    revision: str | None = None
    keys: Any = None  # mt.keystrokes.PauseStats of the segment's logged visits, or None

    def __post_init__(self) -> None:
        self.words = len(self.source.split())
        self.chars = len("".join(self.source.split()))

    @property
    def scored(self) -> bool:
        return (
            self.status in ("edited", "approved")
            and self.draft_id is not None
            and self.draft_origin not in UNSCORED_ORIGINS
        )

    @property
    def attached_stats(self) -> dict:
        """The pair's sacrebleu statistics, which `_attach_stats` gives every scored row."""
        if self.stats is None:
            raise RuntimeError(f"segment {self.segment_id}: statistics were not attached")
        return self.stats

    @property
    def model(self) -> str:
        """The drafting model's label, id@revision (see `mt.models.provenance.model_label`)."""
        from mt.models.provenance import model_label

        if self.draft_id is None:
            return "(no draft)"
        if self.draft_origin == "scratch":
            return "(from scratch)"
        if self.draft_origin == "human":
            return "(human draft)"
        return model_label(self.model_id, self.revision)


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _summary(rows: Sequence[_Row], *, n_samples: int, seed: int) -> dict[str, Any]:
    """The report's numbers over `rows` (the whole scope or one group)."""
    from mt.intervals import corpus_intervals, ratio_interval
    from mt.metrics import scores_from_stats

    approved = [r for r in rows if r.status == "approved"]
    approved_with_draft = [
        r for r in approved if r.draft_id is not None and r.draft_origin not in UNSCORED_ORIGINS
    ]
    scored = [r for r in rows if r.scored]
    scored_stats = [r.stats for r in scored if r.stats is not None]
    scores = scores_from_stats(scored_stats)
    timed, outliers = [], 0
    for r in rows:
        if r.active_ms <= 0 or r.words == 0 or r.draft_origin == "scratch":
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
        "unchanged": unchanged,
        "unchanged_of": len(approved_with_draft),
        "hter": scores["hter"].score if scores else None,
        "chrf": scores["chrf"].score if scores else None,
        "bleu": scores["bleu"].score if scores else None,
        **corpus_intervals(scored_stats, n_samples=n_samples, seed=seed),
        "seconds_per_word": _round(seconds / words) if words else None,
        "seconds_per_word_ci95": ratio_interval(
            [r.active_ms / 1000 for r in timed],
            [r.words for r in timed],
            n_samples=n_samples,
            seed=seed,
        ),
        "seconds_per_char": _round(seconds / chars) if chars else None,
        "words_per_hour": _round(3600 * words / seconds, 2) if seconds else None,
        "timed_segments": len(timed),
        "outliers": outliers,
        "active_seconds": _round(sum(r.active_ms for r in rows) / 1000, 3),
        "tm_segments": sum(r.draft_origin == "tm" for r in rows),
        "scratch_segments": sum(r.draft_origin == "scratch" for r in rows),
        "human_draft_segments": sum(r.draft_origin == "human" for r in rows),
        "signatures": {name: score.signature for name, score in scores.items()},
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
        and r.draft_origin in MODEL_ORIGINS
        and r.draft_score is not None
        and r.stats is not None
    ]
    scores = [r.draft_score for r in pairs if r.draft_score is not None]
    rho = spearman(scores, segment_hter([r.stats for r in pairs if r.stats is not None]))
    return {"spearman": _round(rho), "n": len(pairs)}


def _load(
    store: Store, document_id: int | None, *, days: bool = False
) -> tuple[list[_Row], dict[int, str], dict]:
    """The segments in scope, document titles, and the cached statistics of current drafts."""
    from mt.keystrokes import merge_stats
    from mt.metrics import stats_config
    from mt.store.report_rows import report_rows

    found = report_rows(store, document_id, config=stats_config(), days=days)
    keys = {sid: merge_stats(logs) for sid, logs in found.keylogs.items()}
    rows = []
    for seg in found.segments:
        day = seg.updated_at.date().isoformat() if seg.updated_at else None
        text_saved, findings = found.findings.get(seg.id, (None, None))
        rows.append(
            _Row(
                seg.id,
                seg.document_id,
                seg.source,
                seg.target,
                seg.status,
                seg.draft_id,
                seg.draft_text,
                seg.model_id,
                seg.editor,
                day,
                found.active_ms.get(seg.id, 0),
                draft_score=seg.score,
                draft_origin=seg.origin,
                findings=findings if text_saved == seg.target else None,
                revision=seg.revision,
                keys=keys.get(seg.id),
            )
        )
    return rows, found.titles, found.cached


def _keystrokes_by_editor(
    store: Store, document_id: int | None, rows: Sequence[_Row]
) -> dict[str, dict[str, Any]]:
    """Per editor name, `_keystrokes` over the key logs of that editor's own events: the keys
    belong to whoever typed them, whoever saved the segment last."""
    from dataclasses import replace

    from mt.keystrokes import merge_stats
    from mt.store.report_rows import keylogs_by_editor

    logs = keylogs_by_editor(store, document_id)
    by_id = {r.segment_id: r for r in rows}
    return {
        name: _keystrokes(
            [replace(by_id[sid], keys=merge_stats(found)) for sid, found in per.items()
             if sid in by_id]
        )
        for name, per in logs.items()
    }  # fmt: skip


def _attach_stats(store: Store, rows: list[_Row], cached: dict) -> None:
    from mt.scoring import pair_stats

    scored: list[_Row] = []
    pairs: list[tuple[int, str, str]] = []
    for r in rows:
        if r.scored and r.draft_id is not None:  # scored rows always have a draft
            scored.append(r)
            pairs.append((r.draft_id, r.draft_text or "", r.target))
    stats = pair_stats(store, pairs, known=cached)
    for r, s in zip(scored, stats, strict=True):
        r.stats = s


def _models(
    store: Store, rows: list[_Row], *, n_samples: int, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each model's latest drafts against the same finals, on segments every model drafted,
    and the comparisons of each model with the first (see the module docstring)."""
    from mt.intervals import corpus_intervals
    from mt.metrics import scores_from_stats
    from mt.models.provenance import model_label, model_name
    from mt.scoring import pair_stats
    from mt.store.report_rows import draft_texts, model_drafts

    scored = {r.segment_id: r for r in rows if r.scored}
    if not scored:
        return [], []
    latest: dict[tuple[int, str], int] = {}  # (segment, model label) -> its newest draft
    provenance: dict[str, tuple[str | None, str | None]] = {}  # label -> (name, revision)
    for draft_id, segment_id, model, revision in model_drafts(store, sorted(scored), MODEL_ORIGINS):
        label = model_label(model, revision)
        latest[(segment_id, label)] = draft_id
        provenance[label] = (model_name(model), revision)
    # Texts only of drafts that are not the segments' current ones (those are in `rows`).
    current = {r.draft_id for r in scored.values()}
    texts = draft_texts(store, sorted(d for d in latest.values() if d not in current))
    by_model: dict[str, set[int]] = defaultdict(set)
    for segment_id, model in latest:
        by_model[model].add(segment_id)
    if not by_model:
        return [], []
    common = sorted(set.intersection(*by_model.values()))
    out, stats_of = [], {}
    for model in sorted(by_model):
        stats: list[dict] = []
        pairs: list[tuple[int, str, str]] = []
        for s in common:
            draft_id, row = latest[(s, model)], scored[s]
            if draft_id == row.draft_id:
                stats.append(row.attached_stats)
            else:
                pairs.append((draft_id, texts[draft_id], row.target))
        if pairs:
            stats += pair_stats(store, pairs)
        stats_of[model] = stats
        scores = scores_from_stats(stats) if stats else {}
        out.append(
            {
                "model": model,
                "model_id": provenance[model][0],
                "revision": provenance[model][1],
                "segments": len(common),
                "hter": scores["hter"].score if scores else None,
                "chrf": scores["chrf"].score if scores else None,
                "bleu": scores["bleu"].score if scores else None,
                **corpus_intervals(stats, n_samples=n_samples, seed=seed),
                "signatures": {k: v.signature for k, v in scores.items()},
            }
        )
    return out, _comparisons(rows, stats_of, common, n_samples=n_samples, seed=seed)


def _comparisons(
    rows: list[_Row],
    paired: dict[str, list[dict]],
    common: list[int],
    *,
    n_samples: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Each model against the first: paired on shared segments, unpaired on each model's own
    segments when they drafted different ones (model A/B)."""
    from mt.intervals import paired_test, unpaired_test

    out: list[dict[str, Any]] = []
    names = sorted(paired)
    if len(names) >= 2 and len(common) >= 2:
        base = names[0]
        for other in names[1:]:
            out.append(
                {
                    "baseline": base,
                    "model": other,
                    "test": "paired bootstrap (sacreBLEU)",
                    "segments": len(common),
                    **paired_test(paired[base], paired[other], n_samples=n_samples, seed=seed),
                }
            )
    own: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r.scored and r.draft_origin in MODEL_ORIGINS and r.stats is not None:
            own[r.model].append(r.stats)
    groups = sorted(m for m, st in own.items() if len(st) >= 2)
    if len(groups) >= 2 and len(common) < sum(len(own[m]) for m in groups):
        base = groups[0]
        for other in groups[1:]:
            out.append(
                {
                    "baseline": base,
                    "model": other,
                    "test": "unpaired bootstrap (each model's own segments)",
                    "segments": [len(own[base]), len(own[other])],
                    **unpaired_test(own[base], own[other], n_samples=n_samples, seed=seed),
                }
            )
    return out


def _key(row: _Row, by: str) -> str | int:
    if by == "model":
        return row.model
    if by == "document":
        return row.document_id
    return row.day or "(none)"


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if not k.startswith("_")}


def report(
    store: Store,
    *,
    document_id: int | None = None,
    by: str | None = None,
    seed: int = SEED,
    n_samples: int = N_SAMPLES,
) -> dict[str, Any]:
    """The post-editing report over one document or all of them (see the module docstring).

    Arguments:
        document_id: limit to one document (None: every document).
        by: also give `groups`: per editor (each person's own steps, `mt.attribution`), step
            of the chain (MT, R1, R2, ...), model (of the current draft, id@revision), document
            (its id, with its `title`), or day (UTC date of the last change).
        seed, n_samples: of the bootstrap intervals and tests (same seed, same intervals).

    Returns:
        A JSON-ready dict with, at the top level: segments, approved, edited, scored,
        unchanged_rate, unchanged, unchanged_of, hter, chrf, bleu and their `_ci95`,
        signatures, seconds_per_word (and `_ci95`), seconds_per_char, words_per_hour,
        timed_segments, outliers, outlier_band, active_seconds, tm_segments, scratch_segments,
        human_draft_segments, qa, confidence, groups, models, comparisons, productivity, notes,
        bootstrap.
        Scores are on sacrebleu's 0-100 scale and None when nothing is post-edited.

    Raises:
        NotFound: `document_id` does not exist. InvalidValue: unknown `by`.
    """
    from mt.attribution import by_editor, by_step, editor_seconds, load_steps
    from mt.productivity import productivity

    if by is not None and by not in GROUPINGS:
        raise InvalidValue(f"unknown grouping {by!r} (choose from: {', '.join(GROUPINGS)})")
    if n_samples < 1:
        raise InvalidValue("the number of bootstrap samples must be at least 1")
    options = {"n_samples": n_samples, "seed": seed}
    rows, titles, cached = _load(store, document_id, days=by == "day")
    _attach_stats(store, rows, cached)
    total = _summary(rows, **options)
    out: dict[str, Any] = {"document_id": document_id, "by": by, **_public(total)}
    out["outlier_band"] = list(BAND)
    steps = load_steps(store, document_id)
    groups: list[dict[str, Any]] = []
    if by == "editor":
        groups = by_editor(steps, editor_seconds(store, document_id), **options)
        # QA findings belong to whoever saved the text they were found in (the last change).
        saved_by: dict[str, list[_Row]] = defaultdict(list)
        for r in rows:
            saved_by[r.editor or ""].append(r)
        typed = _keystrokes_by_editor(store, document_id, rows)
        for g in groups:
            g["qa"] = _qa(saved_by.get(g["editor"], []))
            g["keystrokes"] = typed.get(g["editor"]) or _keystrokes([])
    elif by == "step":
        groups = by_step(steps, **options)
    elif by is not None:
        grouped: dict[str | int, list[_Row]] = defaultdict(list)
        for r in rows:
            grouped[_key(r, by)].append(r)
        for key in sorted(grouped):
            group: dict[str, Any] = {by: key}
            if by == "document":
                group["title"] = titles.get(key, "") if isinstance(key, int) else ""
            groups.append({**group, **_public(_summary(grouped[key], **options))})
    out["groups"] = groups
    out["models"], out["comparisons"] = _models(store, rows, **options)
    out["productivity"] = productivity(steps, **options)
    out["notes"] = dict(NOTES)
    out["bootstrap"] = {"seed": seed, "n_samples": n_samples, "confidence": 0.95}
    return out
