"""Active editing time of one segment, measured on the server: opened → saved, idle gaps left out.

The web app cannot see keystrokes, only the moments its server hears from the editor: the segment
is opened, a text change is committed, a button is pressed, the segment is saved. `SegmentClock`
adds up the gaps between those moments. A gap longer than `IDLE_AFTER` (5 minutes) is idle time:
it is excluded from the active time and reported separately (`idle_ms`, `idle_gaps`), so a coffee
break never inflates seconds-per-word and the log still shows that it happened.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> clock = SegmentClock(7, t0)
    >>> clock.touch(t0 + timedelta(seconds=40))
    >>> clock.stop(t0 + timedelta(minutes=20)).idle_gaps   # 40 s active, then a 19m20s gap
    1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

IDLE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class ActiveTime:
    """Time spent on a segment between `opened_at` and `saved_at`.

    `active_ms + idle_ms` equals the elapsed time; `idle_gaps` counts the gaps that were longer
    than the idle threshold (each one is in `idle_ms` whole).
    """

    opened_at: datetime
    saved_at: datetime
    active_ms: int
    idle_ms: int
    idle_gaps: int

    @property
    def elapsed_ms(self) -> int:
        """Wall-clock time from opening to saving, in milliseconds."""
        return self.active_ms + self.idle_ms


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (what the clock and the edit log expect)."""
    return datetime.now(timezone.utc)


def _aware(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"timing: {what} must be timezone-aware (got naive {at.isoformat()})")
    return at


def _ms(delta: timedelta) -> int:
    return round(delta.total_seconds() * 1000)


class SegmentClock:
    """The running clock of the segment an editor has open.

    Arguments:
        segment_id: the segment being timed (so a stale clock is never applied to another one).
        opened_at: when the editor opened it (timezone-aware).
        idle_after: gaps longer than this are idle, not active.
    """

    def __init__(
        self, segment_id: int, opened_at: datetime, *, idle_after: timedelta = IDLE_AFTER
    ) -> None:
        if idle_after <= timedelta(0):
            raise ValueError("timing: idle_after must be positive")
        self.segment_id = segment_id
        self.opened_at = _aware(opened_at, "opened_at")
        self.idle_after = idle_after
        self.last_seen = self.opened_at
        self._active = timedelta(0)
        self._idle = timedelta(0)
        self._gaps = 0

    def touch(self, at: datetime) -> None:
        """Record that the editor did something on this segment at `at`.

        A moment earlier than the last one seen (clocks of two workers, a replayed request) adds
        nothing and does not move the clock back.
        """
        _aware(at, "at")
        gap = at - self.last_seen
        if gap <= timedelta(0):
            return
        if gap > self.idle_after:
            self._idle += gap
            self._gaps += 1
        else:
            self._active += gap
        self.last_seen = at

    def stop(self, at: datetime) -> ActiveTime:
        """The time from opening to `at` (the save), counting `at` as a last activity."""
        self.touch(at)
        return ActiveTime(
            opened_at=self.opened_at,
            saved_at=max(self.last_seen, _aware(at, "at")),
            active_ms=_ms(self._active),
            idle_ms=_ms(self._idle),
            idle_gaps=self._gaps,
        )


def measure(moments: Sequence[datetime], *, idle_after: timedelta = IDLE_AFTER) -> ActiveTime:
    """Active time over a list of moments: the first is the opening, the last the save.

    Raises:
        ValueError: when `moments` is empty or holds a naive datetime.
    """
    if not moments:
        raise ValueError("timing: no moments to measure")
    ordered = sorted(_aware(m, "moment") for m in moments)
    clock = SegmentClock(0, ordered[0], idle_after=idle_after)
    for moment in ordered[1:]:
        clock.touch(moment)
    return clock.stop(ordered[-1])
