"""How sure each number is: seeded bootstrap 95% intervals and significance tests.

- **Intervals** (`corpus_intervals`, `ratio_interval`): resample the segments of a group with
  replacement `n_samples` times (numpy's `default_rng(seed)`, so the same data and seed give
  the same interval), recompute the figure on each resample, and take the 2.5th and 97.5th
  percentiles. Corpus metrics are recomputed from the resampled segments' summed sacreBLEU
  statistics with sacreBLEU itself (`_compute_score_from_stats`, as its own bootstrap does), so
  a corpus HTER interval is one of total edits / total words, not of mean sentence scores.
- **Paired comparison** (`paired_test`): two models' drafts of the *same* segments against the
  same finals, with sacreBLEU's paired bootstrap resampling (`significance._paired_bs_test`,
  the Moses test: p-value of the absolute difference) run on the statistics reports already
  hold. Significant when p < 0.05 and the difference is not 0.
- **Unpaired comparison** (`unpaired_test`): two groups of different segments (model A/B drafts
  each segment with one model): each resampled on its own; the difference's interval and a
  two-sided bootstrap p-value. Significant when the interval leaves out 0.
- **Gain** (`gain_interval`): (words per hour with MT - from scratch) / from scratch, each side
  resampled on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

ALPHA = 0.05
N_SAMPLES = 1000
SEED = 12345  # sacreBLEU's default seed
_CELLS = 4_000_000  # resample-by-segment weights built at a time (memory bound)
_METRICS = ("hter", "chrf", "bleu")


def _metric(name: str) -> Any:
    from mt.metrics import _PE_OPTIONS, _metric

    sacre = "ter" if name == "hter" else name
    metric = _metric(sacre, **_PE_OPTIONS[sacre])
    metric.num_refs = 1
    return metric


def _weights(n: int, n_samples: int, seed: int) -> Any:
    """Yield (resamples x n) count matrices: how often each segment is drawn per resample."""
    import numpy as np

    rng = np.random.default_rng(seed)
    step = max(1, _CELLS // max(n, 1))
    for start in range(0, n_samples, step):
        c = min(step, n_samples - start)
        idx = rng.integers(0, n, size=(c, n))
        flat = (np.arange(c)[:, None] * n + idx).ravel()
        yield np.bincount(flat, minlength=c * n).reshape(c, n)


def _resampled_sums(columns: Any, n_samples: int, seed: int) -> Any:
    """Column sums of `columns` (n x d) over each resample: (n_samples x d)."""
    import numpy as np

    n = columns.shape[0]
    return np.vstack([w @ columns for w in _weights(n, n_samples, seed)])


def _interval(values: Any) -> list[float]:
    import numpy as np

    low, high = np.percentile(np.asarray(values, dtype=float), [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def _ter_scores(sums: Any) -> Any:
    import numpy as np

    edits, words = sums[:, 0], sums[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        # sacreBLEU's TER: edits / reference words; no reference words: 1 if any edit, else 0.
        out = np.where(words > 0, edits / np.where(words > 0, words, 1), (edits > 0) * 1.0)
    return out * 100


def _scores(name: str, sums: Any) -> list[float]:
    if name == "hter":
        return list(_ter_scores(sums))
    metric = _metric(name)
    return [float(metric._compute_score_from_stats([int(x) for x in row]).score) for row in sums]


def corpus_intervals(
    stats: Sequence[dict[str, list[float]]], *, n_samples: int = N_SAMPLES, seed: int = SEED
) -> dict[str, list[float] | None]:
    """`hter_ci95`, `chrf_ci95`, `bleu_ci95` of the corpus scores of these segments' statistics
    (`mt.metrics.pair_stats`), resampled by segment; None each when there are none."""
    import numpy as np

    out: dict[str, list[float] | None] = {f"{m}_ci95": None for m in _METRICS}
    if not stats:
        return out
    for name in _METRICS:
        key = "ter" if name == "hter" else name
        columns = np.array([s[key] for s in stats], dtype=float)
        out[f"{name}_ci95"] = _interval(_scores(name, _resampled_sums(columns, n_samples, seed)))
    return out


def ratio_interval(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    scale: float = 1.0,
    n_samples: int = N_SAMPLES,
    seed: int = SEED,
) -> list[float] | None:
    """Interval of scale × Σnumerator / Σdenominator over segments resampled together (e.g.
    seconds per word); None without segments."""
    import numpy as np

    if not numerators:
        return None
    sums = _resampled_sums(np.column_stack([numerators, denominators]), n_samples, seed)
    ok = sums[:, 1] > 0
    return _interval(scale * sums[ok, 0] / sums[ok, 1]) if ok.any() else None


def _rate_samples(seconds: Sequence[float], words: Sequence[float], n: int, seed: int) -> Any:
    import numpy as np

    sums = _resampled_sums(np.column_stack([seconds, words]), n, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 3600 * sums[:, 1] / sums[:, 0]


def gain_interval(
    with_mt: tuple[Sequence[float], Sequence[float]],
    scratch: tuple[Sequence[float], Sequence[float]],
    *,
    n_samples: int = N_SAMPLES,
    seed: int = SEED,
) -> list[float] | None:
    """Interval of the productivity gain (words/h with MT - from scratch) / from scratch; each
    side is (seconds, words) per segment, resampled on its own. None when a side is empty."""
    import numpy as np

    if not with_mt[0] or not scratch[0]:
        return None
    mt = _rate_samples(*with_mt, n_samples, seed)
    base = _rate_samples(*scratch, n_samples, seed + 1)
    ok = np.isfinite(mt) & np.isfinite(base) & (base > 0)
    return _interval((mt[ok] - base[ok]) / base[ok]) if ok.any() else None


class _Precomputed:
    """A sacreBLEU metric whose statistics are already known (sacreBLEU's paired test asks the
    metric to extract them from text; reports hold them, cached)."""

    def __init__(self, metric: Any, stats: Sequence[Sequence[float]]) -> None:
        self._metric = metric
        self._stats = [list(s) for s in stats]

    def _extract_corpus_statistics(self, _hyps: Any, _refs: Any) -> list[list[float]]:
        return self._stats

    def _compute_score_from_stats(self, stats: Any) -> Any:
        return self._metric._compute_score_from_stats(stats)

    def _aggregate_and_compute(self, stats: Sequence[Sequence[float]]) -> Any:
        import numpy as np

        return self._metric._compute_score_from_stats(np.asarray(stats, dtype=float).sum(0))


def paired_test(
    baseline: Sequence[dict[str, list[float]]],
    system: Sequence[dict[str, list[float]]],
    *,
    n_samples: int = N_SAMPLES,
    seed: int = SEED,
) -> dict[str, dict[str, Any]]:
    """sacreBLEU's paired bootstrap test of `system` against `baseline` on the same segments
    (statistics in the same order). Per metric: difference (system - baseline), p_value,
    significant (p < 0.05)."""
    import numpy as np
    from sacrebleu.metrics.base import Metric
    from sacrebleu.significance import _paired_bs_test

    if len(baseline) != len(system) or not baseline:
        raise ValueError("a paired test needs the same, non-empty, segments on both sides")
    # Per metric: the baseline's statistics and its score (a sacreBLEU Score; the paired test
    # reads only `.score`, although its annotation says Result).
    info: dict[str, tuple[np.ndarray, Any]] = {}
    metrics: dict[str, Metric] = {}
    for name in _METRICS:
        key = "ter" if name == "hter" else name
        real = _metric(name)
        base_stats = [s[key] for s in baseline]
        base = _Precomputed(real, base_stats)
        # sacreBLEU reads the baseline's statistics as an array (float32) either way.
        info[name] = (np.asarray(base_stats, dtype=float), base._aggregate_and_compute(base_stats))
        # _Precomputed has the three methods of Metric that the paired test calls.
        metrics[name] = cast("Metric", _Precomputed(real, [s[key] for s in system]))
    _, results = _paired_bs_test(
        info, "system", [""] * len(system), None, metrics, n_samples=n_samples, seed=seed
    )
    out = {}
    for name, result in results.items():
        diff = float(result.score) - float(info[name][1].score)
        p_value = result.p_value
        assert p_value is not None  # the paired test sets it for every metric
        out[name] = {
            "difference": round(diff, 4),
            "p_value": round(float(p_value), 4),
            # sacreBLEU counts resampled differences *above* the real one, so two identical
            # systems (real difference 0) get p = 1/(n+1): no difference is never significant.
            "significant": bool(p_value < ALPHA and diff != 0),
        }
    return out


def unpaired_test(
    a: Sequence[dict[str, list[float]]],
    b: Sequence[dict[str, list[float]]],
    *,
    n_samples: int = N_SAMPLES,
    seed: int = SEED,
) -> dict[str, dict[str, Any]]:
    """Bootstrap comparison of two groups of different segments: per metric, difference
    (b - a), its 95% interval, a two-sided p-value, significant (interval leaves out 0)."""
    import numpy as np

    if not a or not b:
        raise ValueError("both groups need segments")
    out = {}
    for name in _METRICS:
        key = "ter" if name == "hter" else name
        sa = _scores(name, _resampled_sums(np.array([s[key] for s in a], float), n_samples, seed))
        sb = _scores(
            name, _resampled_sums(np.array([s[key] for s in b], float), n_samples, seed + 1)
        )
        diffs = np.asarray(sb) - np.asarray(sa)
        real = (
            _scores(name, np.array([np.sum([s[key] for s in b], 0)]))[0]
            - _scores(name, np.array([np.sum([s[key] for s in a], 0)]))[0]
        )
        tail = min(np.sum(diffs <= 0), np.sum(diffs >= 0))
        low, high = _interval(diffs)
        out[name] = {
            "difference": round(float(real), 4),
            "difference_ci95": [low, high],
            "p_value": round(float(min(1.0, 2 * (tail + 1) / (len(diffs) + 1))), 4),
            "significant": not (low <= 0 <= high),
        }
    return out
