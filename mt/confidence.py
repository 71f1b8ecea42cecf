"""Draft confidence: which MT drafts to distrust, and how far the model score predicts editing.

The score is the model's mean token log-probability of its draft (0 is certain; lower is less
sure). A draft is flagged as likely bad when either
- its score is below `LOW_SCORE` (-1.5, a mean token probability under about 0.22: a heuristic
  for OPUS-MT and NLLB outputs, not a calibrated value), or
- it is among the lowest `LOW_SHARE` (20%) of the document's MT draft scores (by rank, ties kept
  together; only when the document has at least `MIN_DRAFTS` scored drafts).
Translation-memory drafts have no score and are never flagged.

How far to trust the flag is measured, not assumed: the report gives the Spearman rank
correlation between draft score and segment HTER over approved segments (`spearman`). A strongly
negative value means low scores do predict heavy editing for this desk's texts and model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mt.store.db import Store

__all__ = [
    "LOW_SCORE",
    "LOW_SHARE",
    "MIN_DRAFTS",
    "DocumentConfidence",
    "document_confidence",
    "low_confidence",
    "spearman",
]

LOW_SCORE = -1.5
LOW_SHARE = 0.2
MIN_DRAFTS = 5


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation of two equally long sequences (pandas), or None when it is
    undefined (fewer than 3 pairs, or one side constant)."""
    import pandas as pd

    if len(xs) != len(ys):
        raise ValueError(f"spearman: {len(xs)} scores but {len(ys)} HTER values")
    if len(xs) < 3:
        return None
    rho = pd.DataFrame({"x": list(xs), "y": list(ys)}).corr(method="spearman").loc["x", "y"]
    return None if pd.isna(rho) else float(rho)


def low_confidence(scores: Mapping[int, float]) -> frozenset[int]:
    """The ids (e.g. segment ids) whose draft score is flagged (see the module docstring)."""
    import pandas as pd

    if not scores:
        return frozenset()
    series = pd.Series(scores, dtype="float64")
    low = series < LOW_SCORE
    if len(series) >= MIN_DRAFTS:
        low |= series.rank(method="max", pct=True) <= LOW_SHARE
    return frozenset(int(i) for i in series.index[low])


@dataclass(frozen=True)
class DocumentConfidence:
    """The flagged segments of one document, with the scores they were judged on."""

    flagged: frozenset[int]
    scores: dict[int, float]

    def is_low(self, segment_id: int) -> bool:
        return segment_id in self.flagged


def document_confidence(store: Store, doc_id: int) -> DocumentConfidence:
    """Flag the document's current MT drafts with low scores (see the module docstring)."""
    from mt.store.report_rows import current_mt_scores

    scores = current_mt_scores(store, doc_id)
    return DocumentConfidence(low_confidence(scores), scores)
