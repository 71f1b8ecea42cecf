"""Glossaries (Korean term → required English), their CSV/TBX import, and draft post-correction.

Why one module (about 550 lines): matching, the CSV/TBX loaders and post-correction all build or
read the same `Term` and `Glossary`, and `GlossaryEngine` is that glossary applied to drafts.

Matching. A Korean term matches at the start of a word and may be followed by particles and
copula endings (네이버, 네이버는, 네이버의, 네이버에서도, 네이버였다) but not by other syllables, so
네이버웹툰 is a separate term. The English side is matched as a whole word (``Naver's`` counts);
a term whose English has a capital letter (a name: Naver, Lee Hae-jin) is case-sensitive, an
all-lowercase one (chaebol) is not, and a ``case`` column overrides that.

Enforcement in MT drafts: post-correction, not placeholders. Marian (OPUS-MT) and NLLB use
SentencePiece vocabularies with no reserved placeholder tokens, so a masked source such as
``<x1>`` or ``TERM1`` is cut into ordinary pieces that a model may translate, drop, reorder or
repeat; nothing about that can be guaranteed, and the random-weight test model cannot show it
either way. Post-correction works on the output text only, so it behaves identically for Marian,
NLLB and CTranslate2, and never touches tokenization. For each glossary term in the source whose
required English is absent from the draft, `Glossary.post_correct` replaces, in this order:
a case variant of the required English (NAVER → Naver for a case-sensitive term); a known wrong
rendering listed for the term (``avoid`` column / TBX deprecated terms); the Korean term left
untranslated, with its particles; a close misspelling (a word n-gram with a rapidfuzz ratio of at
least 85 to the required English, e.g. Lee Hae-jun → Lee Hae-jin). Otherwise the draft is left as
it is: nothing is appended, and the QA check reports the missing term to the editor.

File formats (`load_glossary`):

- CSV or TSV (``.tsv`` or a tab in the header line), UTF-8 (with or without BOM), UTF-16 with
  BOM or CP949 as Korean Excel saves it; header row required. Columns ``ko``
  and ``en`` (or ``source`` and ``target``, or ``korean`` and ``english``); optional ``avoid``
  (known wrong renderings), ``case`` (``sensitive`` or ``insensitive``) and ``note``. Several
  accepted English renderings, or several wrong ones, are separated by ``|`` or ``;``; the first
  accepted one is preferred. A Korean term listed twice gets the renderings of both rows.
- TBX: TBX-Basic/TBX 2008 (``martif``/``termEntry``/``langSet``/``tig`` or ``ntig``) and TBX v3
  (``tbx``/``conceptEntry``/``langSec``/``termSec``), any namespace. Each entry's ``xml:lang="ko"``
  terms map to its ``xml:lang="en"`` terms; English terms whose ``administrativeStatus`` (or
  ``normativeAuthorization``) is deprecated, superseded or obsolete become known wrong
  renderings. An entry whose English terms all are is kept as a "do not use" entry: no accepted
  English (never offered, enforced or asked for), and QA flags the deprecated English.
  Parsed by `mt.formats.xmlsafe` (lxml without entity resolution, DTD loading or network
  access); a DOCTYPE that declares entities is refused.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.engines.base import EngineWrapper, Translator
from mt.errors import InputError, UnsupportedFormat
from mt.qa.findings import Finding

if TYPE_CHECKING:
    from mt.types import Hypothesis

__all__ = ["Glossary", "GlossaryEngine", "Term", "TermMatch", "load_glossary", "parse_glossary"]

# Particles, copula endings and a few suffixes that may follow a term inside the same eojeol.
_PARTICLES = sorted(
    {
        "은", "는", "이", "가", "을", "를", "의", "에", "에서", "에게", "에게서", "께", "께서",
        "한테", "한테서", "와", "과", "도", "로", "으로", "만", "까지", "부터", "보다", "처럼",
        "같이", "마저", "조차", "밖에", "이나", "나", "이든", "든", "이랑", "랑", "하고", "이라고",
        "라고", "이라는", "라는", "이란", "란", "이며", "며", "이고", "고", "이다", "다", "였다",
        "이었다", "입니다", "이야", "야", "씨", "측", "사", "들", "뿐", "만큼", "으로서", "로서",
        "으로써", "로써", "인", "이자", "자", "이지만", "지만", "였던", "이었던", "에서의", "와의",
        "과의", "로의", "으로의",
    },
    key=len,
    reverse=True,
)  # fmt: skip
_PARTICLE_RUN = "(?:" + "|".join(_PARTICLES) + "){0,3}"
_PARTICLE_TAIL = _PARTICLE_RUN + r"(?!\w)"
_FUZZY_THRESHOLD = 85.0
_SEPARATORS = re.compile(r"\s*[|;]\s*")


@dataclass(frozen=True)
class Term:
    """One glossary entry: a Korean term, its accepted English renderings (first preferred),
    known wrong renderings, and whether the English must match case exactly."""

    korean: str
    english: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    case_sensitive: bool = True
    note: str = ""

    @property
    def preferred(self) -> str:
        """The first accepted English ("" for a "do not use" entry, which has none)."""
        return self.english[0] if self.english else ""

    @property
    def do_not_use(self) -> bool:
        """An entry with no accepted English, only renderings to avoid (all of a TBX entry's
        English terms deprecated, superseded or obsolete)."""
        return not self.english and bool(self.avoid)


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a source text; `start`/`end` cover the term, not its particles."""

    term: str
    english: str
    start: int
    end: int
    entry: Term | None = None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _split(cell: str | None) -> tuple[str, ...]:
    if not cell:
        return ()
    return tuple(_nfc(p) for p in _SEPARATORS.split(cell.strip()) if p.strip())


def _english_pattern(english: str, case_sensitive: bool) -> re.Pattern[str]:
    words = [re.escape(w) for w in english.split()]
    body = r"\s+".join(words)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", 0 if case_sensitive else re.IGNORECASE)


class Glossary:
    """Korean → English terms, with term search, QA findings and draft post-correction.

    Example:
        >>> g = Glossary.from_dict({"네이버": "Naver"})
        >>> [m.english for m in g.find_terms("네이버는 밝혔다")]
        ['Naver']
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        merged: dict[str, Term] = {}
        for term in terms:
            key = _nfc(term.korean.strip())
            if not key or not (term.english or term.avoid):
                raise ValueError(f"glossary term needs Korean and English: {term!r}")
            if key in merged:
                old = merged[key]
                term = replace(
                    old,
                    english=_dedupe(old.english + term.english),
                    avoid=_dedupe(old.avoid + term.avoid),
                )
            merged[key] = replace(term, korean=key)
        self._terms = merged
        # Terms are found by one regex, longest first; a match is looked up with its spaces
        # normalised, since "네이버 웹툰" also matches "네이버  웹툰".
        self._by_spacing = {_spacing(k): term for k, term in merged.items()}
        keys = sorted(merged, key=len, reverse=True)
        self._source_re = (
            re.compile(
                r"(?<!\w)(" + "|".join(_korean_pattern(k) for k in keys) + ")"
                "(?=" + _PARTICLE_TAIL + ")"
            )
            if keys
            else None
        )

    @classmethod
    def from_dict(cls, mapping: Mapping[str, str | Sequence[str]]) -> Glossary:
        """A glossary from ``{"네이버": "Naver", "이해진": ["Lee Hae-jin", "Lee Hae-Jin"]}``."""
        terms = []
        for ko, en in mapping.items():
            english = (en,) if isinstance(en, str) else tuple(en)
            terms.append(Term(ko, english, case_sensitive=_default_case(english[0])))
        return cls(terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms.values())

    def __contains__(self, korean: object) -> bool:
        return isinstance(korean, str) and _nfc(korean) in self._terms

    def __getitem__(self, korean: str) -> Term:
        return self._terms[_nfc(korean)]

    def find_terms(self, source: str) -> list[TermMatch]:
        """Glossary terms in a Korean `source`, left to right; the longest wins an overlap."""
        matches = []
        for m in self._matches(source):
            entry = self._by_spacing[_spacing(m.group(1))]
            if entry.english:  # a "do not use" entry offers no rendering
                span = m.start(1), m.end(1)
                matches.append(TermMatch(entry.korean, entry.preferred, *span, entry))
        return matches

    def _matches(self, source: str) -> Iterator[re.Match[str]]:
        return iter(()) if self._source_re is None else self._source_re.finditer(source)

    def violations(self, source: str, target: str) -> list[Finding]:
        """Glossary findings for a Korean source and its English target.

        A term in the source whose accepted English is absent from the target is reported, and
        so is a known wrong rendering in the target.
        """
        findings = []
        for entry in self._distinct_entries(source):
            present = _find_any(target, entry.english, entry.case_sensitive)
            wrong_found = [
                m
                for wrong in entry.avoid
                for m in _english_pattern(wrong, entry.case_sensitive).finditer(target)
                if present is None or not _overlaps(m.span(), present)
            ]
            findings += [
                Finding(
                    "glossary",
                    "warning",
                    f"'{m.group(0)}' is a deprecated term for '{entry.korean}' (do not use)"
                    if entry.do_not_use
                    else f"'{m.group(0)}' is a wrong rendering of '{entry.korean}'; "
                    f"use '{entry.preferred}'",
                    m.span(),
                )
                for m in wrong_found
            ]
            if present is None and not wrong_found and entry.english:
                wanted = " or ".join(f"'{e}'" for e in entry.english)
                findings.append(
                    Finding(
                        "glossary", "warning", f"'{entry.korean}' should be translated as {wanted}"
                    )
                )
        return findings

    def post_correct(self, source: str, draft: str) -> str:
        """The draft with glossary terms enforced where a safe correction exists (module doc)."""
        for entry in self._distinct_entries(source):
            if entry.do_not_use or _find_any(draft, entry.english, entry.case_sensitive):
                continue
            draft = _correct_one(entry, draft)
        return draft

    def _distinct_entries(self, source: str) -> list[Term]:
        seen: dict[str, Term] = {}
        for m in self._matches(source):  # "do not use" entries too
            entry = self._by_spacing[_spacing(m.group(1))]
            seen.setdefault(entry.korean, entry)
        return list(seen.values())


def _spacing(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _korean_pattern(term: str) -> str:
    return r"\s+".join(re.escape(part) for part in term.split())


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _default_case(english: str) -> bool:
    return any(ch.isupper() for ch in english)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _find_any(text: str, english: Sequence[str], case_sensitive: bool) -> tuple[int, int] | None:
    for e in english:
        m = _english_pattern(e, case_sensitive).search(text)
        if m:
            return m.span()
    return None


def _correct_one(entry: Term, draft: str) -> str:
    preferred = entry.preferred
    # 1. A case variant of an accepted rendering (NAVER, nvidia).
    if entry.case_sensitive:
        for e in entry.english:
            pattern = _english_pattern(e, case_sensitive=False)
            if pattern.search(draft):
                return pattern.sub(lambda _m: preferred, draft)
    # 2. A known wrong rendering.
    for wrong in entry.avoid:
        pattern = _english_pattern(wrong, entry.case_sensitive)
        if pattern.search(draft):
            return pattern.sub(lambda _m: preferred, draft)
    # 3. The Korean term left untranslated, with its particles.
    korean = re.compile(r"(?<!\w)" + _korean_pattern(entry.korean) + _PARTICLE_TAIL)
    if korean.search(draft):
        return korean.sub(lambda _m: preferred, draft)
    # 4. A close misspelling of the preferred rendering.
    span = _fuzzy_span(draft, preferred)
    if span is not None:
        return draft[: span[0]] + preferred + draft[span[1] :]
    return draft


_WORD = re.compile(r"[\w][\w'’.-]*[\w]|[\w]")


def _fuzzy_span(draft: str, wanted: str) -> tuple[int, int] | None:
    """The word n-gram of `draft` closest to `wanted` (ratio ≥ 85), possessive 's left out."""
    from rapidfuzz import fuzz

    if len(wanted) < 5:
        return None  # short names (Kim, Lee) are too close to ordinary words
    words = [m for m in _WORD.finditer(draft)]
    n_wanted = len(wanted.split())
    best: tuple[float, tuple[int, int]] | None = None
    for n in {max(1, n_wanted - 1), n_wanted, n_wanted + 1}:
        for i in range(len(words) - n + 1):
            start, end = words[i].start(), words[i + n - 1].end()
            text = draft[start:end]
            possessive = re.search(r"['’]s$", text)
            if possessive:
                end -= len(possessive.group(0))
                text = text[: -len(possessive.group(0))]
            score = fuzz.ratio(text.lower(), wanted.lower())
            if score >= _FUZZY_THRESHOLD and (best is None or score > best[0]):
                best = (score, (start, end))
    return best[1] if best else None


# --- loading --------------------------------------------------------------------------------

_KO_COLUMNS = ("ko", "source", "korean", "kor", "ko-kr")
_EN_COLUMNS = ("en", "target", "english", "eng", "en-us", "en-gb")
_AVOID_COLUMNS = ("avoid", "wrong", "forbidden", "deprecated", "do_not_use")


def load_glossary(path: str | Path) -> Glossary:
    """Read a glossary from CSV, TSV or TBX (by suffix; ``.xml`` is read as TBX).

    Raises:
        InputError: the file is missing, not UTF-8, has no header or no usable entries, or is
            unsafe XML.
        UnsupportedFormat: the suffix is not ``.csv``, ``.tsv``, ``.txt``, ``.tbx`` or ``.xml``.
    """
    from mt.formats.base import read_path

    path = Path(path)
    _check_suffix(path.name)
    try:
        data = read_path(path)
    except InputError as e:
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{path}: glossary file not found") from None
        raise e from None
    return parse_glossary(data, path.name)


def parse_glossary(data: bytes, name: str) -> Glossary:
    """A glossary from a file's bytes (an upload): `name`'s suffix picks the format, as in
    `load_glossary`; nothing is written to disk.

    Raises:
        InputError, UnsupportedFormat: as `load_glossary`.
    """
    from mt.formats.base import check_size

    suffix = _check_suffix(name)
    check_size(data, name)
    if suffix in (".tbx", ".xml"):
        return _load_tbx(data, name)
    return _load_csv(_decode(data, name), name, tab=suffix == ".tsv")


def _check_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".tsv", ".txt", ".tbx", ".xml"):
        raise UnsupportedFormat(f"{name}: glossary must be .csv, .tsv or .tbx")
    return suffix


def _decode(data: bytes, name: str) -> str:
    from mt.formats.encoding import decode  # UTF-8/16 with BOM, and CP949 from Korean Excel

    return decode(data, name)[0]


def _load_csv(text: str, name: str, *, tab: bool) -> Glossary:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"{name}: empty glossary (a header row such as 'ko,en' is required)")
    delimiter = "\t" if tab or "\t" in lines[0] else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    ko_col = next((fields[c] for c in _KO_COLUMNS if c in fields), None)
    en_col = next((fields[c] for c in _EN_COLUMNS if c in fields), None)
    if ko_col is None or en_col is None:
        shown = ", ".join(f for f in (reader.fieldnames or []) if f)
        missing = "'ko' (or 'source')" if ko_col is None else "'en' (or 'target')"
        raise InputError(f"{name}: no column {missing} (columns: {shown})")
    avoid_col = next((fields[c] for c in _AVOID_COLUMNS if c in fields), None)
    case_col = fields.get("case")
    note_col = fields.get("note")
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as e:
        raise InputError(f"{name} line {reader.line_num}: {e}") from None
    terms = []
    for line, row in rows:
        korean = _nfc((row.get(ko_col) or "").strip())
        english = _split(row.get(en_col))
        if not korean and not english:
            continue
        if not korean:
            raise InputError(f"{name} line {line}: empty Korean term")
        if not english:
            raise InputError(f"{name} line {line}: no English for '{korean}'")
        case_sensitive = _default_case(english[0])
        if case_col and (row.get(case_col) or "").strip():
            case_sensitive = _parse_case(row[case_col], name, line)
        terms.append(
            Term(
                korean,
                english,
                _split(row.get(avoid_col)) if avoid_col else (),
                case_sensitive,
                (row.get(note_col) or "").strip() if note_col else "",
            )
        )
    if not terms:
        raise InputError(f"{name}: no glossary entries after the header")
    return Glossary(terms)


def _parse_case(value: str, name: str, line: int) -> bool:
    v = value.strip().lower()
    if v in ("sensitive", "exact", "yes", "true", "1"):
        return True
    if v in ("insensitive", "ignore", "no", "false", "0"):
        return False
    raise InputError(
        f"{name} line {line}: case must be 'sensitive' or 'insensitive', not {value!r}"
    )


_DEPRECATED = (
    "deprecatedterm-admn-sts",
    "supersededterm-admn-sts",
    "obsoleteterm-admn-sts",
    "deprecated",
    "superseded",
    "obsolete",
)
# TBX-Basic says normativeAuthorization, TBX 2008 administrativeStatus (#16)
_STATUS_KINDS = ("administrativeStatus", "normativeAuthorization")


def _load_tbx(data: bytes, name: str) -> Glossary:
    from mt.formats.xmlsafe import local_name, parse_xml  # no entities, DTD or network

    root = parse_xml(data, name).getroot()
    terms = []
    for entry in root.iter():
        if local_name(entry) not in ("termEntry", "conceptEntry"):
            continue
        korean: list[str] = []
        english: list[str] = []
        avoid: list[str] = []
        for lang_set in entry:
            if local_name(lang_set) not in ("langSet", "langSec"):
                continue
            lang = (lang_set.get("{http://www.w3.org/XML/1998/namespace}lang") or "").lower()
            for term_el in lang_set.iter():
                if local_name(term_el) != "term":
                    continue
                text = _nfc("".join(term_el.itertext()).strip())
                if not text:
                    continue
                if lang.startswith("ko"):
                    korean.append(text)
                elif lang.startswith("en"):
                    (avoid if _is_deprecated(term_el, local_name) else english).append(text)
        # An entry whose English terms are all deprecated is kept as "do not use" (#16).
        if korean and (english or avoid):
            case = _default_case((english or avoid)[0])
            for ko in korean:
                terms.append(Term(ko, _dedupe(english), _dedupe(avoid), case))
    if not terms:
        raise InputError(f"{name}: no Korean–English term pairs (langSet xml:lang 'ko' and 'en')")
    return Glossary(terms)


def _is_deprecated(term_el: Any, local_name: Callable[[Any], str]) -> bool:
    """Whether a TBX term's group marks it deprecated (termNote or a DCT status element)."""
    for el in term_el.getparent().iter():
        kind = el.get("type") if local_name(el) == "termNote" else local_name(el)
        if kind in _STATUS_KINDS and (el.text or "").strip().lower() in _DEPRECATED:
            return True
    return False


# --- engine wrapper -------------------------------------------------------------------------


class GlossaryEngine(EngineWrapper):
    """An engine whose drafts respect a glossary, by post-correcting each hypothesis.

    It wraps any `Translator` and changes nothing else: the rest of the interface (`model_id`,
    `revision`, ...) is the wrapped engine's, and `signature()` adds the glossary's size.

    Example:
        >>> engine = GlossaryEngine(load_engine(), load_glossary("terms.csv"))  # doctest: +SKIP
        >>> engine.translate(["네이버는 밝혔다."])[0].text  # doctest: +SKIP
    """

    def __init__(self, engine: Translator, glossary: Glossary) -> None:
        super().__init__(engine)
        self.glossary = glossary

    def translate(self, sentences: Sequence[str], **options: Any) -> list[Hypothesis]:
        hypotheses = self.engine.translate(sentences, **options)
        return [self._correct(s, h) for s, h in zip(sentences, hypotheses, strict=True)]

    def translate_iterable(self, sentences: Iterable[str], **options: Any) -> Iterator[Hypothesis]:
        sources, to_engine = itertools.tee(sentences)
        for source, hypothesis in zip(
            sources, self.engine.translate_iterable(to_engine, **options), strict=True
        ):
            yield self._correct(source, hypothesis)

    def _correct(self, source: str, hypothesis: Hypothesis) -> Hypothesis:
        text = self.glossary.post_correct(source, hypothesis.text)
        return hypothesis if text == hypothesis.text else replace(hypothesis, text=text)

    def signature(self, beam_size: int | None = None) -> dict[str, object]:
        signature = dict(self.engine.signature(beam_size))
        signature["glossary"] = f"{len(self.glossary)} terms, post-correction"
        return signature
