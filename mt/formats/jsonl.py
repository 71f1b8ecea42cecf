"""JSON Lines: one object a line; the text to translate is in a named field.

Writing adds the key "translation" to each object (after its other keys, which keep their
order), or replaces its value when the object already has one. Objects whose field is empty or
null get "" or null. Blank lines stay blank, so line N of the output matches line N of the
input. A file made from another format holds {"source": ..., "translation": ...} objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mt.errors import InputError
from mt.formats.base import ParsedFile, TextUnit, check_targets, require_units, split_lines
from mt.formats.encoding import decode

TRANSLATION_KEY = "translation"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class _Rows:
    objects: list[dict | None]  # None for a blank line
    field: str


def read(data: bytes, name: str, *, field: str | None = None) -> ParsedFile:
    """Read a JSONL file, taking the text of `field` from every object ("line N")."""
    text, encoding = decode(data, name)
    lines, _ = split_lines(text)
    if lines[-1] == "":  # what follows the final line break is not a line
        lines.pop()
    objects: list[dict | None] = []
    units = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            objects.append(None)
            continue
        obj = _parse_line(line, n, name)
        if field is None:
            raise InputError(
                f"{name}: no field named for the text to translate"
                f" (fields in line {n}: {', '.join(obj) or 'none'})"
            )
        if field not in obj:
            raise InputError(f"{name}: line {n} has no field '{field}'")
        value = obj[field]
        if value is not None and not isinstance(value, str):
            raise InputError(f"{name}: line {n}: field '{field}' is {_json_type(value)}, not text")
        if value and value.strip():
            if _SURROGATE.search(value):
                raise InputError(
                    f"{name}: line {n}: field '{field}' has a lone \\u surrogate escape"
                )
            units.append(TextUnit(value, f"line {n}"))
        objects.append(obj)
    require_units(name, units, f"field '{field}' is empty on every line")
    return ParsedFile(name, "jsonl", encoding, units, _Rows(objects, field or ""))


def write(parsed: ParsedFile, targets: Sequence[str], **_: object) -> bytes:
    """Rebuild the file with a "translation" key in every object."""
    check_targets(parsed, targets)
    rows = parsed.payload
    assert isinstance(rows, _Rows)
    pending = iter(targets)
    out = []
    for obj in rows.objects:
        if obj is None:
            out.append("\n")
            continue
        value = obj[rows.field]
        if value and value.strip():
            translation: str | None = next(pending)
        else:
            translation = None if value is None else ""
        out.append(_dump({**obj, TRANSLATION_KEY: translation}))
    return _encode(out)


def create(sources: Sequence[str], targets: Sequence[str], **_: object) -> bytes:
    """A new JSONL file of {"source", "translation"} objects from another format's units."""
    return _encode(
        _dump({"source": s, TRANSLATION_KEY: t}) for s, t in zip(sources, targets, strict=True)
    )


def _parse_line(line: str, n: int, name: str) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        # Some of json's messages end in "at" already ("Unterminated string starting at").
        raise InputError(
            f"{name}: line {n} is not valid JSON ({e.msg.removesuffix(' at')} at column {e.colno})"
        ) from None
    except (ValueError, RecursionError) as e:
        reason = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise InputError(f"{name}: line {n} is not valid JSON ({reason})") from None
    if not isinstance(obj, dict):
        raise InputError(f"{name}: line {n} is {_json_type(obj)}, not a JSON object")
    return obj


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else "a string"


def _dump(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def _encode(lines: Iterable[str]) -> bytes:
    # A lone surrogate can only come from a \u escape inside a JSON string of the input, where
    # backslashreplace writes that same escape back.
    return "".join(lines).encode("utf-8", errors="backslashreplace")
