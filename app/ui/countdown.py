"""The session's countdown in words: as the expiry notice shows it, and as a screen reader hears it."""

from __future__ import annotations


def minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, int(seconds))} s"
    return f"{int(seconds // 60)} min"


def spoken(seconds: float) -> str:
    """The countdown as a screen reader hears it: changed at a few thresholds, not every second."""
    for limit, words in ((10, "10 seconds"), (30, "30 seconds"), (60, "a minute")):
        if seconds <= limit:
            return f"Your session ends in less than {words}."
    whole = -(-int(seconds) // 60)
    return f"Your session ends in {whole} minutes."


__all__ = ["minutes", "spoken"]
