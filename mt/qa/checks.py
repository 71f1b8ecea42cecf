"""QA checks on a Korean source and its English translation, and the `CHECKS` registry.

Each check takes ``(source, target, glossary)`` and returns `Finding`s; `check_pair` runs them
all or a chosen few. The checks are tuned to stay quiet on human translations: on the 1,997
NTREX-128 reference pairs fewer than 5% of lines get any finding (tests/test_qa.py measures it).

- ``numbers`` (error): a number, amount, percentage or date of the source with no counterpart
  in the target, or one in the target that the source lacks (see `mt.qa.numbers`).
- ``hangul`` (error): Korean script left in the English.
- ``sentences`` (warning): only clear cases. A sentence looks missing when the source has at
  least two more sentences than the target and the target is short for it (under 1.3 non-space
  characters per Korean one; human references have a median of 2.0), or when the target is very
  short whatever the count (under 0.7); a sentence looks added when the target has at least two
  more sentences, or one more and is very long (over 3.4 per Korean character).
- ``quotes`` and ``brackets`` (warning): unbalanced double quotes, opening single quotes, and
  (), [], {} in the target, reported only where the source is balanced (a quotation running on
  across lines is not the translator's error).
- ``spaces`` (warning): doubled spaces, leading or trailing whitespace in the target.
- ``glossary`` (warning): a glossary term of the source without its required English, or a
  known wrong rendering (see `mt.qa.glossary`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from mt.qa.findings import Finding
from mt.qa.numbers import compare

if TYPE_CHECKING:
    from mt.qa.glossary import Glossary

__all__ = ["CHECKS", "Finding", "check_pair", "count_english_sentences", "count_korean_sentences"]

Check = Callable[[str, str, "Glossary | None"], list[Finding]]


def check_numbers(source: str, target: str, glossary: Glossary | None = None) -> list[Finding]:
    """Numbers, amounts, percentages and dates that disagree between source and target."""
    diff = compare(source, target)
    findings = [
        Finding("numbers", "error", f"{q.describe()} in the source is missing from the target")
        for q in diff.missing
    ]
    findings += [
        Finding(
            "numbers",
            "error",
            f"{q.describe()} in the target is not in the source",
            (q.start, q.end),
        )
        for q in diff.extra
    ]
    return findings


_HANGUL = re.compile(
    r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff]+"
    r"(?:\s+[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+)*"
)


def check_hangul(source: str, target: str, glossary: Glossary | None = None) -> list[Finding]:
    """Korean text left untranslated in the English."""
    return [
        Finding("hangul", "error", f"untranslated Korean: '{m.group(0)}'", m.span())
        for m in _HANGUL.finditer(target)
    ]


@lru_cache(maxsize=1)
def _kiwi():
    # Delayed import: kiwipiepy loads its model (about a second) only when sentences are counted.
    from kiwipiepy import Kiwi

    return Kiwi()


def count_korean_sentences(text: str) -> int:
    """Sentences in Korean `text`, by kiwipiepy's splitter."""
    if not text.strip():
        return 0
    return len(_kiwi().split_into_sents(text))


_EN_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "no", "vs", "jr", "sr", "prof", "rev", "gen", "gov", "sen",
    "rep", "lt", "col", "sgt", "capt", "mt", "ft", "inc", "ltd", "co", "corp", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "etc", "fig",
    "approx", "est", "dept", "univ", "ave", "blvd", "cf", "al",
}  # fmt: skip
_EN_BREAK = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")
_LAST_WORD = re.compile(r"(\S+?)[.!?]$")


def count_english_sentences(text: str) -> int:
    """Sentences in English `text`: a break after . ! ? before a capital, except after an
    abbreviation (Mr., Sen., Oct.), an initial (J.) or a dotted form (U.S., a.m.)."""
    if not text.strip():
        return 0
    count, start = 1, 0
    for m in _EN_BREAK.finditer(text):
        before = text[start : m.start()].rstrip("\"'”’)]")
        word = _LAST_WORD.search(before)
        w = word.group(1) if word else ""
        initial = len(w) == 1 and w.isupper()
        if before.endswith(".") and (w.lower() in _EN_ABBREVIATIONS or initial or "." in w):
            continue
        count += 1
        start = m.end()
    return count


_SHORT_RATIO = 0.7
_MISSING_RATIO = 1.3
_LONG_RATIO = 3.4
_MIN_CHARS = 20


# Latin-script glosses in Korean text, e.g. 카네기 멜론(Carnegie Mellon): not counted as Korean.
_LATIN_GLOSS = re.compile(r"\((?=[^)]*[A-Za-z])[^)가-힣]*\)")


def _chars(text: str) -> int:
    return len(re.sub(r"\s", "", text))


def check_sentences(source: str, target: str, glossary: Glossary | None = None) -> list[Finding]:
    """A sentence clearly missing from, or added to, the target."""
    if not source.strip() and not target.strip():
        return []
    if not target.strip():
        return [Finding("sentences", "warning", "the target is empty")]
    if not source.strip():
        return [Finding("sentences", "warning", "the source is empty but the target is not")]
    n_target = count_english_sentences(target)
    ko_chars = _chars(_LATIN_GLOSS.sub("", source))
    ratio = _chars(target) / ko_chars if ko_chars else 0.0
    if n_target == 1 and (ratio >= _MISSING_RATIO or ko_chars < _MIN_CHARS):
        return []  # nothing can be flagged: spare the Korean sentence splitter
    n_source = count_korean_sentences(source)
    counts = f"source {n_source} sentence(s), target {n_target}"
    if ko_chars >= _MIN_CHARS:
        if ratio < _SHORT_RATIO or (n_source - n_target >= 2 and ratio < _MISSING_RATIO):
            return [
                Finding(
                    "sentences",
                    "warning",
                    f"a sentence may be missing: {counts}, target is short "
                    f"({_chars(target)} characters for {ko_chars} Korean)",
                )
            ]
        if n_target - n_source >= 2 or (n_target > n_source and ratio > _LONG_RATIO):
            return [
                Finding(
                    "sentences",
                    "warning",
                    f"a sentence may be added: {counts}, target is long "
                    f"({_chars(target)} characters for {ko_chars} Korean)",
                )
            ]
    elif n_target - n_source >= 2:
        return [Finding("sentences", "warning", f"a sentence may be added: {counts}")]
    return []


_DOUBLE_QUOTES = '"“”„«»「」『』'
_PAIRS = {
    "(": ")",
    "[": "]",
    "{": "}",
    "（": "）",
    "［": "］",
    "｛": "｝",
    "〔": "〕",
    "【": "】",
    "《": "》",
    "〈": "〉",
}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
# A straight single quote opens a quotation after a space or an opening bracket and before a
# letter; elsewhere it is an apostrophe (don't, players', '90s). A Korean closing quote may be
# followed by a particle (‘멍청이’를).
_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[{“\"—–-]))['‘](?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\s(\[{])['’](?=$|[\s.,;:!?)\]}”\"—–가-힣-])")


def _double_quote_problem(text: str) -> tuple[int, int] | None:
    """Where the double quotes of `text` are unbalanced (the last one), or None."""
    positions = [i for i, ch in enumerate(text) if ch in _DOUBLE_QUOTES]
    if len(positions) % 2:
        return (positions[-1], positions[-1] + 1)
    opens, closes = text.count("“"), text.count("”")
    if opens != closes and '"' not in text:
        i = text.rfind("“" if opens > closes else "”")
        return (i, i + 1)
    return None


def _single_quote_problem(text: str) -> tuple[int, int] | None:
    opens = list(_SINGLE_OPEN.finditer(text))
    closes = list(_SINGLE_CLOSE.finditer(text))
    if len(opens) > len(closes):
        return opens[-1].span()
    return None


def _bracket_problem(text: str) -> tuple[int, int] | None:
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            if not stack or stack[-1][0] != _CLOSERS[ch]:
                return (i, i + 1)
            stack.pop()
    return (stack[-1][1], stack[-1][1] + 1) if stack else None


def check_quotes(source: str, target: str, glossary: Glossary | None = None) -> list[Finding]:
    """Unbalanced quotation marks in the target where the source's are balanced."""
    findings = []
    if _double_quote_problem(source) is None:
        span = _double_quote_problem(target)
        if span:
            findings.append(Finding("quotes", "warning", "unbalanced double quotes", span))
    if _double_quote_problem(source) is None and _single_quote_problem(source) is None:
        span = _single_quote_problem(target)
        if span:
            findings.append(
                Finding("quotes", "warning", "an opening single quote is not closed", span)
            )
    return findings


def check_brackets(source: str, target: str, glossary: Glossary | None = None) -> list[Finding]:
    """Unbalanced brackets in the target where the source's are balanced."""
    if _bracket_problem(source) is not None:
        return []
    span = _bracket_problem(target)
    if span is None:
        return []
    return [Finding("brackets", "warning", f"unbalanced bracket '{target[span[0]]}'", span)]


_DOUBLE_SPACE = re.compile(r"[ \t\u00a0\u3000]{2,}")


def check_spaces(source: str, target: str, glossary: Glossary | None = None) -> list[Finding]:
    """Doubled spaces, and leading or trailing whitespace, in the target."""
    findings = [
        Finding("spaces", "warning", "doubled space", m.span())
        for m in _DOUBLE_SPACE.finditer(target)
        if m.start() > 0 and m.end() < len(target)  # leading/trailing are reported below
    ]
    offset = len(target) - len(target.lstrip())
    if target and target != target.lstrip():
        findings.append(Finding("spaces", "warning", "leading whitespace", (0, offset)))
    if target and target != target.rstrip():
        end = len(target.rstrip())
        findings.append(Finding("spaces", "warning", "trailing whitespace", (end, len(target))))
    return findings


def check_glossary(source: str, target: str, glossary: Glossary | None = None) -> list[Finding]:
    """Glossary terms of the source without their required English in the target."""
    return glossary.violations(source, target) if glossary is not None else []


CHECKS: dict[str, Check] = {
    "numbers": check_numbers,
    "hangul": check_hangul,
    "sentences": check_sentences,
    "quotes": check_quotes,
    "brackets": check_brackets,
    "spaces": check_spaces,
    "glossary": check_glossary,
}


def check_pair(
    source: str,
    target: str,
    *,
    glossary: Glossary | None = None,
    checks: Iterable[str] | None = None,
) -> list[Finding]:
    """Run the QA checks (all, or those named in `checks`) on one source/target pair.

    Example:
        >>> for f in check_pair("매출은 3조 원이다.", "Sales were 3 billion won."):
        ...     print(f.message)
        3조 (= 3,000,000,000,000) in the source is missing from the target
        3 billion (= 3,000,000,000) in the target is not in the source

    Raises:
        ValueError: a name in `checks` is not in `CHECKS`.
    """
    names = list(CHECKS) if checks is None else list(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; choose from {', '.join(CHECKS)}")
    findings: list[Finding] = []
    for name in names:
        findings.extend(CHECKS[name](source, target, glossary))
    return findings
