"""QA of a whole article: the per-segment checks plus the article-level ones.

`ARTICLE_CHECKS` are the checks that need the article, not one pair: ``consistency`` (one
rendering per name, `mt.qa.consistency`) and ``style`` (house style, `mt.qa.style`; the headline
rules apply to the first segment when `headline` is true). `check_article` runs them with the
pair checks of `mt.qa.checks.CHECKS` and returns one list of findings per segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from mt.qa.checks import CHECKS, check_pair
from mt.qa.findings import Finding

if TYPE_CHECKING:
    from mt.qa.consistency import DeskForms
    from mt.qa.glossary import Glossary
    from mt.qa.style import Style

__all__ = ["ALL_CHECKS", "ARTICLE_CHECKS", "check_article"]

ARTICLE_CHECKS = ("consistency", "style")
ALL_CHECKS = (*CHECKS, *ARTICLE_CHECKS)


def check_article(
    sources: Sequence[str],
    targets: Sequence[str],
    *,
    glossary: Glossary | None = None,
    desk: DeskForms | None = None,
    style: Style | None = None,
    checks: Iterable[str] | None = None,
    headline: bool = True,
) -> list[list[Finding]]:
    """Findings for each segment of one article (all checks, or those named in `checks`).

    Arguments:
        desk: the desk's established forms (default: the glossary's renderings).
        style: the house style (default: the shipped default style).
        headline: the first segment is the article's headline.

    Raises:
        ValueError: a name in `checks` is not in `ALL_CHECKS`, or the lengths differ.
    """
    names = list(ALL_CHECKS) if checks is None else list(checks)
    unknown = [n for n in names if n not in ALL_CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; choose from {', '.join(ALL_CHECKS)}")
    if len(sources) != len(targets):
        raise ValueError("sources and targets must have the same length")
    pair_checks = [n for n in names if n in CHECKS]
    out = [
        check_pair(s, t, glossary=glossary, checks=pair_checks) if pair_checks else []
        for s, t in zip(sources, targets, strict=True)
    ]
    if "style" in names:
        from mt.qa.style import check_style, load_style

        style = style if style is not None else load_style()
        for i, target in enumerate(targets):
            out[i] += check_style(target, style, headline=headline and i == 0)
    if "consistency" in names:
        from mt.qa.consistency import ArticleIndex

        north = style.north_korean_style if style is not None else "hyphen"
        index = ArticleIndex(sources, targets, glossary=glossary, desk=desk, north_style=north)
        for i, found in enumerate(index.findings()):
            out[i] += found
    return out
