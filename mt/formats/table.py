"""CSV and TSV: a header row, the text to translate in a named column, a "translation" column out.

Rows are numbered as a spreadsheet shows them: the header is row 1, so the first text is
"row 2". Writing keeps every column and row, and fills a "translation" column: the existing one
when the header has it (and it is not the source column), else a new last column. Translations
pass through the project's one CSV writer (`mt.csvsafe`), so a spreadsheet runs no cell as a
formula, whether it came from the input or the model. Quoting is the csv
module's (minimal, RFC 4180); line endings follow the input (CRLF if it used CRLF, else LF).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from mt.csvsafe import write_csv
from mt.errors import InputError
from mt.formats.base import ParsedFile, TextUnit, check_targets, require_units
from mt.formats.encoding import decode

TRANSLATION_COLUMN = "translation"
DELIMITERS = {"csv": ",", "tsv": "\t"}


@dataclass(frozen=True)
class _Table:
    rows: list[list[str]]  # header first; [] for a blank line
    column: int
    newline: str


def read(data: bytes, name: str, *, format: str = "csv", column: str | None = None) -> ParsedFile:
    """Read a CSV or TSV file, taking the text of `column` from every row after the header."""
    text, encoding = decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[format])
    try:
        rows = list(reader)
    except csv.Error as e:
        raise InputError(f"{name}: line {reader.line_num}: {e}") from None
    header = rows[0] if rows else []
    columns = ", ".join(header)
    if column is None:
        raise InputError(f"{name}: no column named for the text to translate (columns: {columns})")
    if column not in header:
        raise InputError(f"{name}: no column '{column}' (columns: {columns})")
    index = header.index(column)
    units = [
        TextUnit(row[index], f"row {n}")
        for n, row in enumerate(rows[1:], start=2)
        if index < len(row) and row[index].strip()
    ]
    require_units(name, units, f"column '{column}' is empty")
    newline = "\r\n" if "\r\n" in text else "\n"
    return ParsedFile(name, format, encoding, units, _Table(rows, index, newline))


def write(
    parsed: ParsedFile, targets: Sequence[str], *, format: str | None = None, **_: object
) -> bytes:
    """Rebuild the table with a "translation" column; `format` may turn CSV into TSV or back."""
    check_targets(parsed, targets)
    table = parsed.payload
    assert isinstance(table, _Table)
    header = table.rows[0]
    if TRANSLATION_COLUMN in header and header.index(TRANSLATION_COLUMN) != table.column:
        out_col = header.index(TRANSLATION_COLUMN)
        rows = [list(header)]
    else:
        out_col = len(header)
        rows = [[*header, TRANSLATION_COLUMN]]
    pending = iter(targets)
    for row in table.rows[1:]:
        if not row:
            rows.append(row)
            continue
        has_text = table.column < len(row) and row[table.column].strip()
        cells = row + [""] * (out_col + 1 - len(row))
        cells[out_col] = next(pending) if has_text else ""
        rows.append(cells)
    return _dump(rows, format or parsed.format, table.newline)


def create(
    sources: Sequence[str], targets: Sequence[str], *, format: str = "csv", **_: object
) -> bytes:
    """A new table with "source" and "translation" columns from another format's units."""
    rows = [["source", TRANSLATION_COLUMN]]
    rows += [[s, t] for s, t in zip(sources, targets, strict=True)]
    return _dump(rows, format, "\n")


def _dump(rows: list[list[str]], format: str, newline: str) -> bytes:
    return write_csv(rows, delimiter=DELIMITERS[format], lineterminator=newline).encode("utf-8")
