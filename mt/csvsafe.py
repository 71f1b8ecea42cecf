"""The project's one CSV writer: every text cell is made inert for spreadsheets.

Every place that writes CSV or TSV (translations of tables, segment exports, `transdesk report
--format csv`, the web app's report downloads) goes through `write_csv`, so no cell that a
person, a model or an input file supplied can reach Excel, LibreOffice or Google Sheets as a
formula. Following OWASP's CSV-injection advice, a cell that starts with `=`, `+`, `-`, `@`, a
tab or a carriage return gets a leading `'`; plain numbers such as `-5` stay numbers. Leading
spaces do not hide a formula from some spreadsheets, so they are looked through.
`tests/robustness/test_hardening.py` checks that no other module calls `csv.writer`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# OWASP's list of cell openings that spreadsheets evaluate (formulas, DDE).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Full-width forms that some spreadsheets treat like their ASCII originals.
_WIDE_START = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_safe(cell: str) -> str:
    """`cell` made inert for spreadsheets: a leading =, +, -, @, tab or CR gets a "'" before it.

    Plain numbers such as "-5" or "+1.5e3" are left alone: they are values, not formulas.

    Example:
        >>> csv_safe("=HYPERLINK(\\"http://x\\")")
        '\\'=HYPERLINK("http://x")'
    """
    head = cell.lstrip(" ")
    if _NUMBER.fullmatch(cell):
        return cell
    if head.startswith(FORMULA_START) or head.startswith(_WIDE_START):
        return "'" + cell
    return cell


def safe_cell(value: object) -> object:
    """A cell value as written: None → "", text → `csv_safe(text)`, numbers unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_safe(value)
    return value


def write_csv(
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    bom: bool = False,
) -> str:
    """Rows as CSV (or TSV with `delimiter="\\t"`) text, every cell through `safe_cell`.

    Arguments:
        rows: the header first, then the data; a row may be empty (a blank line).
        lineterminator: "\\r\\n" (RFC 4180, the default) or "\\n".
        bom: start with U+FEFF, which Excel needs to read UTF-8.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()
