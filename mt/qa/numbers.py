"""Numbers, amounts and dates in Korean and English, normalised to comparable `Decimal` values.

Why one module (about 700 lines): the Korean and the English readers produce one `Quantity` with
one rounding rule (the quantum) for `compare`; apart, each half would need the other's private
parsing helpers.

Korean: digits with commas and decimals; the units 십/백/천 and 만/억/조, also mixed and spaced
(``1조2000억``, ``1억 2500만``, ``3천5백만``); ``%``/``퍼센트``/``%p``; months (``5월``); days,
years, ages, counters (``22일``, ``2024년``, ``37세``, ``3번째``) are plain numbers.
English: digits (``12,000``, ``3.5``), scale words (``3 trillion``, ``1.2 billion``, ``£125m``,
``2.8bn``), percent (``%``, ``percent``, ``per cent``, ``percentage points``), ordinals and
decades (``2nd``, ``1930s``), clock times (``7.55am`` is 7 and 55), month names (``May 22``).

Comparison (`compare`) is asymmetric on purpose, because the two languages write numbers
differently: every *strict* quantity of one side (digits, and months) must be matched by some
quantity of the other side read *loosely*, which adds the spelled-out forms (English ``three``,
``a decade``, ``half``, ``twice``; Korean native numerals ``세 명``, ``열 다섯``). So "3개월" →
"three months" passes, and a digit the translator invented is still found.

Two quantities match when a reading of one equals a reading of the other within rounding:
``|a - b| <= max(quantum_a, quantum_b) / 2``, where the quantum is the precision of the written
form (1 for ``832``, 0.1 billion for ``1.2 billion``, 1만 for ``12억3000만``). So "1.2 billion" for
12억3000만 is accepted as a rounding, while "833" for 832 or "billion" for 조 is not. Currency
conversions are not attempted (``1100만 달러`` ↔ ``$11 million`` matches, the currency is not
compared). Percent and percentage points are the same value. A month only matches a month or a
plain number with the same value, so "May" for 6월 is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "NumberDiff",
    "Quantity",
    "compare",
    "extract_english",
    "extract_korean",
    "parse_korean_number",
    "quantities_match",
]


@dataclass(frozen=True)
class Quantity:
    """One number found in a text.

    `value` is the main reading, `alternatives` other plausible readings (``5m`` is 5 million
    or 5 metres; ``오후 3시`` is 3 or 15). `quantum` is the precision of the written form.
    `kind` is ``number``, ``percent`` or ``month``; `start`/`end` are character offsets.
    """

    value: Decimal
    text: str
    start: int
    end: int
    kind: str = "number"
    quantum: Decimal = Decimal(1)
    alternatives: tuple[Decimal, ...] = field(default=())

    @property
    def readings(self) -> list[tuple[Decimal, Decimal]]:
        """(value, quantum) of every reading; an alternative is as precise as it is written."""
        return [(self.value, self.quantum)] + [
            (alt, Decimal(1).scaleb(min(0, int(alt.as_tuple().exponent))))
            for alt in self.alternatives
        ]

    def describe(self) -> str:
        """The quantity as written, with its normalised value when that differs."""
        shown = _format_decimal(self.value)
        if self.kind == "month":
            return f"{self.text} (month {shown})"
        if self.kind == "percent":
            return f"{self.text} ({shown}%)" if self.text.strip() != f"{shown}%" else self.text
        if self.text.strip() == shown:
            return self.text
        return f"{self.text} (= {shown})"


@dataclass(frozen=True)
class NumberDiff:
    """Source quantities with no counterpart in the target, and target ones not in the source."""

    missing: list[Quantity]
    extra: list[Quantity]

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra)


def _format_decimal(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def quantities_match(a: Quantity, b: Quantity) -> bool:
    """True when some reading of `a` equals some reading of `b` within rounding."""
    if {a.kind, b.kind} == {"month", "percent"}:
        return False  # a month matches a month or a plain number (6월 ↔ June, the 6th month)
    return any(abs(x - y) <= max(qx, qy) / 2 for x, qx in a.readings for y, qy in b.readings)


def compare(source: str, target: str) -> NumberDiff:
    """Korean `source` numbers missing from the English `target`, and `target` numbers not in it.

    Example:
        >>> compare("매출이 3조 원을 넘었다.", "Sales topped 3 trillion won.")
        NumberDiff(missing=[], extra=[])
    """
    source_strict = extract_korean(source)
    target_strict = extract_english(target)
    if not source_strict and not target_strict:
        return NumberDiff([], [])
    source_loose = extract_korean(source, loose=True)
    target_loose = extract_english(target, loose=True)
    missing = [q for q in source_strict if not any(quantities_match(q, t) for t in target_loose)]
    extra = [q for q in target_strict if not any(quantities_match(s, q) for s in source_loose)]
    return NumberDiff(_unique(missing), _unique(extra))


def _unique(quantities: list[Quantity]) -> list[Quantity]:
    seen: set[tuple[Decimal, str]] = set()
    kept = []
    for q in quantities:
        key = (q.value, q.kind)
        if key not in seen:
            seen.add(key)
            kept.append(q)
    return kept


# --- shared ---------------------------------------------------------------------------------

# Full-width digits and signs (common in Korean text) read as ASCII; one character for one, so
# offsets into the original text stay right.
_FULLWIDTH = str.maketrans("０１２３４５６７８９％，．：", "0123456789%,.:")

# A digit group: 12,000 / 3.5 / 2018 (a comma group needs exactly three digits after it).
_DIGITS = r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"


def _decimal(int_part: str, frac: str | None) -> tuple[Decimal, Decimal]:
    """The value and the quantum (precision) of a written digit group."""
    text = int_part.replace(",", "")
    if frac:
        return Decimal(f"{text}.{frac}"), Decimal(1).scaleb(-len(frac))
    return Decimal(text), Decimal(1)


def _tidy(value: Decimal) -> Decimal:
    """1200000000.0 as 1200000000: a whole number without a decimal exponent."""
    return value.to_integral_value() if value == value.to_integral_value() else value


def _clock(match: re.Match[str]) -> list[Quantity]:
    """Hour and minute of a clock time as two quantities (minute ``00`` is left out)."""
    hour_group = "h" if match.group("h") else "h2"
    minute_group = "min" if match.group("min") else "min2"
    hour, minute = match.group(hour_group), match.group(minute_group)
    start = match.start(hour_group)
    out = [
        Quantity(
            Decimal(int(hour)),
            hour,
            start,
            start + len(hour),
            alternatives=_hour_alternatives(int(hour)),
        )
    ]
    if int(minute):
        m_start = match.start(minute_group)
        out.append(Quantity(Decimal(int(minute)), minute, m_start, m_start + len(minute)))
    return out


def _hour_alternatives(hour: int) -> tuple[Decimal, ...]:
    if 1 <= hour <= 11:
        return (Decimal(hour + 12),)
    if 13 <= hour <= 23:
        return (Decimal(hour - 12),)
    return ()


# --- Korean ---------------------------------------------------------------------------------

_KO_SMALL = {"십": 10, "백": 100, "천": 1000}
_KO_BIG = {"만": 10**4, "억": 10**8, "조": 10**12}

# One atom: digits, then optionally 십/백/천 and/or 만/억/조 (천만 = 10^7). The lookaheads keep
# the particle 만큼 and words such as 조각 (pieces), 조항 (clause), 조금 (a little) out.
_KO_ATOM = re.compile(_DIGITS + r"(?P<small>[십백천])?(?P<big>만(?!큼)|억|조(?!각|항|문|례|금))?")
_DIGITS_RE = re.compile(_DIGITS)
# 7:55, and 5.30 right after 오전/오후 (a clock time, not a decimal).
_KO_CLOCK = re.compile(
    r"(?<![\d.,])(?P<h>\d{1,2}):(?P<min>\d{2})(?![\d:])"
    r"|(?:(?<=오전)|(?<=오후)|(?<=오전 )|(?<=오후 ))(?P<h2>\d{1,2})\.(?P<min2>\d{2})(?!\d)"
)
_KO_PERCENT = re.compile(r"\s?(?:%\s?p\b|%포인트|%|퍼센트\s?포인트|퍼센트|프로(?![가-힣]))")
_KO_MONTH = re.compile(r"월(?!요일|드|급|세|간|말|초|례|등|가|계|권|스|터)")
_KO_PM = re.compile(r"(?:오후|저녁|밤)\s?$")


@dataclass(frozen=True)
class _Parsed:
    value: Decimal
    quantum: Decimal
    end: int


def _parse_ko_at(text: str, pos: int, *, units: bool = True) -> _Parsed | None:
    """Parse a Korean number expression (``1조 2000억``, ``3천5백만``, ``12,000``) at `pos`.

    With `units` false only the digits are read (제3조 is Article 3, not 3 trillion).
    """
    if not units:
        d = _DIGITS_RE.match(text, pos)
        if d is None:
            return None
        value, q = _decimal(d.group("int"), d.group("frac"))
        return _Parsed(value, q, d.end())
    total = Decimal(0)
    chunk = Decimal(0)
    quantum = Decimal(1)
    end = pos
    # The next atom continues this number only below these bounds: after 1억 comes 2500만
    # (big unit under 억, digits under 만); after 3천 comes 5백 (under 천).
    big_bound: int | None = None
    small_bound = 10**4
    first = True
    while True:
        m = _KO_ATOM.match(text, pos)
        if not m:
            break
        value, q = _decimal(m.group("int"), m.group("frac"))
        small, big = m.group("small"), m.group("big")
        small_unit = _KO_SMALL[small] if small else 1
        big_unit = _KO_BIG[big] if big else None
        if not first and (
            value * small_unit >= small_bound
            or m.group("frac")
            or (big_bound is not None and (big_unit or 1) >= big_bound)
        ):
            break
        value *= small_unit
        q *= small_unit
        chunk += value
        end = m.end()
        if big_unit:
            total += chunk * big_unit
            q *= big_unit
            chunk = Decimal(0)
            big_bound, small_bound = big_unit, 10**4
        elif small:
            small_bound = small_unit
        quantum = q
        first = False
        if not big_unit and not small:
            break
        # An optional single space before the next atom of the same number.
        nxt = end + 1 if text[end : end + 1] == " " else end
        if not (nxt < len(text) and text[nxt].isdigit()):
            break
        pos = nxt
    if first:
        return None
    return _Parsed(_tidy(total + chunk), quantum, end)


def parse_korean_number(text: str) -> Decimal:
    """The value of a whole Korean number expression.

    Example:
        >>> parse_korean_number("1조2000억")
        Decimal('1200000000000')

    Raises:
        ValueError: `text` is not one number expression.
    """
    stripped = text.strip()
    parsed = _parse_ko_at(stripped, 0)
    if parsed is None or parsed.end != len(stripped):
        raise ValueError(f"not a Korean number: {text!r}")
    return parsed.value


# Native numerals, read only loosely (a digit in the English may come from "열 다섯 마리").
_KO_NATIVE_TENS = {
    "열": 10,
    "스물": 20,
    "스무": 20,
    "서른": 30,
    "마흔": 40,
    "쉰": 50,
    "예순": 60,
    "일흔": 70,
    "여든": 80,
    "아흔": 90,
}
_KO_NATIVE_UNITS = {
    "한": 1,
    "하나": 1,
    "두": 2,
    "둘": 2,
    "세": 3,
    "셋": 3,
    "네": 4,
    "넷": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
}
_KO_WORDS: dict[str, int | Decimal] = {
    "첫": 1,
    "첫째": 1,
    "둘째": 2,
    "셋째": 3,
    "넷째": 4,
    "반": Decimal("0.5"),
    "절반": Decimal("0.5"),
    "십": 10,
    "백": 100,
    "천": 1000,
    "만": 10**4,
    "십만": 10**5,
    "백만": 10**6,
    "천만": 10**7,
    "억": 10**8,
    "십억": 10**9,
    "백억": 10**10,
    "천억": 10**11,
    "조": 10**12,
}
_KO_EXTRA_READINGS = {"반": (30, 50), "절반": (50,)}
_KO_COUNTERS = (
    "명|개|번|가지|마리|살|시간|달|해|배|차례|째|권|대|잔|곳|군데|척|채|벌|켤레|장|쌍|층"
    "|줄|분|시|주|날|년|세기|종|건|발|점|골|경기|명의|라운드|개월|주일|일|초|회|위|등|인"
)
_KO_NATIVE = re.compile(
    r"(?<![가-힣])(?:(?P<tens>" + "|".join(_KO_NATIVE_TENS) + r")\s?)?"
    r"(?P<units>" + "|".join(sorted(_KO_NATIVE_UNITS, key=len, reverse=True)) + r")?"
    r"(?=\s|[^가-힣]|$|(?:" + _KO_COUNTERS + r"))"
)
_KO_WORD = re.compile(
    r"(?<![가-힣])(?P<w>" + "|".join(sorted(_KO_WORDS, key=len, reverse=True)) + r")"
    r"(?=\s|[^가-힣]|$|(?:" + _KO_COUNTERS + r"))"
)


def extract_korean(text: str, *, loose: bool = False) -> list[Quantity]:
    """Numbers in Korean `text`; `loose` adds native numerals and number words (세 명, 절반).

    Example:
        >>> [str(q.value) for q in extract_korean("1만2000명이 5월 22일에 모였다")]
        ['12000', '5', '22']
    """
    text = text.translate(_FULLWIDTH)
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _KO_CLOCK.finditer(text):
        out.extend(_clock(m))
        taken.append(m.span())
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if not ch.isdigit() or (
            pos
            and (
                text[pos - 1].isdigit()
                or (text[pos - 1] in ".," and pos > 1 and text[pos - 2].isdigit())
            )
        ):
            pos += 1
            continue
        if any(s <= pos < e for s, e in taken):
            pos += 1
            continue
        parsed = _parse_ko_at(text, pos, units=text[pos - 1 : pos] != "제")
        if parsed is None:
            pos += 1
            continue
        start, end = pos, parsed.end
        kind = "number"
        alternatives: tuple[Decimal, ...] = ()
        tail = text[end : end + 12]
        pm = _KO_PERCENT.match(tail)
        if pm:
            kind = "percent"
            end += pm.end()
        elif (
            _KO_MONTH.match(tail)
            and parsed.value == parsed.value.to_integral_value()
            and 1 <= parsed.value <= 12
            and parsed.quantum == 1
        ):
            kind = "month"
            end += 1
        elif tail.startswith("시") and parsed.value < 24 and _KO_PM.search(text[:start]):
            alternatives = _hour_alternatives(int(parsed.value))
        out.append(
            Quantity(parsed.value, text[start:end], start, end, kind, parsed.quantum, alternatives)
        )
        pos = parsed.end
    if loose:
        out.extend(_korean_words(text))
    out.sort(key=lambda q: q.start)
    return out


def _korean_words(text: str) -> list[Quantity]:
    out = []
    for m in _KO_NATIVE.finditer(text):
        tens, units = m.group("tens"), m.group("units")
        if not tens and not units:
            continue
        value = (_KO_NATIVE_TENS[tens] if tens else 0) + (_KO_NATIVE_UNITS[units] if units else 0)
        out.append(Quantity(Decimal(value), m.group(0), m.start(), m.end()))
    for m in _KO_WORD.finditer(text):
        word = m.group("w")
        out.append(
            Quantity(
                Decimal(_KO_WORDS[word]),
                word,
                m.start(),
                m.end(),
                alternatives=tuple(Decimal(x) for x in _KO_EXTRA_READINGS.get(word, ())),
            )
        )
    return out


# --- English --------------------------------------------------------------------------------

_EN_SCALES = {
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "bn": 10**9,
    "mn": 10**6,
    "mln": 10**6,
    "tn": 10**12,
    "trn": 10**12,
    "bln": 10**9,
}
_EN_CURRENCY = "£$€¥₩"
_EN_CLOCK = re.compile(
    r"(?<![\d.,])(?:(?P<h>\d{1,2}):(?P<min>\d{2})(?!\d)(?:\s?[ap]\.?\s?m\b\.?)?"
    r"|(?P<h2>\d{1,2})\.(?P<min2>\d{2})\s?[ap]\.?\s?m\b\.?)",
    re.IGNORECASE,
)
_EN_NUMBER = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<cur>["
    + _EN_CURRENCY
    + r"]\s?)?"
    + _DIGITS
    + r"(?:(?P<sep>[\s-]?)(?P<scale>hundred|thousand|million|billion|trillion|bn|mn|mln|tn|trn|bln"
    r"|m|k)(?![a-z]))?"
    r"(?P<suffix>(?:st|nd|rd|th|s)(?![a-z]))?(?!\d)"
    r"(?P<pct>\s?(?:%|per\s?cent(?:age)?(?:\s+points?)?|percentage\s+points?|pct))?",
    re.IGNORECASE,
)
_EN_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_EN_MONTH = re.compile(
    r"\b(?P<m>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.)(?![\w-])"
)
# "May" is a month only in a date context; otherwise it is the modal verb.
_EN_MAY_BEFORE = re.compile(
    r"(?:\b(?:in|of|since|until|till|by|early|late|mid|last|next|this|from|through|between|"
    r"and|to|on|during|before|after|end|start|beginning)\s+|\d(?:st|nd|rd|th)?\s+|mid-)$",
    re.IGNORECASE,
)
_EN_MAY_AFTER = re.compile(r"^\s*(?:\d|of\b|this\b|last\b|next\b)")

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}


def _ordinal(word: str) -> str:
    irregular = {
        "one": "first",
        "two": "second",
        "three": "third",
        "five": "fifth",
        "eight": "eighth",
        "nine": "ninth",
        "twelve": "twelfth",
    }
    if word in irregular:
        return irregular[word]
    return word[:-1] + "ieth" if word.endswith("y") else word + "th"


_EN_ORDINALS = {_ordinal(w): v for w, v in {**_EN_UNITS, **_EN_TENS}.items() if v}
_EN_ORDINALS.update({"hundredth": 100, "thousandth": 1000, "millionth": 10**6})
# Words that multiply what precedes them ("two decades" = 20, "a dozen" = 12).
_EN_MULTIPLIERS = {
    "hundred": 100,
    "thousand": 1000,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "dozen": 12,
    "dozens": 12,
    "decade": 10,
    "decades": 10,
    "century": 100,
    "centuries": 100,
    "hundreds": 100,
    "thousands": 1000,
    "millions": 10**6,
    "billions": 10**9,
}
_EN_OTHER: dict[str, int | Decimal] = {
    "a": 1,
    "an": 1,
    "half": Decimal("0.5"),
    "quarter": Decimal("0.25"),
    "twice": 2,
    "double": 2,
    "doubled": 2,
    "doubling": 2,
    "doubles": 2,
    "triple": 3,
    "tripled": 3,
    "quadrupled": 4,
    "once": 1,
    "single": 1,
    "pair": 2,
    "couple": 2,
    "both": 2,
    "twin": 2,
    "twins": 2,
    "duo": 2,
    "trio": 3,
    "quartet": 4,
    "biennial": 2,
    "fortnight": 14,
    "teen": 10,
    "teens": 10,
    "teenage": 10,
    "teenager": 10,
    "teenagers": 10,
    "noon": 12,
    "midnight": 12,
    "sixpence": 6,
}
# Other readings of a word: half an hour is 30 minutes, half the people 50 percent.
_EN_EXTRA_READINGS = {"half": (30, 50), "quarter": (15, 25)}
_EN_WORDS = sorted(
    [*_EN_UNITS, *_EN_TENS, *_EN_ORDINALS, *_EN_OTHER, *_EN_MULTIPLIERS], key=len, reverse=True
)
_EN_WORD_RE = re.compile(
    r"\b(?:"
    + "|".join(_EN_WORDS)
    + r")\b(?:[\s-]+(?:and\s+)?(?:"
    + "|".join(w for w in _EN_WORDS if w not in ("a", "an"))
    + r")\b)*",
    re.IGNORECASE,
)
# Roman numerals of two or more letters (Louis XIV, World War II); "I" and "V" are too ambiguous.
_ROMAN_RE = re.compile(r"\b(?=[IVXLC]{2,}\b)(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})\b")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_value(text: str) -> int:
    total = 0
    for ch, nxt in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN[ch]
        total += -value if nxt and _ROMAN[nxt] > value else value
    return total


def _english_words(text: str) -> list[Quantity]:
    out = []
    for m in _EN_WORD_RE.finditer(text):
        words = re.split(r"[\s-]+(?:and\s+)?", m.group(0).lower())
        value = _words_value(words)
        if value is not None:
            out.append(Quantity(value, m.group(0), m.start(), m.end()))
        # Each word alone too: "two thirds" gives 2 and 3.
        for w in words:
            single = _words_value([w])
            if single is not None and single != value:
                out.append(Quantity(single, w, m.start(), m.end()))
            for extra in _EN_EXTRA_READINGS.get(w, ()):
                out.append(Quantity(Decimal(extra), w, m.start(), m.end()))
    for m in _ROMAN_RE.finditer(text):
        out.append(Quantity(Decimal(_roman_value(m.group(0))), m.group(0), m.start(), m.end()))
    return out


def _words_value(words: list[str]) -> Decimal | None:
    if len(words) > 1 and words[0] in ("a", "an") and words[1] not in _EN_MULTIPLIERS:
        words = words[1:]  # an article ("a third"), not "one" as in "a hundred"
    total = Decimal(0)
    current = Decimal(0)
    for w in words:
        if w in _EN_UNITS:
            current += _EN_UNITS[w]
        elif w in _EN_TENS:
            current += _EN_TENS[w]
        elif w in _EN_ORDINALS:
            current += _EN_ORDINALS[w]
        elif w in _EN_MULTIPLIERS:
            scale = _EN_MULTIPLIERS[w]
            current = (current or Decimal(1)) * scale
            if scale >= 1000:
                total += current
                current = Decimal(0)
        elif w in _EN_OTHER:
            current += Decimal(_EN_OTHER[w])
        else:
            return None
    return total + current if words else None


def extract_english(text: str, *, loose: bool = False) -> list[Quantity]:
    """Numbers in English `text`; `loose` adds spelled-out numbers (``three``, ``a decade``).

    Example:
        >>> [str(q.value) for q in extract_english("On May 22, 1.2 billion won and 12,000 people")]
        ['5', '22', '1200000000', '12000']
    """
    text = text.translate(_FULLWIDTH)
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _EN_CLOCK.finditer(text):
        out.extend(_clock(m))
        taken.append(m.span())
    for m in _EN_NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        out.append(_english_number(m))
    for m in _EN_MONTH.finditer(text):
        name = m.group("m")
        if name == "May" and not (
            _EN_MAY_BEFORE.search(text[: m.start()]) or _EN_MAY_AFTER.match(text[m.end() :])
        ):
            continue
        value = _EN_MONTHS[name.rstrip(".").lower()]
        out.append(Quantity(Decimal(value), name, m.start(), m.end(), kind="month"))
    if loose:
        out.extend(_english_words(text))
    out.sort(key=lambda q: q.start)
    return out


def _english_number(m: re.Match[str]) -> Quantity:
    value, quantum = _decimal(m.group("int"), m.group("frac"))
    alternatives: tuple[Decimal, ...] = ()
    scale_word = (m.group("scale") or "").lower()
    if scale_word in ("m", "k"):
        factor = Decimal(10**6 if scale_word == "m" else 1000)
        if m.group("cur") and not m.group("sep"):
            value, quantum = value * factor, quantum * factor
        else:  # 5m may be 5 million or 5 metres, 5k 5,000 or 5 km: keep both readings.
            alternatives = (value,)
            value, quantum = value * factor, quantum * factor
    elif scale_word:
        factor = Decimal(_EN_SCALES[scale_word])
        value, quantum = value * factor, quantum * factor
    kind = "percent" if m.group("pct") else "number"
    return Quantity(
        _tidy(value), m.group(0).strip(), m.start(), m.end(), kind, quantum, alternatives
    )
