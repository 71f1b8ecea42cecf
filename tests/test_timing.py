"""Active-time accounting: idle gaps over five minutes are left out and reported."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mt.timing import IDLE_AFTER, SegmentClock, measure

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_continuous_work_is_all_active():
    clock = SegmentClock(1, T0)
    for s in (30, 90, 200):
        clock.touch(at(s))
    result = clock.stop(at(260))
    assert (result.active_ms, result.idle_ms, result.idle_gaps) == (260_000, 0, 0)
    assert result.opened_at == T0 and result.saved_at == at(260)


def test_gap_over_five_minutes_is_idle_and_recorded():
    clock = SegmentClock(1, T0)
    clock.touch(at(45))  # typing for 45 s
    clock.touch(at(45 + 20 * 60))  # back from lunch 20 minutes later
    result = clock.stop(at(45 + 20 * 60 + 15))  # 15 s more, then save
    assert result.active_ms == 60_000
    assert result.idle_ms == 20 * 60 * 1000
    assert result.idle_gaps == 1
    assert result.elapsed_ms == (result.saved_at - result.opened_at).total_seconds() * 1000


def test_a_gap_of_exactly_five_minutes_still_counts():
    result = measure([T0, T0 + IDLE_AFTER])
    assert (result.active_ms, result.idle_gaps) == (300_000, 0)
    result = measure([T0, T0 + IDLE_AFTER + timedelta(milliseconds=1)])
    assert (result.active_ms, result.idle_gaps) == (0, 1)


def test_custom_threshold_and_time_zones():
    seoul = timezone(timedelta(hours=9))
    moments = [T0, (T0 + timedelta(seconds=50)).astimezone(seoul), at(200)]
    result = measure(moments, idle_after=timedelta(seconds=60))
    assert (result.active_ms, result.idle_ms, result.idle_gaps) == (50_000, 150_000, 1)


def test_moments_out_of_order_never_run_the_clock_backwards():
    clock = SegmentClock(1, T0)
    clock.touch(at(100))
    clock.touch(at(40))  # a late, replayed request
    assert clock.stop(at(120)).active_ms == 120_000


@pytest.mark.parametrize("bad", [datetime(2025, 3, 1, 9, 0)])
def test_naive_datetimes_are_refused(bad):
    with pytest.raises(ValueError, match="timezone-aware"):
        SegmentClock(1, bad)
    with pytest.raises(ValueError, match="timezone-aware"):
        SegmentClock(1, T0).touch(bad)
    with pytest.raises(ValueError, match="no moments"):
        measure([])


@given(st.lists(st.integers(min_value=0, max_value=3 * 3600 * 1000), min_size=1, max_size=30))
def test_active_plus_idle_is_elapsed(offsets_ms):
    moments = [T0 + timedelta(milliseconds=ms) for ms in offsets_ms]
    result = measure(moments)
    assert result.active_ms + result.idle_ms == max(offsets_ms) - min(offsets_ms)
    assert result.idle_ms == 0 or result.idle_gaps > 0
    assert result.idle_ms >= result.idle_gaps * IDLE_AFTER.total_seconds() * 1000
