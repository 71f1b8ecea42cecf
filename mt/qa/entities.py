"""Named entities on both sides of a segment: Korean mentions and English name candidates.

Korean side (`find_mentions`): kiwipiepy's proper nouns (NNP: 이명박, 반기문, 삼성전자, 부산,
"도널드 트럼프 주니어"), multi-word organisation names kiwipiepy splits (국민의힘, 조국혁신당), and
the glossary's terms. A one-syllable proper noun before a title (이 대통령은, 반 총장은) is a
second reference by family name (kind ``surname``); `mt.qa.consistency` ties it to the article's
full name. Each mention has a kind: ``person`` (a Korean personal name: family name + given name,
or any name before a personal title), ``place`` (known places, and names ending in 시/도/군/구),
``organisation`` (known parties and the glossary) or ``name``.

English side (`english_candidates`): runs of capitalised words (with "of", "for", "and", "the"
inside a run, and hyphenated given names), with a sentence's first function word and leading
titles (President, Mr., Secretary-General, …) left out, and every contiguous sub-run of up to
five words, since a run can hold more than one name.

`is_variant` decides whether two English strings are spellings of one name that a desk would
want written one way (Lee Myung-bak / Lee Myeong-bak, Busan / Pusan, People Power Party /
People's Power Party), not a short form (Lee, Democratic Party for Democratic Party of Korea) or
a related word (Korea / Korean, Mexico / Mexican, North Korea / South Korea).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from mt.qa.romanize import is_korean_person, romanization_key

if TYPE_CHECKING:
    from mt.qa.glossary import Glossary

__all__ = ["Candidate", "Mention", "english_candidates", "find_mentions", "is_variant"]

Kind = Literal["person", "place", "organisation", "name", "surname"]


@dataclass(frozen=True)
class Mention:
    """A Korean entity in a source: its key (the name, spaces normalised), where, and kind."""

    korean: str
    start: int
    end: int
    kind: Kind


@dataclass(frozen=True)
class Candidate:
    """An English name candidate in a target: text and (start, end) in the target."""

    text: str
    start: int
    end: int


# Titles and kin that follow a name in Korean news; a one-syllable name before one of them is
# a family name used on second reference.
TITLES_KO = (
    "대통령", "전 대통령", "당선인", "총리", "부총리", "장관", "차관", "사무총장", "총장", "위원장",
    "국무위원장", "의원", "대표", "원내대표", "회장", "부회장", "사장", "지사", "시장", "대사",
    "후보", "감독", "교수", "씨", "대변인", "비서실장", "의장", "청장", "특사", "여사", "박사",
)  # fmt: skip
_TITLE_RE = re.compile(
    r"\s*(?:전\s*)?(?:" + "|".join(sorted(TITLES_KO, key=len, reverse=True)) + ")"
)

# Organisations whose names kiwipiepy splits into common nouns, and well-known places.
KNOWN_ORGANISATIONS = (
    "국민의힘", "더불어민주당", "민주당", "조국혁신당", "개혁신당", "정의당", "진보당",
    "자유한국당", "새누리당", "한나라당", "국민의당", "미래통합당", "노동당", "조선노동당",
    "삼성전자", "현대자동차", "현대차", "기아", "엘지화학", "LG화학", "에스케이하이닉스",
    "SK하이닉스", "포스코", "네이버", "카카오", "한화", "롯데", "신한", "쿠팡", "한국은행",
    "국회", "청와대", "대통령실",
)  # fmt: skip
KNOWN_PLACES = (
    "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원", "충북", "충남",
    "전북", "전남", "경북", "경남", "제주", "평양", "판문점", "개성", "독도", "여의도", "용산",
    "수원", "창원", "포항", "청주", "전주", "안동", "경주", "강릉", "춘천", "목포", "여수",
)  # fmt: skip
_PLACE_ENDINGS = ("특별시", "광역시", "특별자치도", "도", "시", "군", "구")
_KNOWN_RE = re.compile(
    r"(?<![가-힣])("
    + "|".join(re.escape(k) for k in sorted(KNOWN_ORGANISATIONS, key=len, reverse=True))
    + ")"
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text.strip()))


@lru_cache(maxsize=1)
def _kiwi():
    from mt.qa.checks import _kiwi as shared  # one Kiwi per process, loaded on first use

    return shared()


def _kind(name: str, before_title: bool) -> Kind:
    if name in KNOWN_ORGANISATIONS:
        return "organisation"
    if name in KNOWN_PLACES or (
        name.endswith(_PLACE_ENDINGS) and len(name) >= 3 and not is_korean_person(name)
    ):
        return "place"
    if is_korean_person(name) or (before_title and re.fullmatch(r"[가-힣 ]+", name)):
        return "person"
    return "name"


@lru_cache(maxsize=65536)
def _kiwi_mentions(source: str) -> tuple[Mention, ...]:
    """Proper nouns and known organisations in `source` (cached: sources do not change)."""
    found: dict[tuple[int, int], Mention] = {}
    for m in _KNOWN_RE.finditer(source):
        found[m.span()] = Mention(m.group(1), m.start(), m.end(), "organisation")
    if re.search(r"[가-힣]", source):
        tokens = _kiwi().tokenize(source)
        for t in tokens:
            if t.tag != "NNP":
                continue
            start, end = t.start, t.start + t.len
            if any(s <= start < e or s < end <= e for s, e in found):
                continue  # inside a known organisation name (국민의힘 → 국민, 힘)
            form = _nfc(source[start:end])
            before_title = bool(_TITLE_RE.match(source, end))
            if len(form) == 1:
                if before_title and "가" <= form <= "힣":
                    found[(start, end)] = Mention(form, start, end, "surname")
                continue
            if not re.search(r"[가-힣A-Za-z]", form):
                continue
            found[(start, end)] = Mention(form, start, end, _kind(form, before_title))
        # Korean personal names kiwipiepy reads as common nouns (정의선으로 → 정의 + 선): a
        # word of family name + two syllables before a case particle or a title, where
        # kiwipiepy saw no verb or ending.
        verbal = [
            (t.start, t.start + t.len) for t in tokens if t.tag[0] in "VE" or t.tag[:2] == "XS"
        ]
        for m in _NAME_WORD.finditer(source):
            span = m.span(1)
            if is_korean_person(m.group(1)) and not any(
                s < span[1] and span[0] < e for s, e in [*found, *verbal]
            ):
                found[span] = Mention(m.group(1), span[0], span[1], "person")
    return tuple(sorted(found.values(), key=lambda m: m.start))


def _name_word_pattern() -> re.Pattern[str]:
    particles = "은|는|이|가|을|를|의|에|에서|에게|와|과|도|로|으로|만|까지|부터|처럼|보다"
    titles = "|".join(sorted(TITLES_KO, key=len, reverse=True))
    return re.compile(rf"(?<![가-힣])([가-힣]{{3}})(?=(?:{particles})(?![가-힣])|\s+(?:{titles}))")


_NAME_WORD = _name_word_pattern()


def find_mentions(source: str, glossary: Glossary | None = None) -> list[Mention]:
    """Korean entity mentions in `source`, left to right (glossary terms included).

    Example:
        >>> [(m.korean, m.kind) for m in find_mentions("이명박 대통령은 부산에서 이 대통령과")]
        [('이명박', 'person'), ('부산', 'place'), ('이', 'surname')]
    """
    mentions = list(_kiwi_mentions(source))
    if glossary is not None:
        for match in glossary.find_terms(source):
            span = (match.start, match.end)
            if any(m.start <= span[0] and span[1] <= m.end for m in mentions):
                continue
            mentions = [m for m in mentions if not (span[0] <= m.start and m.end <= span[1])]
            kind = _kind(match.term, False)
            mentions.append(
                Mention(match.term, span[0], span[1], "organisation" if kind == "name" else kind)
            )
        mentions.sort(key=lambda m: m.start)
    return mentions


# --- English candidates ------------------------------------------------------------------------

_LEAD_WORDS = {
    "the", "a", "an", "in", "on", "at", "but", "and", "he", "she", "it", "they", "we", "this",
    "that", "his", "her", "their", "its", "as", "after", "when", "while", "if", "for", "of",
    "to", "by", "with", "from", "former", "then", "also", "meanwhile", "however", "there",
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "president", "prime", "minister",
    "secretary-general", "secretary", "general", "chairman", "chairwoman", "chair", "ceo",
    "governor", "mayor", "rep.", "sen.", "gen.", "vice", "chief", "speaker", "leader",
    "ambassador", "professor", "prof.", "premier", "lawmaker", "spokesman", "spokeswoman",
    "director", "commissioner", "judge", "justice", "coach", "king", "queen", "prince",
    "u.n.", "un", "foreign", "finance", "defense", "defence", "unification", "opposition",
    "according", "some", "many", "all", "no", "not", "so", "yet", "last", "next",
}  # fmt: skip
# Capitalised words that are not names: days, months, and sentence openers.
_NOT_NAMES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "i", "i'll", "i'm", "i've", "i'd", "you", "your", "we're", "it's",
    "what", "who", "why", "how", "where", "there's", "these", "those", "others", "other",
    "one", "two", "three", "more", "most", "new", "now", "here", "yes", "no", "today",
}  # fmt: skip
_CONNECTORS = {"of", "for", "and", "the", "de", "du", "von", "van", "al", "bin", "&"}
_WORD = re.compile(r"[A-Za-z0-9][\w'’.&-]*[\w]|[A-Za-z&]")
_MAX_WORDS = 5


def _is_cap(word: str) -> bool:
    return word[0].isupper() or (word[0].isdigit() and any(c.isupper() for c in word))


@lru_cache(maxsize=65536)
def english_candidates(target: str) -> tuple[Candidate, ...]:
    """Capitalised word runs of `target` and their sub-runs (up to five words), possessive 's
    removed (cached by text)."""
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(target)]
    runs: list[list[tuple[str, int, int]]] = []
    current: list[tuple[str, int, int]] = []
    for i, (w, s, e) in enumerate(words):
        gap = target[current[-1][2] : s] if current else ""
        joined = not current or re.fullmatch(r"\s+|\s*-\s*", gap) is not None
        if _is_cap(w) and joined:
            current.append((w, s, e))
            continue
        if (
            current
            and w.lower() in _CONNECTORS
            and joined
            and i + 1 < len(words)
            and _is_cap(words[i + 1][0])
        ):
            current.append((w, s, e))
            continue
        if current:
            runs.append(current)
        current = [(w, s, e)] if _is_cap(w) else []
    if current:
        runs.append(current)
    out: dict[tuple[int, int], Candidate] = {}
    for run in runs:
        run = [w for w in run if w[0].lower() not in _NOT_NAMES] if len(run) == 1 else run
        while run and (run[0][0].lower() in _LEAD_WORDS or run[0][0].lower() in _CONNECTORS):
            run = run[1:]
        while run and run[-1][0].lower() in _CONNECTORS:
            run = run[:-1]
        for i in range(len(run)):
            for j in range(i, min(len(run), i + _MAX_WORDS)):
                if run[i][0].lower() in _CONNECTORS or run[j][0].lower() in _CONNECTORS:
                    continue
                start, end = run[i][1], run[j][2]
                text = target[start:end]
                poss = re.search(r"['’]s?$", text)
                if poss and (text.endswith("s'") or text.endswith("s’") or poss.group(0) != "'"):
                    end -= len(poss.group(0))
                    text = text[: -len(poss.group(0))]
                text = text.rstrip(".")
                end = start + len(text)
                if len(text) >= 2:
                    out[(start, end)] = Candidate(text, start, end)
    return tuple(sorted(out.values(), key=lambda c: (c.start, c.end)))


# --- variants ----------------------------------------------------------------------------------

# Endings that make a related word, not a misspelling: Korea/Korean, Mexico/Mexican, Trump/Trumps.
_MORPH_TAILS = {
    "", "n", "an", "ian", "ese", "y", "o", "i", "ish", "ean", "ic", "a", "e", "ns", "ans", "ern",
    "ite", "ites", "ians", "ics", "al", "ia",
}  # fmt: skip
# Plural and possessive endings: related words at the end of a name (MPs, Koreans), variants
# inside one (People's Power Party / People Power Party).
_END_TAILS = _MORPH_TAILS | {"s", "es", "'s", "’s", "ies"}
_WORD_SIMILARITY = 75.0
_KEY_SIMILARITY = 90.0


def _split_words(text: str) -> list[str]:
    return text.split()


def _subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(any(w == x for x in it) for w in short)


def _morphological(a: str, b: str, *, last: bool) -> bool:
    """Related words, not misspellings: Korea/Korean, Mexico/Mexican, Democrat/Democratic, and
    as a name's last word MP/MPs."""
    a, b = a.lower(), b.lower()
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    tails = _END_TAILS if last else _MORPH_TAILS
    ta, tb = a[n:], b[n:]
    # One side must carry a real suffix: Hyundae / Hyundai (e / i) is a misspelling.
    return (
        n >= 2 and ta in tails and tb in tails and (len(ta) >= 2 or len(tb) >= 2 or "" in (ta, tb))
    )


def _acronym(word: str) -> bool:
    letters = word.replace(".", "")
    return letters.isupper() and len(letters) <= 5


def _word_similar(a: str, b: str, *, last: bool) -> bool:
    from rapidfuzz import fuzz

    la, lb = a.lower(), b.lower()
    if a.isupper() or b.isupper() or _acronym(a) or _acronym(b):
        return False  # headline capitals (NIGEL FARAGE), acronyms (US, U.S., USA)
    if la == lb:
        return True  # a case variant (Myung-Bak) is a variant of the name
    if _morphological(a, b, last=last) or la.replace("-", "") == lb.replace("-", ""):
        return False
    if min(len(la), len(lb)) >= 4 and fuzz.ratio(la, lb) >= _WORD_SIMILARITY:
        return True
    if min(len(la), len(lb)) == 3 and fuzz.ratio(la, lb) >= 85:
        return True  # Pak / Park
    ka, kb = romanization_key(a), romanization_key(b)
    return bool(ka) and ka == kb


def is_variant(a: str, b: str) -> bool:
    """Whether English strings `a` and `b` are two spellings of one name (module docstring).

    Example:
        >>> is_variant("Ban Ki-moon", "Ban Gi-mun"), is_variant("Lee", "Lee Myung-bak")
        (True, False)
    """
    if a == b:
        return False
    wa, wb = _split_words(a), _split_words(b)
    if _subsequence(wa, wb) or _subsequence(wb, wa):
        return False
    if len(wa) == len(wb):
        diffs = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
        if len(diffs) > 2 or len(diffs) == len(wa) > 2:
            return False
        return all(
            _word_similar(wa[k], wb[k], last=k == len(wa) - 1)
            for k in range(len(wa))
            if wa[k] != wb[k]
        )
    if abs(len(wa) - len(wb)) > 1:
        return False
    # One word split or joined (Ki-moon / Ki Moon / Kimoon): compare sound keys.
    from rapidfuzz import fuzz

    if wa[0].lower() != wb[0].lower():
        return False
    ka, kb = romanization_key(a), romanization_key(b)
    return fuzz.ratio(ka, kb) >= _KEY_SIMILARITY


def romanization_similar(english: str, forms: Iterable[str]) -> bool:
    """Whether `english` sounds like one of `forms` (romanizations of a Korean name)."""
    from rapidfuzz import fuzz

    key = romanization_key(english)
    return any(fuzz.ratio(key, romanization_key(f)) >= 80 for f in forms if f)
