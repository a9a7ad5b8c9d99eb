"""Kiosk recovery (app.kiosk): the back-off schedule, as a table of stuck ticks."""

from __future__ import annotations

import pytest

from app.auth.recovery import BACKOFF_S, KioskRecovery
from tests.fakes import Clock


def retry_times(stuck_for: float, tick: float = 1.0) -> list[float]:
    """When, over `stuck_for` seconds of ticks, the kiosk tries again."""
    clock = Clock()
    start = clock.now
    recovery = KioskRecovery(clock)
    times = []
    while clock.now - start < stuck_for:
        if recovery.due(stuck=True):
            times.append(clock.now - start)
        clock.advance(tick)
    return times


def test_the_schedule_backs_off_to_every_five_minutes() -> None:
    times = retry_times(30 + 60 + 120 + 300 * 3 + 10)
    gaps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    # Each wait counts from the first tick that sees the display stuck again, one tick after the last retry.
    assert gaps == [30, 61, 121, 301, 301, 301]
    assert BACKOFF_S == (30, 60, 120, 300)


@pytest.mark.parametrize("recovered_after", [5, 45])
def test_working_again_starts_the_schedule_afresh(recovered_after: float) -> None:
    clock = Clock()
    recovery = KioskRecovery(clock)
    recovery.due(stuck=True)
    clock.advance(recovered_after)
    recovery.due(stuck=True)
    assert recovery.due(stuck=False) is False and recovery.retries == 0
    recovery.due(stuck=True)
    clock.advance(29)
    assert recovery.due(stuck=True) is False
    clock.advance(1)
    assert recovery.due(stuck=True) is True
