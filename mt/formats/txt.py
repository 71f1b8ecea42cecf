"""Plain text: one unit per non-blank line, written back line for line with the exact layout.

Layout rules: every line break (CRLF, LF or a lone CR) is kept as it was, blank lines stay
blank, a line's leading and trailing spaces stay around its translation, and the file ends the
way the input ended. A translation's own line breaks become spaces, so line N of the output is
always the translation of line N of the input. Output is UTF-8 without a BOM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mt.formats.base import (
    ParsedFile,
    TextUnit,
    check_targets,
    one_line,
    require_units,
    split_lines,
)
from mt.formats.encoding import decode


@dataclass(frozen=True)
class _Layout:
    lines: list[str]  # each line without its break
    breaks: list[str]  # the break after each line ("" after the last)


def read(data: bytes, name: str) -> ParsedFile:
    """Read a text file; `where` of each unit is "line N"."""
    text, encoding = decode(data, name)
    layout = _Layout(*split_lines(text))
    units = [
        TextUnit(line.strip(), f"line {n}")
        for n, line in enumerate(layout.lines, start=1)
        if line.strip()
    ]
    return ParsedFile(name, "txt", encoding, require_units(name, units), layout)


def write(parsed: ParsedFile, targets: Sequence[str], **_: object) -> bytes:
    """Rebuild the file with each non-blank line replaced by its translation."""
    check_targets(parsed, targets)
    layout = parsed.payload
    assert isinstance(layout, _Layout)
    pending = iter(targets)
    out = []
    for line, brk in zip(layout.lines, layout.breaks, strict=True):
        if line.strip():
            lead = line[: len(line) - len(line.lstrip())]
            trail = line[len(line.rstrip()) :]
            line = lead + one_line(next(pending)) + trail
        out.append(line + brk)
    return "".join(out).encode("utf-8")


def create(sources: Sequence[str], targets: Sequence[str], **_: object) -> bytes:
    """A new text file of the translations, one per line, from another format's units."""
    return "".join(one_line(t) + "\n" for t in targets).encode("utf-8")
