"""sacrebleu wrapper: corpus BLEU, chrF, TER and HTER, each score with its signature.

HTER (design.md) is TER with hypothesis = MT draft and reference = the post-edited final,
case-sensitive; corpus HTER is total edits / total reference words, which is what sacrebleu's
corpus TER computes. Reports keep each pair's sacrebleu sufficient statistics (`pair_stats`)
and add them up (`scores_from_stats`), which gives exactly sacrebleu's corpus score without
scoring every pair again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

METRIC_NAMES = ("bleu", "chrf", "ter")


@dataclass(frozen=True)
class MetricScore:
    """One corpus (or sentence) score with the sacrebleu signature that reproduces it."""

    name: str
    score: float
    signature: str
    text: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "score": self.score,
            "signature": self.signature,
            "text": self.text,
            **self.details,
        }


def _metric(name: str, **options: Any) -> Any:
    # Delayed import: sacrebleu pulls in regex/numpy-free but slow-ish modules.
    from sacrebleu.metrics import BLEU, CHRF, TER

    classes = {"bleu": BLEU, "chrf": CHRF, "ter": TER}
    if name not in classes:
        from mt.errors import InvalidValue

        raise InvalidValue(f"unknown metric {name!r} (choose from {', '.join(METRIC_NAMES)})")
    return classes[name](**options)


def _score(name: str, metric: Any, result: Any) -> MetricScore:
    signature = metric.get_signature().format()
    details: dict[str, Any] = {}
    if name == "bleu":
        details = {
            "precisions": list(result.precisions),
            "bp": result.bp,
            "sys_len": result.sys_len,
            "ref_len": result.ref_len,
        }
    return MetricScore(
        name, float(result.score), signature, result.format(signature=signature), details
    )


def corpus_score(
    name: str,
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    **options: Any,
) -> MetricScore:
    """Corpus `name` ("bleu", "chrf", "ter") of hypotheses against one or more reference streams.

    Arguments:
        references: a list of reference streams, each as long as `hypotheses` (sacrebleu's shape).
        options: passed to the sacrebleu metric (e.g. `case_sensitive=True` for TER).
    """
    metric = _metric(name, **options)
    return _score(
        name, metric, metric.corpus_score(list(hypotheses), [list(r) for r in references])
    )


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> MetricScore:
    """sacrebleu corpus BLEU (13a tokenizer, exp smoothing)."""
    return corpus_score("bleu", hypotheses, references)


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> MetricScore:
    """sacrebleu corpus chrF (character 6-grams, beta 2)."""
    return corpus_score("chrf", hypotheses, references)


def corpus_ter(
    hypotheses: Sequence[str], references: Sequence[Sequence[str]], *, case_sensitive: bool = False
) -> MetricScore:
    """sacrebleu corpus TER (case-insensitive by default, as sacrebleu's CLI)."""
    return corpus_score("ter", hypotheses, references, case_sensitive=case_sensitive)


def hter(drafts: Sequence[str], finals: Sequence[str]) -> MetricScore:
    """Corpus HTER: case-sensitive TER of MT drafts against their post-edited finals."""
    return corpus_ter(drafts, [finals], case_sensitive=True)


def sentence_bleu(hypothesis: str, reference: str) -> MetricScore:
    """Sentence BLEU with effective order (design.md)."""
    metric = _metric("bleu", effective_order=True)
    return _score("bleu", metric, metric.sentence_score(hypothesis, [reference]))


# --- sufficient statistics for reports --------------------------------------------------------

# The metric settings post-editing reports use, per design.md.
_PE_OPTIONS: dict[str, dict[str, Any]] = {
    "ter": {"case_sensitive": True},
    "chrf": {},
    "bleu": {},
}


def stats_config() -> str:
    """Names the statistics `pair_stats` produces; cached statistics with another are stale."""
    import sacrebleu

    return f"sacrebleu {sacrebleu.__version__}; ter case:mixed; chrf 6/0/2; bleu 13a"


def pair_stats(draft: str, final: str) -> dict[str, list[float]]:
    """sacrebleu's sentence statistics of one draft against its final, per metric."""
    return batch_pair_stats([draft], [final])[0]


def batch_pair_stats(drafts: Sequence[str], finals: Sequence[str]) -> list[dict[str, list[float]]]:
    """`pair_stats` for many pairs at once (one metric object per metric)."""
    out: list[dict[str, list[float]]] = [{} for _ in drafts]
    for name, options in _PE_OPTIONS.items():
        metric = _metric(name, **options)
        stats = metric._extract_corpus_statistics(list(drafts), [list(finals)])
        for slot, row in zip(out, stats, strict=True):
            slot[name] = [float(x) for x in row]
    return out


def _summed(rows: Iterable[list[float]]) -> list[float] | None:
    """Column sums, added in row order from 0 as sacrebleu's `sum_of_lists` does."""
    rows = list(rows)
    if not rows:
        return None
    return [sum(column) for column in zip(*rows, strict=True)]


def scores_from_stats(
    stats: Sequence[dict[str, list[float]]], *, sentence: bool = False
) -> dict[str, MetricScore]:
    """Corpus HTER (as "hter"), chrF and BLEU from summed per-pair statistics.

    Equal to sacrebleu's `corpus_score` on the same pairs: sacrebleu sums the same statistics.
    With `sentence=True` (one pair), BLEU uses effective order, as sentence BLEU should.
    Returns an empty dict when `stats` is empty.
    """
    if not stats:
        return {}
    scores: dict[str, MetricScore] = {}
    for name, options in _PE_OPTIONS.items():
        opts = dict(options)
        if name == "bleu" and sentence:
            opts["effective_order"] = True
        metric = _metric(name, **opts)
        metric.num_refs = 1  # set by sacrebleu when it reads references; we bring the sums
        total = _summed(s[name] for s in stats)
        if name in ("bleu", "chrf"):
            total = [int(x) for x in total or []]
        result = metric._compute_score_from_stats(total)
        key = "hter" if name == "ter" else name
        scores[key] = _score(name, metric, result)
    return scores


def segment_hter(stats: Sequence[dict[str, list[float]]]) -> list[float]:
    """Each pair's own HTER (0-100) from its `pair_stats`, computed by sacrebleu's TER."""
    metric = _metric("ter", **_PE_OPTIONS["ter"])
    return [float(metric._compute_score_from_stats(s["ter"]).score) for s in stats]


def read_lines(path: str) -> list[str]:
    """Lines of a UTF-8 text file as sacrebleu's CLI reads them (split on \\n, right-stripped)."""
    with open(path, encoding="utf-8", newline="\n") as f:
        return [line.rstrip() for line in f]
