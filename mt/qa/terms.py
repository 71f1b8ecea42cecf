"""Term mining: Korean names and their English renderings seen consistently in approved pairs.

For each Korean entity (`mt.qa.entities.find_mentions`) in approved source/English pairs, the
English name candidates (`mt.qa.entities.english_candidates`) of the same pairs are counted. The
entity's rendering is the candidate found with it most often; a longer candidate wins over one
it contains when it is nearly as frequent (Lee Myung-bak over Lee), and for Korean persons and
places one that sounds like the romanized name wins ties. A pair is suggested when the rendering
occurs with the entity in at least `min_count` pairs, in at least 60% of the entity's pairs
(consistent), and at least half of the rendering's own occurrences are with the entity
(specific: "Seoul" is not the English of every name in Seoul stories).

`TermMiner` keeps counts per pair id, so the desk's miner is updated as the translation memory
changes instead of being rebuilt (`mt.desk`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mt.qa.entities import english_candidates, find_mentions, romanization_similar

__all__ = ["TermMiner", "TermSuggestion", "mine_terms"]

CONSISTENCY = 0.6
SPECIFICITY = 0.5
_LONGER_SHARE = 0.75


@dataclass(frozen=True)
class TermSuggestion:
    """A Korean term and the English it was consistently given: in `count` of the `total`
    approved pairs with the term; `examples` are up to three (Korean, English) pairs."""

    korean: str
    english: str
    count: int
    total: int
    examples: tuple[tuple[str, str], ...]


class TermMiner:
    """Counts of Korean entities and English candidates over approved pairs, by pair id."""

    def __init__(self) -> None:
        self._pairs: dict[object, tuple[str, str, frozenset[str], frozenset[str]]] = {}
        self._entity: Counter[str] = Counter()
        self._english: Counter[str] = Counter()
        self._joint: dict[str, Counter[str]] = {}
        self._kinds: dict[str, str] = {}
        self.version = 0  # raised on every change, so callers can cache what they derive
        self._forms: tuple[int, int, dict[str, str]] | None = None

    def __len__(self) -> int:
        return len(self._pairs)

    def add(self, pair_id: object, source: str, target: str) -> None:
        """Count one approved pair (replacing an earlier pair with the same id)."""
        self.remove(pair_id)
        self.version += 1
        mentions = [m for m in find_mentions(source) if m.kind != "surname"]
        keys = frozenset(m.korean for m in mentions)
        for m in mentions:
            self._kinds.setdefault(m.korean, m.kind)
        texts = frozenset(c.text for c in english_candidates(target))
        self._pairs[pair_id] = (source, target, keys, texts)
        self._entity.update(keys)
        self._english.update(texts)
        for k in keys:
            self._joint.setdefault(k, Counter()).update(texts)

    def remove(self, pair_id: object) -> None:
        """Forget a pair counted before (nothing happens for an unknown id)."""
        old = self._pairs.pop(pair_id, None)
        if old is None:
            return
        self.version += 1
        _source, _target, keys, texts = old
        self._entity.subtract(keys)
        self._english.subtract(texts)
        for k in keys:
            self._joint[k].subtract(texts)

    def rendering(self, korean: str) -> tuple[str, int] | None:
        """The consistent, specific English of `korean` and its count, or None."""
        total = self._entity.get(korean, 0)
        joint = self._joint.get(korean)
        if total <= 0 or not joint:
            return None
        ranked = [
            (n, text)
            for text, n in joint.items()
            if n > 0 and n >= CONSISTENCY * total and n >= SPECIFICITY * self._english.get(text, 0)
        ]
        if not ranked:
            return None
        top = max(n for n, _ in ranked)
        close = [(n, t) for n, t in ranked if n >= _LONGER_SHARE * top]
        romanized = self._romanized(korean)

        def score(item: tuple[int, str]) -> tuple:
            n, text = item
            sounds = bool(romanized) and romanization_similar(text, romanized)
            return (sounds, len(text.split()), n, len(text))

        n, text = max(close, key=score)
        return text, n

    def _romanized(self, korean: str) -> tuple[str, ...]:
        from mt.qa.consistency import _romanizations

        return _romanizations(korean, self._kinds.get(korean, "name"))

    def suggestions(
        self, *, min_count: int = 2, known: Mapping[str, Iterable[str]] | None = None
    ) -> list[TermSuggestion]:
        """Terms seen consistently at least `min_count` times, most frequent first; terms whose
        rendering `known` (Korean → accepted English, the glossary) already lists are left out."""
        known = known or {}
        out = []
        for korean, total in self._entity.items():
            if total < min_count:
                continue
            found = self.rendering(korean)
            if found is None or found[1] < min_count:
                continue
            english, count = found
            if english in set(known.get(korean, ())):
                continue
            examples = tuple(
                (src, tgt)
                for src, tgt, keys, texts in self._pairs.values()
                if korean in keys and english in texts
            )[:3]
            out.append(TermSuggestion(korean, english, count, total, examples))
        out.sort(key=lambda s: (-s.count, s.korean))
        return out

    def forms(self, *, min_count: int = 2) -> dict[str, str]:
        """Korean → established English, for `mt.qa.consistency.DeskForms` (cached until the
        counts change)."""
        if self._forms is None or self._forms[:2] != (self.version, min_count):
            forms = {s.korean: s.english for s in self.suggestions(min_count=min_count)}
            self._forms = (self.version, min_count, forms)
        return self._forms[2]


def mine_terms(
    pairs: Iterable[tuple[str, str]],
    *,
    min_count: int = 2,
    known: Mapping[str, Iterable[str]] | None = None,
) -> list[TermSuggestion]:
    """Term suggestions from (Korean, English) approved pairs (see the module docstring).

    Example:
        >>> pairs = [("반기문 총장이 왔다.", "Ban Ki-moon came."),
        ...          ("반기문 총장은 웃었다.", "Ban Ki-moon smiled.")]
        >>> [(s.korean, s.english, s.count) for s in mine_terms(pairs)]
        [('반기문', 'Ban Ki-moon', 2)]
    """
    miner = TermMiner()
    for i, (source, target) in enumerate(pairs):
        miner.add(i, source, target)
    return miner.suggestions(min_count=min_count, known=known)
