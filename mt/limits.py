"""How much one save may add to the edit log: the sizes, checked before anything is written.

The edit log is append-only (every save keeps the text before and after, and the visit's
keystroke log), so what one save may add is bounded here:

- a segment's text: at most `text_limit(source)` characters, ten times its source's length and
  never under 2,000 (`TEXT_FLOOR`) nor over `MAX_TEXT` (100,000): no English of a Korean
  sentence is ten times its length;
- a save's keystroke log: at most `keys_limit(...)` key events, five per character of the
  longest of the source, the text before and the text after, never under 2,000 (`KEYS_FLOOR`)
  nor over `MAX_KEY_EVENTS` (20,000, a visit's whole log).

How often an editor may save is the store's to count (`mt.store.limits`). Each refusal is one
line (`InputError`) and changes nothing.
"""

from __future__ import annotations

from typing import Any

from mt.errors import InputError

__all__ = [
    "KEYS_FLOOR",
    "KEYS_PER_CHAR",
    "MAX_KEY_EVENTS",
    "MAX_TEXT",
    "TEXT_FLOOR",
    "TEXT_PER_SOURCE_CHAR",
    "check_change_size",
    "keys_limit",
    "text_limit",
]

MAX_TEXT = 100_000  # characters of any one text: a segment's, an unsaved copy's
MAX_KEY_EVENTS = 20_000  # key events of one visit's keystroke log
TEXT_FLOOR = 2_000
TEXT_PER_SOURCE_CHAR = 10
KEYS_FLOOR = 2_000
KEYS_PER_CHAR = 5


def text_limit(source: str) -> int:
    """The most characters a translation of `source` may have."""
    return min(MAX_TEXT, max(TEXT_FLOOR, TEXT_PER_SOURCE_CHAR * len(source)))


def keys_limit(source: str, before: str, after: str) -> int:
    """The most key events one save's keystroke log may hold."""
    longest = max(len(source), len(before), len(after))
    return min(MAX_KEY_EVENTS, max(KEYS_FLOOR, KEYS_PER_CHAR * longest))


def check_change_size(
    segment_id: int, source: str, before: str, text: str | None, keylog: dict[str, Any] | None
) -> None:
    """Refuse (`InputError`) a change whose text or keystroke log is over its limit."""
    if text is not None and len(text) > (most := text_limit(source)):
        raise InputError(
            f"the text of segment {segment_id} is {len(text):,} characters; at most {most:,} "
            f"for this segment (ten times its source, at least {TEXT_FLOOR:,}): nothing saved"
        )
    events = len(keylog.get("c", "")) if isinstance(keylog, dict) else 0
    if events > (most := keys_limit(source, before, text or "")):
        raise InputError(
            f"the keystroke log of this save of segment {segment_id} has {events:,} key events; "
            f"at most {most:,} for this segment: nothing saved (save again: the log is dropped)"
        )
