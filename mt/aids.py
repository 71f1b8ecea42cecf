"""What the editor shows beside the active segment: TM matches, glossary terms, QA, confidence.

One call (`segment_aids`) gathers them so the web page only renders: fuzzy translation-memory
matches of the source (`mt.tm`, the segment's own approval left out), the stored glossary's terms
found in the source with their required English (`mt.termbase`), the QA findings of the
English as it stands in the box (`mt.qa.check_pair`; the same checks are stored with every save),
and whether the current MT draft is flagged as likely bad (`mt.confidence`). The findings include
the article-level ones (`mt.desk`: one rendering per name, with the established form as a
`suggestion`, and house style), and `names` gives news-style spellings (`mt.qa.romanize`) for
the segment's Korean names that have no established form yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mt.qa.consistency import NameSuggestion
    from mt.qa.findings import Finding
    from mt.qa.glossary import TermMatch
    from mt.store.db import Store
    from mt.store.views import SegmentView
    from mt.tm import TMMatch

__all__ = ["SegmentAids", "segment_aids"]


@dataclass(frozen=True)
class SegmentAids:
    """Aids for one segment. `low_confidence` is about its current MT draft (`score`)."""

    terms: tuple[TermMatch, ...]
    tm_matches: tuple[TMMatch, ...]
    findings: tuple[Finding, ...]
    low_confidence: bool
    score: float | None
    names: tuple[NameSuggestion, ...] = ()


def segment_aids(
    store: Store, segment: SegmentView, *, text: str | None = None, tm_limit: int = 3
) -> SegmentAids:
    """The aids for `segment`, with QA run on `text` (default: its stored target).

    Arguments:
        tm_limit: at most this many fuzzy matches (each at least `mt.tm.FUZZY_CUTOFF`).
    """
    from mt.confidence import document_confidence
    from mt.desk import segment_article_aids
    from mt.qa import check_pair
    from mt.termbase import store_glossary
    from mt.tm import fuzzy_matches

    glossary = store_glossary(store)
    english = segment.target if text is None else text
    draft = segment.draft
    flagged = False
    if draft is not None and draft.origin == "mt" and draft.score is not None:
        flagged = document_confidence(store, segment.document_id).is_low(segment.id)
    article, names = segment_article_aids(store, segment.document_id, segment.position, english)
    return SegmentAids(
        terms=tuple(glossary.find_terms(segment.source)) if glossary is not None else (),
        tm_matches=tuple(
            fuzzy_matches(store, segment.source, limit=tm_limit, exclude_segment=segment.id)
        ),
        findings=tuple(check_pair(segment.source, english, glossary=glossary) + article),
        low_confidence=flagged,
        score=draft.score if draft is not None else None,
        names=tuple(names),
    )
