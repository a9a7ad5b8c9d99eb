"""Kiosk recovery: an unattended display must never need a person. Whatever stopped it (no network, a refused
sign-in, the loop breaker), it tries again by itself on a back-off schedule, and starts the schedule afresh once
it works."""

from __future__ import annotations

from app.core.ports import Clock

BACKOFF_S = (30, 60, 120, 300)  # then every 5 minutes


class KioskRecovery:
    def __init__(self, clock: Clock, schedule: tuple[float, ...] = BACKOFF_S) -> None:
        self._clock = clock
        self._schedule = schedule
        self._stuck_since: float | None = None
        self.retries = 0

    def due(self, stuck: bool) -> bool:
        """Told on every tick whether the display is stuck; True when it is time to try again."""
        now = self._clock()
        if not stuck:
            self._stuck_since, self.retries = None, 0
            return False
        if self._stuck_since is None:
            self._stuck_since = now
            return False
        if now - self._stuck_since < self._schedule[min(self.retries, len(self._schedule) - 1)]:
            return False
        self.retries += 1
        self._stuck_since = None
        return True


__all__ = ["BACKOFF_S", "KioskRecovery"]
