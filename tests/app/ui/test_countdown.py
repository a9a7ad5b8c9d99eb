"""app.ui.countdown: the session's countdown as shown and as spoken."""

from __future__ import annotations

from app.ui.countdown import spoken


def test_the_countdown_is_spoken_at_thresholds_not_every_second() -> None:
    heard = {spoken(s) for s in range(1, 301)}
    assert heard == {
        "Your session ends in less than 10 seconds.",
        "Your session ends in less than 30 seconds.",
        "Your session ends in less than a minute.",
        "Your session ends in 2 minutes.",
        "Your session ends in 3 minutes.",
        "Your session ends in 4 minutes.",
        "Your session ends in 5 minutes.",
    }
