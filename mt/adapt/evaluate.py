"""Evaluation of an adapted model against its base on held-out documents, and the promotion rule.

Both models draft the held-out sources with the same engine and beam; each draft is scored
against the editors' approved English (HTER, chrF, BLEU as `mt.metrics` defines them, with
sacreBLEU signatures), with bootstrap 95% intervals (`mt.intervals.corpus_intervals`) and
sacreBLEU's paired bootstrap test of the adapted model against the base
(`mt.intervals.paired_test`, same seed and resamples as reports).

Promotion rule (`should_promote`): the adapted model is better when its corpus HTER is lower,
significantly (paired test, p < 0.05), and its chrF is not lower than the base's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mt.intervals import N_SAMPLES, SEED

__all__ = ["compare", "draft_with", "should_promote"]


def draft_with(
    model: str | Path,
    sources: Sequence[str],
    *,
    engine: str = "auto",
    beam: int = 4,
    device: str = "auto",
    read_only: bool = False,
) -> tuple[list[str], dict[str, Any]]:
    """Drafts of `sources` by `model` and the engine's signature (model id and revision).

    `read_only` keeps the model's folder untouched (a CTranslate2 conversion goes to the user
    cache instead of into the folder): the base model is never modified.
    """
    from mt.engines import load_engine

    options: dict[str, Any] = {}
    if read_only:
        from mt.engines import pick_engine

        if pick_engine(engine) == "ctranslate2":
            options["read_only"] = True
    loaded = load_engine(str(model), engine=engine, beam_size=beam, device=device, **options)
    hyps = loaded.translate(list(sources))
    return [h.text for h in hyps], dict(loaded.signature())


def _side(stats: list[dict], drafts_sig: dict[str, Any], n_samples: int, seed: int) -> dict:
    from mt.intervals import corpus_intervals
    from mt.metrics import scores_from_stats
    from mt.models.provenance import model_label

    scores = scores_from_stats(stats)
    out: dict[str, Any] = {
        "model": model_label(str(drafts_sig.get("model")), drafts_sig.get("revision")),
        "segments": len(stats),
    }
    for name in ("hter", "chrf", "bleu"):
        out[name] = round(scores[name].score, 4)
    out.update(corpus_intervals(stats, n_samples=n_samples, seed=seed))
    out["signatures"] = {name: scores[name].signature for name in ("hter", "chrf", "bleu")}
    return out


def compare(
    finals: Sequence[str],
    before: Sequence[str],
    after: Sequence[str],
    *,
    before_sig: dict[str, Any],
    after_sig: dict[str, Any],
    n_samples: int = N_SAMPLES,
    seed: int = SEED,
) -> dict[str, Any]:
    """Scores of both models' drafts against the finals, and the paired test.

    Returns:
        {"before": {...}, "after": {...}, "improvement": {metric: {"difference", "p_value",
        "significant"}}, "significant": bool} where each side holds hter, chrf, bleu, their
        `_ci95` intervals, the sacreBLEU signatures and the model label; an improvement's
        difference is positive when the adapted model is better (HTER: before - after).
    """
    from mt.intervals import paired_test
    from mt.metrics import batch_pair_stats

    if not finals:
        raise ValueError("no held-out segments to evaluate on")
    stats_before = batch_pair_stats(list(before), list(finals))
    stats_after = batch_pair_stats(list(after), list(finals))
    test = paired_test(stats_before, stats_after, n_samples=n_samples, seed=seed)
    improvement = {}
    for name, result in test.items():
        sign = -1 if name == "hter" else 1  # lower HTER is better
        improvement[name] = {
            "difference": round(sign * result["difference"], 4),
            "p_value": result["p_value"],
            "significant": result["significant"],
        }
    out: dict[str, Any] = {
        "before": _side(stats_before, before_sig, n_samples, seed),
        "after": _side(stats_after, after_sig, n_samples, seed),
        "improvement": improvement,
    }
    out["significant"] = bool(improvement["hter"]["difference"] > 0 and test["hter"]["significant"])
    return out


def should_promote(result: dict[str, Any]) -> bool:
    """HTER lower, significantly, and chrF not lower."""
    hter = result["improvement"]["hter"]
    return bool(
        hter["difference"] > 0
        and hter["significant"]
        and result["after"]["chrf"] >= result["before"]["chrf"]
    )
