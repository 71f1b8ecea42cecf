"""Plain data passed across `mt`: source segments and hypotheses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSegment:
    """One unit of source text to translate, with where it sits in the article.

    `text` is the sentence (or line) with no surrounding whitespace; `before` is the exact
    whitespace that preceded it in the original, so the article can be rebuilt character for
    character (see `mt.segment.rebuild`).
    """

    text: str
    paragraph: int
    before: str = ""


@dataclass(frozen=True)
class Hypothesis:
    """A model's translation of one sentence.

    `score` is the mean token log-probability of the output (higher is better, 0 is certain);
    `time_ms` is this sentence's share of its batch's decoding time.
    """

    text: str
    score: float
    time_ms: float
    origin: str = "mt"
