"""House style checks (check ``style``), configured by a TOML file.

The default file, ``mt/qa/style.toml``, ships with the package and documents each rule; a desk
overrides it with `transdesk check --style FILE` or in Settings (stored in the database).
A file may set only some keys; the rest keep the defaults. Rules:

- ``won_dollar``: a won amount from ``min_won`` carries a dollar equivalent in brackets right
  after it, "1.2 trillion won ($870 million)", and that figure is the won amount at
  ``won_per_dollar`` within ``tolerance``.
- ``percent``: "percent" or "%" after a number, as ``write`` says.
- ``dates``: "May 22", not "22 May" or "May 22nd".
- ``headline`` (the headline segment only): no final period, at most ``max_chars`` characters,
  ``case`` "sentence" or "title".
- ``titles``: a title before a name, not after it ("Lee Jae-myung President").
- ``names.north_korean_style``: "hyphen" or "spaced", for suggested North Korean names.

Defaults that fire on correct reference translations stay off: on the 1,997 NTREX-128
reference sentences the enabled defaults give no finding (tests/test_style.py measures it).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mt.errors import InputError
from mt.qa.findings import Finding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Style", "check_style", "default_style_text", "load_style", "parse_style"]


@dataclass(frozen=True)
class Style:
    """A house style: one dict of settings per rule (the TOML tables)."""

    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def enabled(self, rule: str) -> bool:
        return bool(self.rules.get(rule, {}).get("enabled", False))

    def get(self, rule: str, key: str) -> Any:
        return self.rules[rule][key]

    @property
    def north_korean_style(self) -> str:
        return str(self.rules.get("names", {}).get("north_korean_style", "hyphen"))


def default_style_text() -> str:
    """The shipped default style file, as text."""
    return resources.files("mt.qa").joinpath("style.toml").read_text(encoding="utf-8")


_CHOICES = {
    ("percent", "write"): ("percent", "%"),
    ("headline", "case"): ("", "sentence", "title"),
    ("names", "north_korean_style"): ("hyphen", "spaced"),
}


# A style file nests two levels ([rule] key = value); tomllib recurses once per level of
# inline arrays and tables, so a deep one ends in RecursionError: the depth is counted first.
MAX_DEPTH = 32
# TOML strings (multi-line first) and comments: their brackets and dots are text, not nesting.
_TOML_TEXT = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
)
_KEY = re.compile(r"^\s*\[*([^=\]]*)", re.M)


def toml_depth(text: str) -> int:
    """How deep TOML `text` nests, counted on the text before it is parsed: the deepest run of
    open brackets and braces, plus the deepest dotted key or table name (strings and comments
    left out). Malformed text gets some number, and the parser refuses it."""
    bare = _TOML_TEXT.sub("", text)
    level = deepest = 0
    for char in bare:
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    dotted = max((m.group(1).count(".") + 1 for m in _KEY.finditer(bare)), default=0)
    return deepest + dotted


def parse_style(text: str, name: str = "style") -> Style:
    """A `Style` from TOML text laid over the defaults.

    Raises:
        InputError: not TOML, nested deeper than `MAX_DEPTH`, an unknown rule or key, or a
            value of the wrong type or choice.
    """
    defaults = tomllib.loads(default_style_text())
    depth = toml_depth(text)
    if depth > MAX_DEPTH:
        raise InputError(
            f"{name}: not a style file: nested {depth} levels deep (at most {MAX_DEPTH})"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{name}: not a valid TOML style file ({e})") from None
    except RecursionError:  # a nesting the count above missed: refused all the same
        raise InputError(f"{name}: not a style file: nested too deeply") from None
    rules = {rule: dict(values) for rule, values in defaults.items()}
    for rule, values in data.items():
        if rule not in defaults:
            raise InputError(f"{name}: unknown style rule [{rule}] (rules: {', '.join(defaults)})")
        if not isinstance(values, dict):
            raise InputError(f"{name}: [{rule}] must be a table")
        for key, value in values.items():
            if key not in defaults[rule]:
                known = ", ".join(defaults[rule])
                raise InputError(f"{name}: unknown key '{key}' in [{rule}] (keys: {known})")
            expected = type(defaults[rule][key])
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise InputError(
                    f"{name}: [{rule}] {key} must be {expected.__name__}, not {value!r}"
                )
            choices = _CHOICES.get((rule, key))
            if choices and value not in choices:
                allowed = ", ".join(repr(c) for c in choices)
                raise InputError(f"{name}: [{rule}] {key} must be one of {allowed}")
            rules[rule][key] = value
    won = rules["won_dollar"]
    if won["won_per_dollar"] <= 0 or not 0 <= won["tolerance"] < 1:
        raise InputError(f"{name}: [won_dollar] needs won_per_dollar > 0 and 0 ≤ tolerance < 1")
    return Style(rules)


def load_style(path: str | Path | None = None) -> Style:
    """The style of a TOML file, or the default style when `path` is None.

    Raises:
        InputError: the file cannot be read or is not a valid style (see `parse_style`).
    """
    if path is None:
        return parse_style("", "default style")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: style file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read style file ({e})") from None
    return parse_style(text, str(path))


# --- rules ---------------------------------------------------------------------------------------

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
_WON = re.compile(
    _NUM + r"\s*(thousand|million|billion|trillion)?\s*(?:Korean\s+)?won\b(?!['’]s)", re.I
)
_DOLLAR = re.compile(
    r"\s*\(\s*(?:about\s+|around\s+|roughly\s+|some\s+)?(?:US)?\$\s*"
    + _NUM
    + r"\s*(thousand|million|billion|trillion)?\s*\)",
    re.I,
)


def _amount(whole: str, frac: str | None, scale: str | None) -> float:
    value = float(whole.replace(",", "") + ("." + frac if frac else ""))
    return value * _SCALE.get((scale or "").lower(), 1.0)


def _money(value: float) -> str:
    for word, size in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if value >= size:
            return f"${value / size:,.1f} {word}".replace(".0 ", " ")
    return f"${value:,.0f}"


def _won_dollar(target: str, cfg: dict[str, Any]) -> list[Finding]:
    findings = []
    for m in _WON.finditer(target):
        won = _amount(m.group(1), m.group(2), m.group(3))
        if won < cfg["min_won"]:
            continue
        expected = won / cfg["won_per_dollar"]
        dollar = _DOLLAR.match(target, m.end())
        if dollar is None:
            if cfg["require_dollar"]:
                findings.append(
                    Finding(
                        "style",
                        "warning",
                        f"'{m.group(0)}' needs its dollar equivalent, about ({_money(expected)})",
                        m.span(),
                    )
                )
            continue
        given = _amount(dollar.group(1), dollar.group(2), dollar.group(3))
        if abs(given - expected) > cfg["tolerance"] * expected:
            findings.append(
                Finding(
                    "style",
                    "warning",
                    f"'{dollar.group(0).strip()}' does not match '{m.group(0)}' at "
                    f"{cfg['won_per_dollar']:g} won to the dollar (about {_money(expected)})",
                    (
                        dollar.start() + len(dollar.group(0)) - len(dollar.group(0).lstrip()),
                        dollar.end(),
                    ),
                )
            )
    return findings


_PERCENT_SIGN = re.compile(r"(?<=\d)\s?%")
_PERCENT_WORD = re.compile(r"(?<=\d) (?:percent|per cent)\b", re.I)


def _percent(target: str, cfg: dict[str, Any]) -> list[Finding]:
    if cfg["write"] == "percent":
        return [
            Finding("style", "warning", "write 'percent', not '%'", m.span(), " percent")
            for m in _PERCENT_SIGN.finditer(target)
        ]
    return [
        Finding("style", "warning", "write '%', not 'percent'", m.span(), "%")
        for m in _PERCENT_WORD.finditer(target)
    ]


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan\\.|Feb\\.|Aug\\.|Sept\\.|Oct\\.|Nov\\.|Dec\\."
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTHS})(?![\w])")
_ORDINAL = re.compile(rf"\b({_MONTHS}) (\d{{1,2}})(st|nd|rd|th)\b")


def _dates(target: str, cfg: dict[str, Any]) -> list[Finding]:
    findings = [
        Finding(
            "style",
            "warning",
            f"write dates month first: '{m.group(2)} {m.group(1)}'",
            m.span(),
            f"{m.group(2)} {m.group(1)}",
        )
        for m in _DAY_MONTH.finditer(target)
    ]
    findings += [
        Finding(
            "style",
            "warning",
            f"no ordinal in dates: '{m.group(1)} {m.group(2)}'",
            m.span(),
            f"{m.group(1)} {m.group(2)}",
        )
        for m in _ORDINAL.finditer(target)
    ]
    return findings


_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "the", "to",
    "up", "vs", "via", "with", "from", "into", "over", "per",
}  # fmt: skip


def _headline(target: str, cfg: dict[str, Any]) -> list[Finding]:
    findings = []
    text = target.rstrip()
    if not cfg["final_period"] and re.search(r"(?<![.A-Z])\.$", text):
        findings.append(
            Finding("style", "warning", "no final period in a headline", (len(text) - 1, len(text)))
        )
    if len(text) > cfg["max_chars"]:
        findings.append(
            Finding(
                "style",
                "warning",
                f"headline is {len(text)} characters (at most {cfg['max_chars']})",
            )
        )
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    if cfg["case"] == "title":
        lower = [w for w in words[1:] if w[0].islower() and w.lower() not in _SMALL_WORDS]
        if lower:
            findings.append(
                Finding("style", "warning", f"headline in title case: capitalise '{lower[0]}'")
            )
    elif cfg["case"] == "sentence":
        capped = [w for w in words[1:] if w[0].isupper() and w.lower() in _SMALL_WORDS]
        if capped:
            findings.append(
                Finding(
                    "style", "warning", f"headline in sentence case: '{capped[0]}' in lower case"
                )
            )
    return findings


_TITLE_AFTER = re.compile(
    r"\b([A-Z][a-z]+ [A-Z][a-z]+-[a-z]+) (President|Prime Minister|Minister|Chairman|"
    r"Chairwoman|Governor|Mayor|Ambassador|Representative|Lawmaker|CEO)\b(?! of| [A-Z])"
)


def _titles(target: str, cfg: dict[str, Any]) -> list[Finding]:
    return [
        Finding(
            "style",
            "warning",
            f"title after the name: write '{m.group(2)} {m.group(1)}'",
            m.span(),
            f"{m.group(2)} {m.group(1)}",
        )
        for m in _TITLE_AFTER.finditer(target)
    ]


_RULES = {"won_dollar": _won_dollar, "percent": _percent, "dates": _dates, "titles": _titles}


def check_style(target: str, style: Style, *, headline: bool = False) -> list[Finding]:
    """House style findings for one English target (`headline`: it is the headline segment).

    Example:
        >>> style = parse_style("won_dollar.require_dollar = true")
        >>> [f.message for f in check_style("Sales hit 1.2 trillion won.", style)]
        ["'1.2 trillion won' needs its dollar equivalent, about ($869.6 million)"]
    """
    findings: list[Finding] = []
    for rule, fn in _RULES.items():
        if style.enabled(rule):
            findings += fn(target, style.rules[rule])
    if headline and style.enabled("headline"):
        findings += _headline(target, style.rules["headline"])
    return findings
