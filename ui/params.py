"""Query parameters from the address, validated: every page reads them through here.

An address is typed, pasted or forged by anyone, so a value may be huge (past any database
integer), negative, not a number, given twice, or megabytes long. `int_param` answers a whole
number in its range or None; a bad value is shown as one line (cut short, never as Markdown)
unless the caller reads it quietly (the presence bar, run every few seconds on every page).
"""

from __future__ import annotations

import re

import streamlit as st

from ui import components as ui

MAX_ID = 2**31 - 1  # documents' and segments' ids are INTEGER columns on PostgreSQL
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII digits only: int() also takes "٣" and " 7_0 "
_SHOWN = 24  # characters of a bad value repeated in the message


def _shown(raw: str) -> str:
    return raw if len(raw) <= _SHOWN else raw[:_SHOWN] + "…"


def int_param(name: str, *, lo: int = 1, hi: int = MAX_ID, quiet: bool = False) -> int | None:
    """The query parameter `name` as a whole number from `lo` to `hi`; None when it is absent
    or empty, and None with a one-line warning (none when `quiet`) when it is anything else:
    out of range, not ASCII digits, or given more than once with different values."""
    values = [v for v in st.query_params.get_all(name) if v != ""]
    if not values:
        return None
    problem = None
    if len(set(values)) > 1:
        problem = f"The address gives {name} more than once; it was ignored."
    else:
        raw = values[0]
        number = int(raw) if _DIGITS.fullmatch(raw) else None
        if number is None or not lo <= number <= hi:
            span = f"a number from {lo} to {hi}" if hi < MAX_ID else "a valid number"
            problem = f"The address's {name}={_shown(raw)} is not {span}; it was ignored."
        else:
            return number
    if not quiet:
        ui.message("warning", problem)
    return None
