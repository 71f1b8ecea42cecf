"""One rendering per name: in an article, and with the desk's established forms.

`ArticleIndex` holds an article's Korean sources and English targets (a document, or one file
pair in `transdesk check`). For each Korean entity (`mt.qa.entities.find_mentions`) it gathers
the English name candidates of the segments that mention it, and flags, as check
``consistency``, a segment whose rendering is a *variant* (`mt.qa.entities.is_variant`) of a
rendering that other segments of the same entity use, and which the segment does not use
itself. The form more segments use is the established one; on a tie, the desk's form, then the
earlier segment's. A variant pair counts only when it is tied to the entity: one of them sounds
like the Korean name romanized (persons, places), or the two share a word (Samsung Electronics /
Samsung Electronic), or neither occurs in segments that do not mention the entity.

A family name alone (이 대통령은 → "Lee said"), a title ("the president"), a known short form
(a word subsequence: "Democratic Party" of "Democratic Party of Korea"), and renderings that
the glossary lists for one term (Democratic Party / DP) are never flagged. A one-syllable
family name before a title is tied to the article's one person with that family name, so that
a second reference that misspells the name is checked too.

The desk (`DeskForms`): renderings approved before, from the glossary and the translation memory
(`mt.qa.terms.mine_terms`), are established forms; a segment mentioning the entity with a
variant of that form instead of the form gets a finding whose `suggestion` is the form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mt.qa.entities import (
    KNOWN_PLACES,
    Candidate,
    Mention,
    english_candidates,
    find_mentions,
    is_variant,
    romanization_similar,
)
from mt.qa.findings import Finding
from mt.qa.romanize import (
    is_korean_person,
    romanize,
    romanize_person,
    romanize_place,
    split_name,
)

if TYPE_CHECKING:
    from mt.qa.glossary import Glossary

__all__ = ["ArticleIndex", "DeskForms", "NameSuggestion"]


@dataclass(frozen=True)
class DeskForms:
    """The desk's established English for Korean entities: `forms` (Korean → preferred English)
    and `accepted` (Korean → every accepted English, short forms included)."""

    forms: Mapping[str, str] = field(default_factory=dict)
    accepted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, glossary: Glossary | None = None, mined: Mapping[str, str] | None = None
    ) -> DeskForms:
        """Forms from the glossary (which wins) and from mined approved pairs."""
        forms: dict[str, str] = dict(mined or {})
        accepted: dict[str, tuple[str, ...]] = {k: (v,) for k, v in forms.items()}
        for term in glossary or ():
            if not term.english:  # a "do not use" entry establishes no form
                continue
            forms[term.korean] = term.preferred
            accepted[term.korean] = tuple(term.english)
        return cls(forms, accepted)


@dataclass(frozen=True)
class NameSuggestion:
    """A news-style spelling for a Korean personal name or place that has no established form."""

    korean: str
    english: str
    kind: str


@dataclass
class _Entity:
    kind: str
    segments: set[int] = field(default_factory=set)
    romanized: tuple[str, ...] = ()


_NORTH_LEADERS = {"김정은", "김정일", "김일성", "김여정", "최룡해", "리설주", "김영철", "리선권"}


def _romanizations(korean: str, kind: str) -> tuple[str, ...]:
    """Romanizations of a Korean name (persons and places of Korea only: a foreign name in
    Hangul, 트럼프, is not a romanization of its English)."""
    try:
        if kind == "person" and is_korean_person(korean):
            return (romanize_person(korean), romanize(korean))
        if kind == "place" and (korean in KNOWN_PLACES or korean.endswith(_KOREAN_PLACE_ENDS)):
            return (romanize_place(korean), romanize(korean))
        if kind == "organisation" and all("가" <= ch <= "힣" for ch in korean):
            return (romanize(korean),)  # Hanwha / Hanhwa
    except Exception:
        return ()
    return ()


_KOREAN_PLACE_ENDS = ("특별시", "광역시", "특별자치도", "도", "군", "구", "읍", "면")


class ArticleIndex:
    """An article's entities and their renderings; see the module docstring.

    Arguments:
        sources, targets: the article's segments, in order (same length).
        glossary: the desk's glossary (terms are entities; its renderings are accepted forms).
        desk: established forms (default: the glossary's).
        north_style: "hyphen" (Kim Jong-un) or "spaced" (Kim Jong Un), for name suggestions.

    Example:
        >>> idx = ArticleIndex(["반기문 총장이 왔다.", "반기문 총장은 말했다."],
        ...                    ["Ban Ki-moon came.", "Ban Gi-mun said."])
        >>> [f.suggestion for f in idx.check_segment(1)]
        ['Ban Ki-moon']
    """

    def __init__(
        self,
        sources: Sequence[str],
        targets: Sequence[str],
        *,
        glossary: Glossary | None = None,
        desk: DeskForms | None = None,
        north_style: str = "hyphen",
    ) -> None:
        if len(sources) != len(targets):
            raise ValueError("sources and targets must have the same length")
        self.sources = list(sources)
        self.targets = list(targets)
        self.glossary = glossary
        self.desk = desk if desk is not None else DeskForms.build(glossary)
        self.north_style = north_style
        self._north = any("북한" in s or "북측" in s for s in self.sources)
        self.mentions: list[list[Mention]] = [find_mentions(s, glossary) for s in self.sources]
        self.entities: dict[str, _Entity] = {}
        for i, mentions in enumerate(self.mentions):
            for m in mentions:
                if m.kind != "surname":
                    ent = self.entities.setdefault(m.korean, _Entity(m.kind))
                    ent.segments.add(i)
        self._resolve_surnames()
        for key, ent in self.entities.items():
            ent.romanized = _romanizations(key, ent.kind)
        self._cands: list[tuple[Candidate, ...]] = [english_candidates(t) for t in self.targets]
        self._where: dict[str, set[int]] = {}  # candidate text → segments whose target has it
        for i, cands in enumerate(self._cands):
            for c in cands:
                self._where.setdefault(c.text, set()).add(i)
        # entity → variant text → (established text, tied by romanization, overlap): _flag_map
        self._flags: dict[str, dict[str, tuple[str, bool, float]]] = {}

    def _resolve_surnames(self) -> None:
        persons_by_family: dict[str, list[str]] = {}
        for key, ent in self.entities.items():
            parts = split_name(key)
            if ent.kind == "person" and parts:
                persons_by_family.setdefault(parts[0], []).append(key)
        for i, mentions in enumerate(self.mentions):
            resolved = []
            for m in mentions:
                if m.kind == "surname":
                    names = persons_by_family.get(m.korean, [])
                    if len(names) != 1:
                        continue
                    m = Mention(names[0], m.start, m.end, "person")
                    self.entities[names[0]].segments.add(i)
                resolved.append(m)
            self.mentions[i] = resolved

    # --- updates -----------------------------------------------------------------------------

    def set_target(self, i: int, text: str) -> None:
        """Replace segment `i`'s English (after a save), updating the index."""
        if self.targets[i] == text:
            return
        for c in self._cands[i]:
            where = self._where.get(c.text)
            if where is not None:
                where.discard(i)
        self.targets[i] = text
        self._cands[i] = english_candidates(text)
        for c in self._cands[i]:
            self._where.setdefault(c.text, set()).add(i)
        for m in self.mentions[i]:
            self._flags.pop(m.korean, None)

    def set_desk(self, desk: DeskForms) -> None:
        """Use new established forms (the glossary or the TM changed)."""
        self.desk = desk
        self._flags.clear()

    def sync(self, targets: Sequence[str]) -> None:
        """Bring every target up to date (cheap where nothing changed)."""
        for i, text in enumerate(targets):
            if text != self.targets[i]:
                self.set_target(i, text)

    # --- checks ------------------------------------------------------------------------------

    def check_segment(self, i: int, text: str | None = None) -> list[Finding]:
        """``consistency`` findings for segment `i` with English `text` (default: stored)."""
        if text is not None and text != self.targets[i]:
            saved = self.targets[i]
            keys = {m.korean for m in self.mentions[i]}
            flags = {k: self._flags[k] for k in keys if k in self._flags}
            self.set_target(i, text)
            try:
                return self._findings(i)
            finally:
                self.set_target(i, saved)
                self._flags.update(flags)  # the stored text's results still hold
        return self._findings(i)

    def findings(self) -> list[list[Finding]]:
        """``consistency`` findings of every segment, in order."""
        return [self._findings(i) for i in range(len(self.targets))]

    def name_suggestions(self, i: int) -> list[NameSuggestion]:
        """News-style spellings for the persons and places of segment `i` that have no
        established form at the desk."""
        out: dict[str, NameSuggestion] = {}
        for m in self.mentions[i]:
            if m.korean in self.desk.forms or m.korean in out:
                continue
            try:
                if m.kind == "person" and is_korean_person(m.korean):
                    north = m.korean in _NORTH_LEADERS or (self._north and "북" in self.sources[i])
                    english = romanize_person(
                        m.korean, north_korean=north, north_style=self.north_style
                    )
                elif m.kind == "place" and all("가" <= ch <= "힣" for ch in m.korean):
                    english = romanize_place(m.korean)
                else:
                    continue
            except Exception:
                continue
            out[m.korean] = NameSuggestion(m.korean, english, m.kind)
        return list(out.values())

    def _findings(self, i: int) -> list[Finding]:
        findings: dict[tuple[int, int], Finding] = {}
        cands = sorted(self._cands[i], key=lambda c: (c.start, -c.end))
        texts = {c.text for c in cands}
        keys = list(dict.fromkeys(m.korean for m in self.mentions[i]))
        for key in keys:
            accepted = set(self.desk.accepted.get(key, ()))
            desk_form = self.desk.forms.get(key)
            if desk_form and not (accepted | {desk_form}) & texts:
                for c in cands:
                    if _variant(c.text, desk_form) and not _covered(c, findings):
                        findings[(c.start, c.end)] = Finding(
                            "consistency",
                            "warning",
                            f"'{c.text}' for {key}: the desk writes '{desk_form}'",
                            (c.start, c.end),
                            desk_form,
                        )
        # Pairs tied to an entity by its romanization first, so a name is reported under its
        # own Korean, not under another entity of the same segments.
        hits = []
        for key in keys:
            flags = self._flag_map(key)
            for c in cands:
                hit = flags.get(c.text)
                if hit is not None:
                    hits.append((hit[1], hit[2], -c.start, c.end - c.start, key, c, hit[0]))
        # Romanization ties first, then the entity whose segments best match the pair's.
        for *_order, key, c, established in sorted(hits, key=lambda h: h[:4], reverse=True):
            if established in texts or _covered(c, findings):
                continue
            findings[(c.start, c.end)] = Finding(
                "consistency",
                "warning",
                f"'{c.text}' for {key}: elsewhere in this article it is '{established}'",
                (c.start, c.end),
                established,
            )
        return sorted(findings.values(), key=lambda f: f.span or (0, 0))

    def _flag_map(self, key: str) -> dict[str, tuple[str, bool, float]]:
        """Variant text → (established text, tied by romanization, overlap of the entity's
        segments with the pair's) for one entity."""
        cached = self._flags.get(key)
        if cached is not None:
            return cached
        ent = self.entities.get(key)
        flags: dict[str, tuple[str, bool, float]] = {}
        if ent is not None and len(ent.segments) >= 2:
            forms: dict[str, set[int]] = {}
            for j in ent.segments:
                for c in self._cands[j]:
                    forms.setdefault(c.text, set()).add(j)
            accepted = set(self.desk.accepted.get(key, ()))
            desk_form = self.desk.forms.get(key)
            best: dict[str, tuple[tuple, str, bool, float]] = {}
            for a, b in _candidate_pairs(sorted(forms)):
                if (a in accepted and b in accepted) or not _variant(a, b):
                    continue
                only_a, only_b = forms[a] - forms[b], forms[b] - forms[a]
                if not only_a or not only_b:
                    continue
                link = self._linked(a, b, ent)
                if link is None:
                    continue
                rank_a = _rank(a, forms[a], desk_form, accepted)
                rank_b = _rank(b, forms[b], desk_form, accepted)
                loser, winner, rank = (a, b, rank_b) if rank_b > rank_a else (b, a, rank_a)
                if loser not in best or rank > best[loser][0]:
                    pair = forms[a] | forms[b]
                    overlap = len(pair & ent.segments) / len(pair | ent.segments)
                    best[loser] = (rank, winner, link, overlap)
            flags = {loser: (w, link, o) for loser, (_r, w, link, o) in best.items()}
        self._flags[key] = flags
        return flags

    def _linked(self, a: str, b: str, ent: _Entity) -> bool | None:
        """True: tied to the entity by romanization; False: by a shared word; None: not tied."""
        if ent.romanized and (
            romanization_similar(a, ent.romanized) or romanization_similar(b, ent.romanized)
        ):
            return True
        if {w for w in a.split() if len(w) > 1} & {w for w in b.split() if len(w) > 1}:
            return False
        return None


_PREFILTER = 55.0


def _candidate_pairs(names: list[str]) -> list[tuple[str, str]]:
    """Pairs of `names` that may be variants: similar as lowercase text (rapidfuzz, in C) or
    with one sound key; `is_variant` decides."""
    if len(names) < 2:
        return []
    import numpy as np
    from rapidfuzz import fuzz, process

    from mt.qa.romanize import romanization_key

    lower = [n.lower() for n in names]
    scores = process.cdist(lower, lower, scorer=fuzz.ratio, score_cutoff=_PREFILTER, dtype=np.uint8)
    rows, cols = np.nonzero(np.triu(scores, k=1))
    pairs = {(names[r], names[c]) for r, c in zip(rows.tolist(), cols.tolist(), strict=True)}
    by_key: dict[str, list[str]] = {}
    for n in names:
        by_key.setdefault(romanization_key(n), []).append(n)
    for group in by_key.values():
        pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
    return sorted(pairs)


_variant_cache: dict[tuple[str, str], bool] = {}


def _variant(a: str, b: str) -> bool:
    key = (a, b)
    hit = _variant_cache.get(key)
    if hit is None:
        if len(_variant_cache) > 500_000:
            _variant_cache.clear()
        hit = _variant_cache[key] = is_variant(a, b)
    return hit


def _rank(text: str, segments: set[int], desk_form: str | None, accepted: set[str]) -> tuple:
    """Higher is more established: more segments, then the desk's form, then the earlier."""
    return (len(segments), text == desk_form or text in accepted, -min(segments), len(text))


def _covered(c: Candidate, findings: Mapping[tuple[int, int], Finding]) -> bool:
    return any(s <= c.start and c.end <= e for s, e in findings)


def check_article(
    sources: Sequence[str],
    targets: Sequence[str],
    *,
    glossary: Glossary | None = None,
    desk: DeskForms | None = None,
) -> list[list[Finding]]:
    """``consistency`` findings for each segment of one article."""
    return ArticleIndex(sources, targets, glossary=glossary, desk=desk).findings()
