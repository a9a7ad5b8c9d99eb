"""A room's live state in words, shared by a system's detail (app.detail) and the kiosk board (app.board_view):
the same status words, the same clock times, the same reading of a booking that came over the websocket."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

STATUS_WORDS = {"free": "Free", "pending": "Starting soon", "busy": "In use"}


def clock_time(value: Any, seconds: bool = False) -> str:
    """A time of day from epoch seconds in API data; "" for anything that is not one."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    try:
        return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(value))
    except (OverflowError, OSError, ValueError):  # a time no calendar holds
        return ""


def booking_line(label: str, booking: Any, until: bool) -> str:
    """ "Weekly sync until 10:30", "Next: Design review at 11:00"; "" when there is no usable booking."""
    if not isinstance(booking, dict) or not isinstance(booking.get("title"), str) or not booking["title"]:
        return ""
    at = clock_time(booking.get("event_end" if until else "event_start"))
    return f"{label}{booking['title'][:120]}" + (f" {'until' if until else 'at'} {at}" if at else "")


def local_zone_time(moment: float, zone: str | None) -> str | None:
    """app.core.ports.ZoneTime with Python's own zone data (the host's; Pyodide has none, so the browser's Intl is
    wired there instead)."""
    try:
        if zone is None:
            return time.strftime("%d %b %Y, %H:%M %Z", time.localtime(moment)).lstrip("0")
        from datetime import datetime
        from zoneinfo import ZoneInfo

        return datetime.fromtimestamp(moment, ZoneInfo(zone)).strftime("%d %b %Y, %H:%M %Z").lstrip("0")
    except (ImportError, LookupError, OverflowError, OSError, ValueError):  # no such zone, or no zone data
        return None


def when(value: Any, zone: Any, zone_time: Callable[[float, str | None], str | None]) -> str:
    """A record's time in the room's time zone and in the viewer's, once where they agree; "" for no time."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    yours = zone_time(value, None) or ""
    there = zone_time(value, zone) if isinstance(zone, str) and zone else None
    if not there or there == yours:
        return yours
    return f"{there} in the room · {yours} your time" if yours else f"{there} in the room"


__all__ = ["STATUS_WORDS", "booking_line", "clock_time", "local_zone_time", "when"]
