"""A room's live state in words, shared by a system's detail (app.detail) and the kiosk board (app.board_view):
the same status words, the same clock times, the same reading of a booking that came over the websocket."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# As PlaceOS's Bookings driver means them: `pending` is a booking that has started and nobody has checked in to.
STATUS_WORDS = {"free": "Free", "pending": "Awaiting check-in", "busy": "In use"}
# A shape for each state beside its colour, so that the states read apart in grayscale and to colour-blind eyes.
STATUS_SHAPES = {"free": "○", "pending": "◐", "busy": "●", "unknown": "–"}


def clock_time(value: Any, seconds: bool = False) -> str:
    """A time of day from epoch seconds in API data; "" for anything that is not one."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    try:
        return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(value))
    except (OverflowError, OSError, ValueError):  # a time no calendar holds
        return ""


def status_of(live: Any) -> str:
    """A room's Bookings status from its live values: free, pending, busy, or unknown."""
    status = live.get("status") if isinstance(live, dict) else None
    return status if isinstance(status, str) and status in STATUS_WORDS else "unknown"


def _booking_time(booking: Any, key: str, clock: Callable[[Any], str]) -> str:
    return clock(booking.get(key)) if isinstance(booking, dict) else ""


def state_words(live: Any, clock: Callable[[Any], str] = clock_time) -> str:
    """ "Free until 14:30", "In use until 15:00", "Awaiting check-in": the state and how long it lasts, where the
    live values say; "" when PlaceOS gave no state (nothing is guessed). `clock` reads a time (app.ui.words
    room_clock: in the room's zone, marked where it is not the viewer's)."""
    status = status_of(live)
    if status == "unknown":
        return ""
    word = STATUS_WORDS[status]
    if status == "free":
        at = _booking_time(live.get("next_booking"), "event_start", clock)
        return f"{word} until {at}" if at else word
    if status == "busy":
        at = _booking_time(live.get("current_booking"), "event_end", clock)
        return f"{word} until {at}" if at else word
    return word


def booking_line(label: str, booking: Any, until: bool, clock: Callable[[Any], str] = clock_time) -> str:
    """ "Weekly sync until 10:30", "Next: Design review at 11:00"; "" when there is no usable booking."""
    if not isinstance(booking, dict) or not isinstance(booking.get("title"), str) or not booking["title"]:
        return ""
    at = clock(booking.get("event_end" if until else "event_start"))
    return f"{label}{booking['title'][:120]}" + (f" {'until' if until else 'at'} {at}" if at else "")


def booking_moments(live: dict[str, Any]) -> list[float]:
    """The times of day the live values' current and next booking name (what state_words and booking_line read)."""
    found = []
    for booking in (live.get("current_booking"), live.get("next_booking")):
        for key in ("event_start", "event_end"):
            moment = booking.get(key) if isinstance(booking, dict) else None
            if isinstance(moment, int | float) and not isinstance(moment, bool):
                found.append(float(moment))
    return found


def room_clock(moment: float, zone: Any, zone_clock: Callable[[float, str | None], str | None]) -> str:
    """A time of day as read in the room: "15:26" where the room's clocks show what the viewer's do, "15:26 AEDT"
    where they do not; "" for a moment no calendar holds."""
    plain = clock_time(moment)
    if not plain or not isinstance(zone, str) or not zone:
        return plain
    there, yours = zone_clock(moment, zone), zone_clock(moment, None)
    if not there or not yours or there.split(" ")[0] == yours.split(" ")[0]:
        return plain  # the same time of day (London's GMT for a viewer on UTC): no zone to read
    return there


def local_zone_clock(moment: float, zone: str | None) -> str | None:
    """app.core.ports.ZoneClock with Python's own zone data: "15:26 AEDT" (the browser wires Intl instead)."""
    try:
        if zone is None:
            return time.strftime("%H:%M %Z", time.localtime(moment))
        from datetime import datetime
        from zoneinfo import ZoneInfo

        return datetime.fromtimestamp(moment, ZoneInfo(zone)).strftime("%H:%M %Z")
    except (ImportError, LookupError, OverflowError, OSError, ValueError):  # no such zone, or no zone data
        return None


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


__all__ = [
    "STATUS_SHAPES",
    "STATUS_WORDS",
    "booking_line",
    "booking_moments",
    "local_zone_clock",
    "room_clock",
    "state_words",
    "status_of",
    "clock_time",
    "local_zone_time",
    "when",
]
