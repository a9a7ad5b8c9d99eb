"""The renewal guard: one silent renewal at a time, and at most one per spacing, so that a 401 storm or a broken
token endpoint cannot turn into a renewal loop."""

from __future__ import annotations

from app.core.ports import Clock

SPACING_S = 10


class RenewalGuard:
    def __init__(self, clock: Clock, spacing_s: float = SPACING_S) -> None:
        self._clock = clock
        self._spacing_s = spacing_s
        self._in_flight = False
        self._last_start: float | None = None

    def may_start(self) -> bool:
        recently = self._last_start is not None and self._clock() - self._last_start < self._spacing_s
        return not self._in_flight and not recently

    def next_start_at(self) -> float:
        """The earliest time a renewal may start (now or later), as far as the spacing says."""
        now = self._clock()
        return now if self._last_start is None else max(now, self._last_start + self._spacing_s)

    def start(self) -> None:
        self._in_flight = True
        self._last_start = self._clock()

    def finish(self) -> None:
        self._in_flight = False


__all__ = ["RenewalGuard", "SPACING_S"]
