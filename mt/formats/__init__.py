"""Read files to translate and write their translations: txt, docx, jsonl, csv/tsv, XLIFF, TMX.

`read` turns a file into `TextUnit`s (one paragraph, line, row, field or segment each) and keeps
what `write` needs to rebuild the same file with one translation per unit. Writing to another
format builds a new file from the (source, translation) pairs: a text file of the translations
one per line, a Word file one paragraph each, JSONL/CSV/TSV with "source" and "translation",
an XLIFF 1.2 file of MT drafts or a TMX memory. Every problem with an input is an `InputError`
(`UnsupportedFormat` for an unknown type) with one line naming the file.

Example:
    >>> parsed = read("news.txt")
    >>> write(parsed, [translate(u.text) for u in parsed.units], "news.en.txt")
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from mt.csvsafe import csv_safe
from mt.errors import UnsupportedFormat
from mt.formats.base import (
    ParsedFile,
    TextUnit,
    atomic_write,
    check_size,
    check_targets,
    output_target,
    read_path,
)
from mt.formats.encoding import decode, refuse_binary
from mt.formats.language import check_source
from mt.formats.tmx import read_tmx, write_tmx
from mt.formats.xliff import BilingualUnit, read_xliff, write_xliff
from mt.textsafe import refuse_unstorable

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "BilingualUnit",
    "ParsedFile",
    "TextUnit",
    "csv_safe",
    "decode",
    "detect_format",
    "output_format",
    "output_target",
    "read",
    "read_bytes",
    "read_tmx",
    "read_xliff",
    "write",
    "write_tmx",
    "write_xliff",
]

# File extension → format name. A name without an extension (and "<stdin>") is plain text.
FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".docx": "docx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".xlf": "xliff",
    ".xliff": "xliff",
    ".sdlxliff": "xliff",
    ".tmx": "tmx",
}
FORMAT_NAMES: tuple[str, ...] = ("txt", "docx", "jsonl", "csv", "tsv", "xliff", "tmx")

_MODULES = {
    "txt": "mt.formats.txt",
    "docx": "mt.formats.docx",
    "jsonl": "mt.formats.jsonl",
    "csv": "mt.formats.table",
    "tsv": "mt.formats.table",
    "xliff": "mt.formats.xliff",
    "tmx": "mt.formats.tmx",
}


def detect_format(name: str, explicit: str | None = None) -> str:
    """The format name for file `name`: `explicit` if given (a name or an extension), else
    from the extension ("txt" when there is none).

    Raises:
        UnsupportedFormat: unknown format name or extension.
    """
    if explicit:
        key = explicit.lower().lstrip(".")
        if key in FORMAT_NAMES:
            return key
        if f".{key}" in FORMATS:
            return FORMATS[f".{key}"]
        raise UnsupportedFormat(
            f"{name}: unknown format '{explicit}' (formats: {', '.join(FORMAT_NAMES)})"
        )
    suffix = Path(name).suffix.lower()
    if not suffix:
        return "txt"
    if suffix not in FORMATS:
        raise UnsupportedFormat(
            f"{name}: unsupported file type '{suffix}' (supported: {', '.join(FORMATS)})"
        )
    return FORMATS[suffix]


def read(
    path: Path | str,
    *,
    format: str | None = None,
    field: str | None = None,
    column: str | None = None,
    overwrite: frozenset[str] = frozenset(),
    force_source_language: bool = False,
) -> ParsedFile:
    """Read a file to translate.

    Arguments:
        path: the file; its extension gives the format unless `format` names one.
        format: one of FORMAT_NAMES, or an extension such as "xlf".
        field: the JSONL field holding the text (also accepted for CSV/TSV).
        column: the CSV/TSV column holding the text (also accepted for JSONL).
        overwrite: states whose existing targets (XLIFF, TMX) are translated again
            (`mt.formats.existing`); by default only empty targets are filled.
        force_source_language: translate even when the file declares or holds another
            source language than Korean.

    Raises:
        NotKorean: the source language is not Korean (and not forced).
        InputError: missing, unreadable, empty, binary, undecodable or malformed input.
    """
    name = str(path)
    try:
        detect_format(name, format)  # an unknown type fails before the file is read
    except UnsupportedFormat:
        refuse_binary(_head(path), name)  # "photo.png: binary file (PNG image)" says more
        raise
    return read_bytes(
        read_path(path),
        name,
        format=format,
        field=field,
        column=column,
        overwrite=overwrite,
        force_source_language=force_source_language,
    )


def _head(path: Path | str) -> bytes:
    """The first bytes of a file (enough for `refuse_binary`); b"" when it cannot be read."""
    import stat

    try:
        if not stat.S_ISREG(Path(path).stat().st_mode):
            return b""  # never open a FIFO here: that would wait for a writer
        with open(path, "rb") as f:
            return f.read(64)
    except OSError:
        return b""


def read_bytes(
    data: bytes,
    name: str,
    *,
    format: str | None = None,
    field: str | None = None,
    column: str | None = None,
    overwrite: frozenset[str] = frozenset(),
    force_source_language: bool = False,
) -> ParsedFile:
    """Like `read`, for bytes that are not in a file (stdin as "<stdin>", a web upload)."""
    check_size(data, name)
    try:
        fmt = detect_format(name, format)
    except UnsupportedFormat:
        refuse_binary(data, name)  # "photo.png: binary file (PNG image)" says more
        raise
    module = _module(fmt)
    if fmt in ("csv", "tsv"):
        parsed = module.read(data, name, format=fmt, column=column or field)
    elif fmt == "jsonl":
        parsed = module.read(data, name, field=field or column)
    elif fmt in ("xliff", "tmx"):  # bilingual: existing targets and declared languages
        parsed = module.read(
            data, name, overwrite=overwrite, force_source_language=force_source_language
        )
    else:
        parsed = module.read(data, name)
    if not force_source_language and fmt not in ("xliff", "tmx"):
        check_source(name, [], [unit.text for unit in parsed.units])
    for unit in parsed.units:  # a NUL or lone surrogate could not be stored or written
        refuse_unstorable(unit.text, f"{name}: {unit.where}")
    return parsed


def write(
    parsed: ParsedFile,
    targets: Sequence[str],
    out: Path | str | None,
    *,
    format: str | None = None,
    model_id: str | None = None,
) -> bytes | None:
    """Write the translations of `parsed`'s units, one target per unit, in order.

    Arguments:
        parsed: what `read` returned.
        targets: the translations.
        out: the file to write, atomically (a temporary file in the same folder, then renamed;
            a FIFO or device such as /dev/null is written into, never replaced: see
            `mt.formats.base.atomic_output`); None returns the bytes instead (for stdout or a
            download).
        format: the output format; default: `out`'s extension, else the input's format.
        model_id: the MT model, recorded where the format has a place for it (XLIFF notes).

    Returns:
        The file's bytes when `out` is None, else None.

    Raises:
        UnsupportedFormat: unknown output format or extension.
        TransdeskError: `out` cannot be written, or is a folder, socket or block device.
        ValueError: the number of targets differs from the number of units.
    """
    check_targets(parsed, targets)
    fmt = output_format(parsed, out, format)
    module = _module(fmt)
    if fmt == parsed.format or {fmt, parsed.format} == {"csv", "tsv"}:
        data = module.write(parsed, targets, format=fmt, model_id=model_id)
    else:
        data = module.create(
            [u.text for u in parsed.units],
            targets,
            format=fmt,
            name=Path(parsed.name).name,
            model_id=model_id,
        )
    if out is None:
        return data
    atomic_write(out, data)
    return None


def output_format(parsed: ParsedFile, out: Path | str | None, explicit: str | None = None) -> str:
    """The format `write` will use for `parsed` into `out`; UnsupportedFormat when none fits."""
    if explicit or (out is not None and Path(out).suffix):
        return detect_format(str(out if out is not None else parsed.name), explicit)
    return parsed.format


def _module(fmt: str) -> ModuleType:
    return importlib.import_module(_MODULES[fmt])
