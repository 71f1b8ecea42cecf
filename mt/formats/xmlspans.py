"""Where each element of a well-formed XML text lies, and edits that leave every other byte alone.

lxml rewrites a whole document when it serializes it (quotes, declarations, entity references,
spacing inside tags), so a file given back to a client is edited as text instead: `spans` finds
each element's start tag, content and end tag, in the order `etree.iter()` visits elements, and
`apply` splices replacements into the text. Only documents lxml has already parsed are scanned,
so the scanner can rely on well-formedness.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_NAME = re.compile(r"<([^\s/>]+)")


@dataclass
class Span:
    """One element: `start`..`open_end` is its start tag, `open_end`..`close_start` its content,
    `close_start`..`end` its end tag (empty for `<x/>`: then all three meet at `end`)."""

    start: int
    open_end: int
    close_start: int = -1
    end: int = -1

    @property
    def empty(self) -> bool:
        return self.close_start == self.end


def spans(text: str) -> list[Span]:
    """Every element of `text`, in document order (comments, PIs, CDATA and DOCTYPE skipped)."""
    found: list[Span] = []
    stack: list[Span] = []
    i = 0
    while (j := text.find("<", i)) >= 0:
        if text.startswith("<!--", j):
            i = text.index("-->", j + 4) + 3
        elif text.startswith("<![CDATA[", j):
            i = text.index("]]>", j) + 3
        elif text.startswith("<?", j):
            i = text.index("?>", j + 2) + 2
        elif text.startswith("<!", j):
            i = _declaration_end(text, j)
        elif text.startswith("</", j):
            k = text.index(">", j) + 1
            span = stack.pop()
            span.close_start, span.end = j, k
            i = k
        else:
            k = _tag_end(text, j)
            span = Span(j, k)
            found.append(span)
            if text[k - 2] == "/":
                span.close_start = span.end = k
            else:
                stack.append(span)
            i = k
    return found


def _tag_end(text: str, start: int) -> int:
    """The index after the `>` closing the tag at `start` (quoted values may hold `>`)."""
    quote = ""
    for k in range(start + 1, len(text)):
        c = text[k]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == ">":
            return k + 1
    raise ValueError("unterminated tag")


def _declaration_end(text: str, start: int) -> int:
    """The end of `<!DOCTYPE …>`, with its internal subset in brackets."""
    depth, quote = 0, ""
    for k in range(start + 2, len(text)):
        c = text[k]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == ">" and depth <= 0:
            return k + 1
    raise ValueError("unterminated declaration")


def tag_name(text: str, span: Span) -> str:
    """The element's name as the file writes it, prefix included ("target", "sdl:seg")."""
    match = _NAME.match(text, span.start)
    assert match is not None
    return match.group(1)


def escape_text(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def escape_attr(value: str) -> str:
    return escape_text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _attr_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(\s+)" + re.escape(name) + r"""(\s*=\s*)("[^"]*"|'[^']*')""")


def edit_start_tag(tag: str, changes: Mapping[str, str | None]) -> str:
    """The start tag `tag` with attributes set (a value) or removed (None), names as written
    ("state", "mq:status"); others keep their place, quotes and spacing."""
    for name, value in changes.items():
        pattern = _attr_pattern(name)
        match = pattern.search(tag)
        if value is None:
            if match:
                tag = tag[: match.start()] + tag[match.end() :]
        elif match:
            quote = match.group(3)[0]
            escaped = (
                escape_attr(value) if quote == '"' else escape_attr(value).replace("'", "&apos;")
            )
            tag = tag[: match.start(3)] + quote + escaped + quote + tag[match.end(3) :]
        else:
            close = len(tag) - (2 if tag.endswith("/>") else 1)
            while close > 0 and tag[close - 1].isspace():
                close -= 1
            tag = f'{tag[:close]} {name}="{escape_attr(value)}"{tag[close:]}'
    return tag


@dataclass(frozen=True)
class Edit:
    """Replace `text[start:end]` with `new`."""

    start: int
    end: int
    new: str


def apply(text: str, edits: Iterable[Edit]) -> str:
    """`text` with non-overlapping edits applied (insertions at one point keep their order)."""
    ordered = sorted(enumerate(edits), key=lambda e: (e[1].start, e[1].end, e[0]))
    out: list[str] = []
    cursor = 0
    for _, edit in ordered:
        if edit.start < cursor:
            raise ValueError(f"overlapping edits at {edit.start}")
        out.append(text[cursor : edit.start])
        out.append(edit.new)
        cursor = edit.end
    out.append(text[cursor:])
    return "".join(out)
