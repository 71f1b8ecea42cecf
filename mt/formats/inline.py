"""Inline codes as parts of a segment: parsed out of the MT input, projected back into the target.

A CAT tool's segment is text with inline codes in it: XLIFF 1.2 `<g>`, `<x/>`, `<bx/>`, `<ex/>`,
`<bpt>`, `<ept>`, `<ph>`, `<it>`, `<mrk>`; XLIFF 2 `<pc>`, `<ph/>`, `<sc/>`, `<ec/>`, `<sm/>`,
`<em/>`, `<mrk>`. `parse` turns a source element into an `Inline`: the plain text the engine
translates (no markup at all, so no engine can drop or garble a code) and the codes with their
offsets in that text. `project` puts every code back into the translation, as Okapi's and
MateCat's tag projection do, and `build` writes the result into a target element:

- Codes stay in source order, so nested and paired codes (`<g>…</g>`, `<bpt>`/`<ept>`,
  `<sc/>`/`<ec/>`, `<sm/>`/`<em/>`) stay paired and nested. No code is ever dropped, so every
  `canDelete="no"` code is kept.
- A wrapping code whose text the engine copies (a name in Latin letters, a number) wraps that
  text in the target; otherwise a code lands at the same relative place, snapped to a word
  boundary: opening codes before a word, closing codes after one (before its punctuation).
- Codes with no text between them in the source stay together (`</g><g>`), so no text falls
  between them.
- A code that stands for a space or a line break (`ctype="lb"`, `subType="xlf:lb"`, a `<ph>` of
  `<br/>` or whitespace, a Word tab or break) is a space in the MT input, so words on its two
  sides are not glued; in the target it takes the place of a space between two words.
- Protected content (1.2 `<mrk mtype="protected">`, any `translate="no"` element, XLIFF 2
  `<sm translate="no"/>…<em/>` in one element) is one code: copied as it is, never sent to MT.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeAlias

from lxml import etree

from mt.formats.xmlsafe import local_name, xml_text

# Elements whose content is translatable text around which the code wraps.
WRAPPERS = frozenset({"g", "pc", "mrk"})
_BREAK_TYPES = frozenset({"lb", "x-lb", "x-br", "x-linebreak", "xlf:lb", "x-newline", "x-tab"})
_BREAK_CONTENT = re.compile(r"\s*(?:<br\s*/?>|\\n|\\r\\n|\\t|&#10;|&#xa;|\s)\s*", re.IGNORECASE)
_CLOSE_PUNCT = ".,;:!?)]}\"'”’…"
_ANCHORABLE = re.compile(r"[A-Za-z0-9]")
_LATIN_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,'&-]*[A-Za-z0-9]|[A-Za-z0-9]")
_SENTENCE_END = re.compile(r"[.?!。？！][\"'”’)\]]*(?=\s|$)")
_BEGINS = frozenset({"bpt", "bx", "sc", "sm"})
_ENDS = frozenset({"ept", "ex", "ec", "em"})

Fragment: TypeAlias = "etree._Element | str"


@dataclass
class Code:
    """One inline code: `kind` is "open", "close" or "standalone".

    An open code holds its element, a standalone one the fragment to copy (elements, and text
    for a protected region); `pair` of a close is its open's index. Codes parsed from a file
    refer to the file's own elements (`borrowed`): they are copied only when a target is built
    (an open code without its content, each fragment element without its tail but the text
    between a protected region's markers), so reading a file costs no copy of its markup.
    """

    kind: str
    element: etree._Element | None = None
    fragment: list[Fragment] = field(default_factory=list)
    borrowed: bool = False
    pair: int | None = None
    space: bool = False  # stands for a space or line break
    added_space: bool = False  # the MT input has a space in its place
    closing: bool = False  # ends a paired range (`</g>`, `<ept>`, `<ex/>`, `<ec/>`, `<em/>`)
    verbatim: str = ""  # a protected region's text, which the engine may have copied


@dataclass
class Inline:
    """A segment's MT input text and its codes, as (offset into `text`, code), in order."""

    text: str
    codes: list[tuple[int, Code]] = field(default_factory=list)

    @property
    def has_codes(self) -> bool:
        return bool(self.codes)


def is_space_code(element: etree._Element) -> bool:
    """Whether an inline code stands for a space or line break (XLIFF 1.2 or 2)."""
    for attr in ("ctype", "subType", "type"):
        if (element.get(attr) or "").lower() in _BREAK_TYPES:
            return True
    for attr in ("equiv-text", "equiv", "disp", "equivStart"):
        value = element.get(attr)
        if value and _BREAK_CONTENT.fullmatch(value):
            return True
    content = "".join(element.itertext())
    return bool(content) and bool(_BREAK_CONTENT.fullmatch(content))


def protected(element: etree._Element) -> bool:
    """Whether an element's content must be left as it is (not translated)."""
    return element.get("translate") == "no" or element.get("mtype") == "protected"


class _Builder:
    """Collects text and codes while walking a source element."""

    def __init__(self, *, keep_codes: bool = True) -> None:
        self.keep_codes = keep_codes
        self.parts: list[str] = []
        self.codes: list[tuple[int, Code]] = []
        self.length = 0
        self.begins: dict[str | None, int] = {}

    def text(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.length += len(text)

    def code(self, code: Code, *, space_follows: bool = False) -> int:
        at = self.length
        if code.space and not space_follows and not self._ends_with_space():
            code.added_space = True
            self.text(" ")
        if self.keep_codes:
            self.codes.append((at, code))
        return len(self.codes) - 1

    def _ends_with_space(self) -> bool:
        return bool(self.parts) and self.parts[-1][-1:].isspace()

    def result(self) -> Inline:
        return Inline("".join(self.parts), self.codes)


def parse(
    element: etree._Element,
    *,
    char: Callable[[etree._Element], str] | None = None,
    wrappers: frozenset[str] = WRAPPERS,
) -> Inline:
    """The MT input text and inline codes of an XLIFF `<source>` (or segment `<mrk>`).

    Arguments:
        element: the container; its own tag and tail are not part of the segment.
        char: turns XLIFF 2 `<cp/>` into its character (default: drop it).
        wrappers: elements whose content is translatable (TMX: `<hi>`).
    """
    builder = _Builder()
    _walk(element, builder, char, wrappers)
    return builder.result()


def parse_text(
    element: etree._Element,
    *,
    char: Callable[[etree._Element], str] | None = None,
    wrappers: frozenset[str] = WRAPPERS,
) -> str:
    """`parse(...).text` without keeping the codes: what reading a file needs, at the memory
    cost of the text alone (a code keeps its element alive)."""
    builder = _Builder(keep_codes=False)
    _walk(element, builder, char, wrappers)
    return "".join(builder.parts)


def _walk(element: etree._Element, out: _Builder, char, wrappers: frozenset[str]) -> None:
    out.text(element.text or "")
    kids = list(element)
    i = 0
    while i < len(kids):
        kid = kids[i]
        name = local_name(kid)
        if not name:  # a comment or processing instruction: kept as a code
            out.code(Code("standalone", fragment=[kid], borrowed=True))
        elif name == "cp":
            out.text(char(kid) if char else "")
        elif name == "sm" and kid.get("translate") == "no" and (end := _end_marker(kids, i)):
            # the text between the markers travels as the tails of the copies
            out.code(Code("standalone", fragment=kids[i : end + 1], borrowed=True))
            i = end
        elif name in wrappers and not protected(kid) and kid.get("mtype") != "seg":
            opened = out.code(Code("open", element=kid, borrowed=True))
            _walk(kid, out, char, wrappers)
            out.code(Code("close", pair=opened))
        else:
            code = Code("standalone", fragment=[kid], space=is_space_code(kid), borrowed=True)
            if protected(kid):
                code.verbatim = "".join(kid.itertext()).strip()
            out.code(code, space_follows=(kid.tail or "")[:1].isspace())
            _pair_markers(out, kid, code)
        out.text(kids[i].tail or "")
        i += 1


def _pair_markers(out: _Builder, element: etree._Element, code: Code) -> None:
    """Mark an end marker (`<ept>`, `<ex/>`, `<ec/>`, `<em/>`) and pair it with its begin."""
    name = local_name(element)
    position = element.get("pos")
    if name in _BEGINS or (name == "it" and position == "open"):
        key = element.get("rid") or element.get("id")
        out.begins[key] = len(out.codes) - 1
    elif name in _ENDS or (name == "it" and position == "close"):
        code.closing = True
        key = element.get("startRef") or element.get("rid") or element.get("id")
        code.pair = out.begins.pop(key, None)


def _end_marker(kids: Sequence[etree._Element], start: int) -> int | None:
    """Index of the `<em startRef=…/>` closing the `<sm/>` at `start` among the same siblings."""
    ident = kids[start].get("id")
    for j in range(start + 1, len(kids)):
        if local_name(kids[j]) == "em" and kids[j].get("startRef") == ident:
            return j
    return None


def _emptied(element: etree._Element) -> etree._Element:
    """A copy of `element` without content (its namespaces kept as declared, even odd ones)."""
    shell = copy.copy(element)
    for inner in list(shell):
        shell.remove(inner)
    shell.text = shell.tail = None
    return shell


def _detached(element: etree._Element, *, keep_tail: bool = False) -> etree._Element:
    twin = copy.deepcopy(element)
    if not keep_tail:
        twin.tail = None
    return twin


# ---- projection -----------------------------------------------------------------------------


def project(inline: Inline, target: str) -> list[str | Code]:
    """The target as text pieces and every code of `inline`, in source order."""
    if not inline.codes:
        return [target] if target else []
    source = inline.text
    clusters = _clusters(inline)
    target, pinned = _pin_protected(inline, clusters, target)
    positions = _monotonic({**_anchors(inline, clusters, target), **pinned})
    consumed: set[int] = set()
    last = 0
    placed: list[int] = []
    for c, (offset, members) in enumerate(clusters):
        if positions.get(c) is not None:
            pos = positions[c]
        else:
            pos = _snap(source, offset, target, [inline.codes[m][1] for m in members])
        pos = min(max(pos, last), len(target))
        if any(inline.codes[m][1].added_space for m in members):
            if pos < len(target) and target[pos].isspace() and pos not in consumed:
                consumed.add(pos)
            elif pos > last and target[pos - 1].isspace() and pos - 1 not in consumed:
                pos -= 1
                consumed.add(pos)
        placed.append(pos)
        last = pos
    events: list[str | Code] = []
    cursor = 0
    for (_, members), pos in zip(clusters, placed, strict=True):
        events.append(_text_between(target, cursor, pos, consumed))
        events.extend(inline.codes[m][1] for m in members)
        cursor = pos + (1 if pos in consumed else 0)
    events.append(_text_between(target, cursor, len(target), consumed))
    return [e for e in events if not isinstance(e, str) or e]


def _text_between(text: str, start: int, end: int, consumed: set[int]) -> str:
    return "".join(ch for i, ch in enumerate(text[start:end], start) if i not in consumed)


def _clusters(inline: Inline) -> list[tuple[int, list[int]]]:
    """Codes grouped by source offset: codes with no text between them travel together."""
    clusters: list[tuple[int, list[int]]] = []
    for index, (offset, _code) in enumerate(inline.codes):
        if clusters and clusters[-1][0] == offset:
            clusters[-1][1].append(index)
        else:
            clusters.append((offset, [index]))
    return clusters


def _anchors(inline: Inline, clusters, target: str) -> dict[int, int]:
    """Cluster positions fixed by wrapped text the engine copied verbatim (names, numbers)."""
    cluster_of = {m: c for c, (_, members) in enumerate(clusters) for m in members}
    fixed: dict[int, int] = {}
    floor = 0
    for index, (offset, code) in enumerate(inline.codes):
        if code.pair is None or not (code.kind == "close" or code.closing):
            continue
        span = _copied_span(inline.text[inline.codes[code.pair][0] : offset], target)
        open_cluster, close_cluster = cluster_of[code.pair], cluster_of[index]
        if span is None or span[0] < floor or open_cluster in fixed or close_cluster in fixed:
            continue
        fixed[open_cluster], fixed[close_cluster] = span
        floor = span[1]
    return fixed


def _monotonic(fixed: dict[int, int]) -> dict[int, int]:
    """Anchors in cluster order; one out of order with another would break nesting."""
    ordered: dict[int, int] = {}
    last = -1
    for c in sorted(fixed):
        if fixed[c] >= last:
            ordered[c] = last = fixed[c]
    return ordered


def _pin_protected(inline: Inline, clusters, target: str) -> tuple[str, dict[int, int]]:
    """A protected region whose text the engine copied replaces that copy in the target."""
    cluster_of = {m: c for c, (_, members) in enumerate(clusters) for m in members}
    pinned: dict[int, int] = {}
    for index, (_offset, code) in enumerate(inline.codes):
        text = code.verbatim
        if not text or _count_word(target, text) != 1:
            continue
        at = _find_word(target, text)
        end = at + len(text)
        target = target[:at] + target[end:]
        pinned = {c: (p - (end - at) if p > at else p) for c, p in pinned.items()}
        pinned[cluster_of[index]] = at
    return target, pinned


def _copied_span(inner: str, target: str) -> tuple[int, int] | None:
    """Where the target holds the Latin words and numbers of `inner` (each found once)."""
    inner = inner.strip()
    if not inner or not _ANCHORABLE.search(inner):
        return None
    if target.count(inner) == 1:
        at = target.find(inner)
        return at, at + len(inner)
    tokens = _LATIN_TOKEN.findall(inner)
    if not tokens or any(_count_word(target, t) != 1 for t in (tokens[0], tokens[-1])):
        return None
    start = _find_word(target, tokens[0])
    end = _find_word(target, tokens[-1]) + len(tokens[-1])
    return (start, end) if start < end else None


def _word(token: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])")


def _count_word(text: str, token: str) -> int:
    return len(_word(token).findall(text))


def _find_word(text: str, token: str) -> int:
    match = _word(token).search(text)
    return match.start() if match else -1


def _guess(source: str, offset: int, target: str) -> int:
    """`offset` mapped into the target, piecewise between matching sentence ends."""
    src_ends = [m.end() for m in _SENTENCE_END.finditer(source.rstrip())]
    tgt_ends = [m.end() for m in _SENTENCE_END.finditer(target.rstrip())]
    points = [(0, 0)]
    if len(src_ends) == len(tgt_ends):
        points += list(zip(src_ends, tgt_ends, strict=True))
    points.append((len(source), len(target)))
    for (s0, t0), (s1, t1) in pairwise(points):
        if s0 <= offset <= s1:
            if not source[s0:offset].strip():  # right after a sentence end
                return t0
            if not source[offset:s1].strip():
                return t1
            return t0 + round((offset - s0) / max(s1 - s0, 1) * (t1 - t0))
    return round(offset / len(source) * len(target))


def _snap(source: str, offset: int, target: str, codes: list[Code]) -> int:
    """Where a cluster at `offset` in the source goes in the target."""
    if offset <= 0 or not source.strip():
        return 0
    if offset >= len(source.rstrip()):
        return len(target.rstrip()) if offset < len(source) else len(target)
    guess = _guess(source, offset, target)
    if any(c.added_space for c in codes):
        candidates = [i for i, ch in enumerate(target) if ch.isspace()]
    elif all(c.kind == "close" or c.closing for c in codes):
        candidates = _word_ends(target)
    else:
        candidates = _word_starts(target)
    if not candidates:
        return guess
    return min(candidates, key=lambda i: (abs(i - guess), i))


def _word_starts(text: str) -> list[int]:
    return [i for i in range(len(text) + 1) if (i == 0 or text[i - 1].isspace())]


def _word_ends(text: str) -> list[int]:
    ends = []
    for i in range(1, len(text) + 1):
        if text[i - 1].isspace():
            continue
        if i == len(text) or text[i].isspace():
            j = i
            while j > 1 and text[j - 1] in _CLOSE_PUNCT and not text[j - 2].isspace():
                j -= 1
            ends.append(j)
    return ends


# ---- writing --------------------------------------------------------------------------------


def build(container: etree._Element, events: Sequence[str | Code]) -> None:
    """Replace the content of `container` (a target) with projected text and codes."""
    for inner in list(container):
        container.remove(inner)
    container.text = None
    stack: list[list] = [[container, None]]  # element, its last child so far

    def add_text(text: str) -> None:
        parent, last = stack[-1]
        if last is None:
            parent.text = (parent.text or "") + xml_text(text)
        else:
            last.tail = (last.tail or "") + xml_text(text)

    def add_element(element: etree._Element) -> None:
        tail, element.tail = element.tail, None
        stack[-1][0].append(element)
        stack[-1][1] = element
        if tail:
            add_text(tail)

    for event in events:
        if isinstance(event, str):
            add_text(event)
        elif event.kind == "open":
            assert event.element is not None
            element = _emptied(event.element) if event.borrowed else copy.deepcopy(event.element)
            add_element(element)
            stack.append([element, None])
        elif event.kind == "close":
            if len(stack) > 1:
                stack.pop()
        else:
            last = len(event.fragment) - 1
            for k, piece in enumerate(event.fragment):
                if isinstance(piece, str):
                    add_text(piece)
                elif event.borrowed:
                    add_element(_detached(piece, keep_tail=k < last))
                else:
                    add_element(copy.deepcopy(piece))


def fill(container: etree._Element, inline: Inline, target: str) -> None:
    """Write `target` into `container` with `inline`'s codes projected into it."""
    build(container, project(inline, target))
