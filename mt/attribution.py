"""Who did what: report groups per editor and per step of the chain, from `edit_step` rows.

Each step belongs to the person who made it (`mt.store.steps`); drafting is the machine's and
never an editor's, so the account that ran an import is not credited with its drafts.

Per editor (`by_editor`): steps, segments (touched), segments_edited (their step changed the
text), segments_approved, active_seconds (all their own events: opens, saves, approvals,
comments), edit_seconds and review_seconds (active time of their edits and of their
approvals), and their **own-step** scores: HTER / chrF / BLEU of the text they found
(hypothesis) against the text they left (reference), sacreBLEU corpus scores over their edit
steps, with intervals and signatures, and seconds per source word of their edit steps (in the
validity band). Steps that started from an empty text (translating from scratch) are left out
of their scores and speeds: there was no draft to edit.

Per step (`by_step`): the chain after each segment's latest draft: "MT" (the machine's draft:
MT, TM or an empty from-scratch slot), then "R1" (the first person to change or approve it),
"R2", ... as MateCat numbers revisions; each with its editors, how many steps changed the text,
own-step scores and time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mt.store.db import Store

BAND = (0.25, 30.0)


@dataclass
class StepRow:
    """An `edit_step` row with what the report needs about its segment."""

    id: int
    segment_id: int
    seq: int
    kind: str
    editor: str | None
    role: str | None
    text_before: str | None
    text_after: str
    active_ms: int
    edit_ms: int
    review_ms: int
    keystrokes: int | None
    approved: bool
    source: str
    origin: str | None  # of the segment's current draft
    stats: dict | None = None

    @property
    def words(self) -> int:
        return len(self.source.split())

    @property
    def changed(self) -> bool:
        return (self.text_before or "") != self.text_after

    @property
    def from_scratch(self) -> bool:
        return not (self.text_before or "").strip()

    @property
    def scorable(self) -> bool:
        return self.kind == "edit" and not self.from_scratch


def load_steps(store: Store, document_id: int | None) -> list[StepRow]:
    """The steps in scope, in segment and chain order, with cached own-step statistics."""
    from mt.metrics import stats_config
    from mt.store.report_rows import step_rows

    config = stats_config()
    steps = []
    for r in step_rows(store, document_id):
        step = StepRow(*r[:15])
        step.active_ms, step.edit_ms, step.review_ms = (
            int(step.active_ms or 0),
            int(step.edit_ms or 0),
            int(step.review_ms or 0),
        )
        if r[16] == config and r[15] is not None:
            step.stats = r[15]
        steps.append(step)
    _fill_stats(store, [s for s in steps if s.scorable and s.stats is None], config)
    return steps


def _fill_stats(store: Store, steps: Sequence[StepRow], config: str) -> None:
    """Score the steps' found → left pairs with sacreBLEU and cache them on their rows."""
    from mt.metrics import batch_pair_stats
    from mt.store.report_rows import put_step_stats

    if not steps:
        return
    computed = batch_pair_stats([s.text_before or "" for s in steps], [s.text_after for s in steps])
    for s, stats in zip(steps, computed, strict=True):
        s.stats = stats
    put_step_stats(store, [(s.id, stats) for s, stats in zip(steps, computed, strict=True)], config)


def _scores(stats: list[dict], *, n_samples: int, seed: int) -> dict[str, Any]:
    from mt.intervals import corpus_intervals
    from mt.metrics import scores_from_stats

    scores = scores_from_stats(stats)
    return {
        "hter": scores["hter"].score if scores else None,
        "chrf": scores["chrf"].score if scores else None,
        "bleu": scores["bleu"].score if scores else None,
        **corpus_intervals(stats, n_samples=n_samples, seed=seed),
        "signatures": {k: v.signature for k, v in scores.items()},
    }


def _speed(steps: Sequence[StepRow], *, n_samples: int, seed: int) -> dict[str, Any]:
    """Seconds per source word of edit steps (edit time), inside the validity band."""
    from mt.intervals import ratio_interval

    timed, outliers = [], 0
    for s in steps:
        if s.edit_ms <= 0 or s.words == 0:
            continue
        if BAND[0] <= s.edit_ms / 1000 / s.words <= BAND[1]:
            timed.append(s)
        else:
            outliers += 1
    seconds = sum(s.edit_ms for s in timed) / 1000
    words = sum(s.words for s in timed)
    return {
        "seconds_per_word": round(seconds / words, 6) if words else None,
        "seconds_per_word_ci95": ratio_interval(
            [s.edit_ms / 1000 for s in timed],
            [s.words for s in timed],
            n_samples=n_samples,
            seed=seed,
        ),
        "words_per_hour": round(3600 * words / seconds, 2) if seconds else None,
        "timed_steps": len(timed),
        "outliers": outliers,
    }


def editor_seconds(store: Store, document_id: int | None) -> dict[str, float]:
    """Active seconds of each person's own events (every kind)."""
    from mt.store.report_rows import editor_active_ms

    return {name: ms / 1000 for name, ms in editor_active_ms(store, document_id).items()}


def by_editor(
    steps: Sequence[StepRow], seconds: dict[str, float], *, n_samples: int, seed: int
) -> list[dict[str, Any]]:
    """One group per person with a step (see the module docstring)."""
    grouped: dict[str, list[StepRow]] = defaultdict(list)
    for s in steps:
        if s.editor is not None:
            grouped[s.editor].append(s)
    out = []
    for name in sorted(grouped):
        mine = grouped[name]
        edits = [s for s in mine if s.scorable]
        out.append(
            {
                "editor": name,
                "role": mine[0].role,
                "steps": len(mine),
                "segments": len({s.segment_id for s in mine}),
                "segments_edited": len({s.segment_id for s in mine if s.changed}),
                "segments_approved": len({s.segment_id for s in mine if s.approved}),
                "active_seconds": round(seconds.get(name, 0.0), 3),
                "edit_seconds": round(sum(s.edit_ms for s in mine) / 1000, 3),
                "review_seconds": round(sum(s.review_ms for s in mine) / 1000, 3),
                "scored_steps": len(edits),
                "from_scratch_steps": sum(s.kind == "edit" and s.from_scratch for s in mine),
                **_scores([s.stats for s in edits if s.stats], n_samples=n_samples, seed=seed),
                **_speed(edits, n_samples=n_samples, seed=seed),
            }
        )
    return out


def chains(steps: Sequence[StepRow]) -> dict[int, list[StepRow]]:
    """Per segment, its latest draft step followed by the person steps after it."""
    out: dict[int, list[StepRow]] = {}
    for s in steps:  # in segment and chain order
        if s.kind == "draft" or s.segment_id not in out:
            out[s.segment_id] = [s]
        else:
            out[s.segment_id].append(s)
    return out


def step_name(position: int) -> str:
    """MT for the draft, then R1, R2, ... for the people after it."""
    return "MT" if position == 0 else f"R{position}"


def by_step(steps: Sequence[StepRow], *, n_samples: int, seed: int) -> list[dict[str, Any]]:
    """One group per position in the chain (see the module docstring)."""
    at: dict[int, list[StepRow]] = defaultdict(list)
    for chain in chains(steps).values():
        start = 0 if chain[0].kind == "draft" else 1
        for i, s in enumerate(chain):
            at[i + start].append(s)
    out = []
    for position in sorted(at):
        here = at[position]
        group: dict[str, Any] = {"step": step_name(position), "position": position}
        if position == 0:
            origins: dict[str, int] = defaultdict(int)
            for s in here:
                origins[s.origin or "none"] += 1
            group.update(segments=len(here), origins=dict(sorted(origins.items())))
            out.append(group)
            continue
        edits = [s for s in here if s.scorable]
        group.update(
            segments=len(here),
            editors=sorted({s.editor for s in here if s.editor}),
            edit_steps=sum(s.kind == "edit" for s in here),
            review_steps=sum(s.kind == "review" for s in here),
            segments_changed=sum(s.changed for s in here),
            segments_approved=sum(s.approved for s in here),
            edit_seconds=round(sum(s.edit_ms for s in here) / 1000, 3),
            review_seconds=round(sum(s.review_ms for s in here) / 1000, 3),
            active_seconds=round(sum(s.active_ms for s in here) / 1000, 3),
            scored_steps=len(edits),
            **_scores([s.stats for s in edits if s.stats], n_samples=n_samples, seed=seed),
            **_speed(edits, n_samples=n_samples, seed=seed),
        )
        out.append(group)
    return out
