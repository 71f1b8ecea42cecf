"""Keystroke logs of segment visits (as PET, CASMACAT and the DivEMT study record them).

A visit's log is a list of key events, each (milliseconds since the visit began, class), with no
text. The classes, and the one-letter code each is stored as:

    letter l · digit d · space s · symbol y · navigation n · erase e · copy c · cut x ·
    paste p · undo u

Stored compactly with the edit event as JSON of two parallel parts, `{"t": [ms, ...], "c":
"ll sn..."}` (`t` non-decreasing integers, `c` one code letter per event). From a log come the
keystroke count, pauses (gaps between consecutive events of at least 300 ms and at least
1,000 ms: count and total) and, with the source length, keystrokes per source character.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mt.errors import InputError, shown
from mt.limits import MAX_KEY_EVENTS

__all__ = [
    "CLASSES",
    "CODES",
    "MAX_EVENTS",
    "KeyLog",
    "PauseStats",
    "merge_stats",
    "parse_keylog",
]

CLASSES = {
    "letter": "l",
    "digit": "d",
    "space": "s",
    "symbol": "y",
    "navigation": "n",
    "erase": "e",
    "copy": "c",
    "cut": "x",
    "paste": "p",
    "undo": "u",
}
CODES = {code: name for name, code in CLASSES.items()}
# One visit of a long segment rarely passes a few thousand keys; far more is not typing.
MAX_EVENTS = MAX_KEY_EVENTS
# A visit longer than a working day is not a visit.
MAX_MS = 24 * 3600 * 1000
PAUSE_SHORT_MS = 300
PAUSE_LONG_MS = 1000


@dataclass(frozen=True)
class PauseStats:
    """Counts from one or more logs: keystrokes, and pauses of >= 300 ms and >= 1,000 ms."""

    keystrokes: int = 0
    pauses_300: int = 0
    pauses_300_ms: int = 0
    pauses_1000: int = 0
    pauses_1000_ms: int = 0

    def __add__(self, other: PauseStats) -> PauseStats:
        return PauseStats(
            self.keystrokes + other.keystrokes,
            self.pauses_300 + other.pauses_300,
            self.pauses_300_ms + other.pauses_300_ms,
            self.pauses_1000 + other.pauses_1000,
            self.pauses_1000_ms + other.pauses_1000_ms,
        )


@dataclass(frozen=True)
class KeyLog:
    """One visit's key events: `times` (ms since the visit began) and `codes` (see CLASSES)."""

    times: tuple[int, ...]
    codes: str

    def to_json(self) -> dict[str, Any]:
        """The stored form: {"t": [...], "c": "..."}."""
        return {"t": list(self.times), "c": self.codes}

    def counts(self) -> dict[str, int]:
        """Events per class name (classes with none are left out)."""
        out: dict[str, int] = {}
        for code in self.codes:
            out[CODES[code]] = out.get(CODES[code], 0) + 1
        return out

    def stats(self) -> PauseStats:
        """Keystrokes and pauses of this visit."""
        short = short_ms = long = long_ms = 0
        for before, after in zip(self.times, self.times[1:], strict=False):
            gap = after - before
            if gap >= PAUSE_SHORT_MS:
                short, short_ms = short + 1, short_ms + gap
            if gap >= PAUSE_LONG_MS:
                long, long_ms = long + 1, long_ms + gap
        return PauseStats(len(self.codes), short, short_ms, long, long_ms)


def parse_keylog(raw: Any) -> KeyLog | None:
    """A `KeyLog` from what a browser sent (or the stored JSON); None for no log.

    Accepts {"t": [ints], "c": "codes"} or a list of [ms, class name or code] pairs. `raw`
    is `Any` on purpose: JSON from outside, any shape, refused here unless it is one of those.

    Raises:
        InputError: not that shape, an unknown class, times out of order or out of range, or
            more than MAX_EVENTS events (nothing is stored then).
    """
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        times, codes = raw.get("t"), raw.get("c")
        if not isinstance(times, list) or not isinstance(codes, str):
            raise InputError('keystroke log must be {"t": [milliseconds], "c": "classes"}')
        if len(times) != len(codes):
            raise InputError(f"keystroke log has {len(times)} times but {len(codes)} classes")
        pairs: Iterable[Any] = zip(times, codes, strict=False)
        size = len(times)
    elif isinstance(raw, list):
        pairs, size = raw, len(raw)
    else:
        raise InputError("keystroke log must be an object or a list")
    if size > MAX_EVENTS:
        raise InputError(
            f"keystroke log has {size:,} events (at most {MAX_EVENTS:,} per visit): refused"
        )
    out_t: list[int] = []
    out_c: list[str] = []
    last = 0
    for pair in pairs:
        try:
            ms, cls = pair
        except (TypeError, ValueError):
            raise InputError("keystroke log entries must be (milliseconds, class)") from None
        if isinstance(ms, bool) or not isinstance(ms, (int, float)):
            raise InputError(f"keystroke time {shown(ms)} is not a number")
        if not ((isinstance(ms, int) or math.isfinite(ms)) and last <= ms <= MAX_MS):
            raise InputError(f"keystroke time {shown(ms)} is out of order or out of range")
        ms = int(ms)
        code = _code(cls)
        if code is None:
            raise InputError(f"unknown keystroke class {shown(cls)}")
        out_t.append(ms)
        out_c.append(code)
        last = ms
    return KeyLog(tuple(out_t), "".join(out_c))


def _code(cls: Any) -> str | None:
    """The one-letter code of a class name or code; None for anything else (a list or an
    object from a browser included: never a key to look up)."""
    if not isinstance(cls, str):
        return None
    return CLASSES.get(cls, cls if cls in CODES else None)


def merge_stats(logs: Iterable[Any]) -> PauseStats:
    """The summed `PauseStats` of stored logs (None entries and bad logs are skipped)."""
    total = PauseStats()
    for raw in logs:
        try:
            log = parse_keylog(raw)
        except InputError:
            continue
        if log is not None:
            total = total + log.stats()
    return total
