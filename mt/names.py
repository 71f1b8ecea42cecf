"""People's names as the desk accepts them: one that shows as what it is.

A new or renamed editor's name is NFKC-normalised (full-width and other compatibility forms
become their plain letters) and refused when it holds a character that does not show or that
turns the text around it: controls (Cc), formats (Cf: zero-width spaces, joiners, soft
hyphens, bidi embeddings, overrides and isolates), line and paragraph separators (Zl, Zp),
private-use, surrogate and unassigned code points, and the other default-ignorable code points
(Hangul fillers, variation selectors, the combining grapheme joiner).

`skeleton` is the confusable skeleton of Unicode TR39 (UTS #39, section 4): two names with the
same skeleton look alike ("аdmin" with a Cyrillic а, "admin" with a Latin a). Its table is
Unicode's confusables.txt as the `confusable_homoglyphs` package ships it; the store refuses a
new name whose skeleton is an existing name's (`mt.store.editors.check_new_name`).
"""

from __future__ import annotations

import functools
import unicodedata

from mt.errors import InvalidValue

__all__ = ["MAX_NAME", "check_name", "skeleton"]

MAX_NAME = 200
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt) outside the categories above.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul choseong / jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # half-width Hangul filler
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
# The package's data file writes right-to-left characters between LEFT-TO-RIGHT MARKs.
_MARKS = str.maketrans("", "", "\u200e\u200f")


def _refused(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) in _REFUSED_CATEGORIES or any(
        low <= code <= high for low, high in _IGNORABLE_RANGES
    )


def check_name(name: str, what: str = "editor name") -> str:
    """`name` NFKC-normalised and stripped; `InvalidValue` (one line, the character named by
    code point, never shown raw) when empty, too long, or holding a character that does not
    show or that changes the direction of the text (see the module docstring)."""
    if not isinstance(name, str):
        raise InvalidValue(f"{what} must be text")
    name = unicodedata.normalize("NFKC", name).strip()
    if not name:
        raise InvalidValue(f"{what} is empty")
    if len(name) > MAX_NAME:
        raise InvalidValue(f"{what} is too long ({len(name)} characters, at most {MAX_NAME})")
    for at, char in enumerate(name, 1):
        if _refused(char):
            label = unicodedata.name(char, "unnamed character")
            raise InvalidValue(
                f"{what} holds an invisible or direction-changing character "
                f"(U+{ord(char):04X} {label}) at character {at}: refused"
            )
    return name


@functools.cache
def _prototypes() -> dict[str, str]:
    """Each confusable character's prototype (TR39's confusables.txt mapping).

    The package keeps the mapping's pairs in both directions, so each prototype with its
    sources is a star: a source has one neighbour, its prototype; a prototype has its sources.
    A neighbour of several characters (or of more than one code point) is the prototype; of a
    lone pair, the smaller one stands for both, which gives the same equality of skeletons.
    """
    from confusable_homoglyphs.confusables import confusables_data  # type: ignore[import-untyped]

    graph: dict[str, set[str]] = {}
    for char, found in confusables_data.items():
        key = char.translate(_MARKS)
        graph.setdefault(key, set()).update(d["c"].translate(_MARKS) for d in found)
    out: dict[str, str] = {}
    for char, near in graph.items():
        if len(char) != 1 or len(near) != 1:
            continue  # a prototype (several sources) maps to itself
        (other,) = near
        if len(other) > 1 or len(graph.get(other, ())) > 1:
            out[char] = other
        else:
            out[char] = min(char, other)
    return out


def skeleton(name: str) -> str:
    """The TR39 confusable skeleton of `name`: NFD, each character its prototype, NFD."""
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", name)
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in decomposed))
