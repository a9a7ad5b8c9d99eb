"""The stand-in's Bookings simulator: each room's `Bookings_1` module as PlaceOS's Bookings driver publishes it.

A room has a seeded day of meetings (the same every run, a different one each day), and its status variables follow
from it at the simulator's time: `status` is `busy` in a meeting someone checked in to, `pending` in one that has
started and nobody has checked in to yet, `free` between them; `current_booking` and `next_booking`; `bookings`,
the rest of the day; `in_use`; and `people_count`, which a presence sensor moves every minute while the room is
busy. The simulator's time runs `speed` times faster than the stand-in's clock from when it started, so a browser
test sees a day pass in minutes.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .fixtures import SystemIndex, module_kind

PERIOD_S = 60.0  # a presence sensor's reading changes at most once a (simulated) minute
DAY_S = 86_400
MEETINGS = ("Design review", "Weekly sync", "Interviews", "Board meeting", "Customer call", "Training", "1:1")
GAPS_MIN = (0, 15, 30, 30, 45, 60, 90, 120)
LENGTHS_MIN = (15, 30, 30, 45, 60, 60, 90)
CHECK_IN_WITHIN_S = 8 * 60  # someone checks in to each meeting within its first minutes
# The Bookings driver's functions, as rest-api's functions route describes them ({name: {arity, params, order}}).
FUNCTIONS = {
    "book_now": {
        "arity": 3,
        "params": {"period_in_seconds": ["Int32"], "title": ["String", None], "owner": ["String", None]},
        "order": ["period_in_seconds", "title", "owner"],
    },
    "start_meeting": {"arity": 1, "params": {"meeting_start_time": ["Int64"]}, "order": ["meeting_start_time"]},
    "end_meeting": {"arity": 1, "params": {"meeting_start_time": ["Int64"]}, "order": ["meeting_start_time"]},
}


@dataclass(frozen=True)
class Binding:
    sys: str
    mod: str
    index: int
    name: str

    def meta(self) -> dict[str, Any]:
        return {"sys": self.sys, "mod": self.mod, "index": self.index, "name": self.name}


@dataclass(frozen=True)
class Meeting:
    title: str
    start: int
    end: int
    checked_in: int  # when someone checked in

    def record(self) -> dict[str, Any]:
        return {"title": self.title, "event_start": self.start, "event_end": self.end}


def functions_of(mod: str, index: int) -> dict[str, Any]:
    """What a module can be asked to do, over REST and the socket alike: the simulated Bookings module's functions;
    other modules none yet."""
    return FUNCTIONS if (mod, index) == ("Bookings", 1) else {}


def day_of_meetings(system_id: str, day: int) -> list[Meeting]:
    """A room's meetings on day `day` (days since the epoch, UTC), seeded by both: the same every run."""
    rng = random.Random(hashlib.sha256(f"{system_id}:day:{day}".encode()).digest())
    at, end_of_day = day * DAY_S, (day + 1) * DAY_S
    meetings: list[Meeting] = []
    while True:
        at += rng.choice(GAPS_MIN) * 60
        length = rng.choice(LENGTHS_MIN) * 60
        if at + length > end_of_day:
            return meetings
        meetings.append(Meeting(rng.choice(MEETINGS), at, at + length, at + rng.randint(0, CHECK_IN_WITHIN_S)))
        at += length


def _whole(value: Any) -> int | None:
    """A whole number of seconds from a call's arguments (anyone's JSON); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if abs(value) < 10**11 else None


class Refused(Exception):
    """A call the room cannot take (a booking over another): PlaceOS answers it with an error, not a 500."""


class RoomSimulator:
    def __init__(self, systems: SystemIndex, clock: Callable[[], float], speed: float) -> None:
        self._systems = systems
        self._clock = clock
        self.speed = speed
        self._origin = clock()
        # What people did to a room (booked, checked in, ended, cancelled), over its seeded day: by start time.
        self._edits: dict[str, dict[int, Meeting | None]] = {}

    def meetings(self, system_id: str, day: int) -> list[Meeting]:
        """A room's meetings on a day: its seeded ones, as people have changed them since."""
        edits = self._edits.get(system_id, {})
        seeded = {m.start: m for m in day_of_meetings(system_id, day)}
        merged = {start: edits.get(start, m) for start, m in seeded.items()}
        merged |= {start: m for start, m in edits.items() if day * DAY_S <= start < (day + 1) * DAY_S}
        return sorted((m for m in merged.values() if m is not None), key=lambda m: m.start)

    def add(self, system_id: str, meeting: Meeting) -> Meeting:
        """A booking, where the room has no meeting over it; Refused otherwise."""
        days = range(int(meeting.start // DAY_S), int((meeting.end - 1) // DAY_S) + 1)
        if meeting.end <= meeting.start or any(
            m.start < meeting.end and meeting.start < m.end for day in days for m in self.meetings(system_id, day)
        ):
            raise Refused("the room is booked then")
        self._edits.setdefault(system_id, {})[meeting.start] = meeting
        return meeting

    def change(self, system_id: str, start: int, check_in: bool | None = None, end_now: bool = False) -> Meeting:
        """Check the meeting that starts at `start` in (or out), end it now, or (neither) cancel it."""
        found = next((m for m in self.meetings(system_id, int(start // DAY_S)) if m.start == start), None)
        if found is None:
            raise Refused(f"no meeting starts at {start}")
        now = int(self.now())
        if end_now:
            changed: Meeting | None = replace(found, end=now) if found.start < now else None  # not begun: gone
        elif check_in is not None:
            changed = replace(found, checked_in=now if check_in else found.end)
        else:
            changed = None
        self._edits.setdefault(system_id, {})[start] = changed
        return changed or found

    def call(self, system_id: str, method: str, args: list[Any]) -> Any:
        """The Bookings driver's functions: book_now(seconds, title, owner), start_meeting(unix), end_meeting(unix)."""
        now, first = int(self.now()), _whole(args[0]) if args else None
        if method == "book_now":
            title = str(args[1])[:120] if len(args) > 1 and args[1] else "Ad hoc booking"
            self.add(system_id, Meeting(title, now, now + max(60, min(first or 1800, DAY_S)), now))
            return True
        if method in ("start_meeting", "end_meeting") and first is not None:
            start_it = method == "start_meeting"
            self.change(system_id, first, check_in=True if start_it else None, end_now=not start_it)
            return True
        raise Refused(
            f"{method} takes the meeting's start (epoch seconds)" if method in FUNCTIONS else "no such function"
        )

    def now(self) -> float:
        """The simulator's time: the stand-in's clock, `speed` times faster from when it started."""
        return self._origin + (self._clock() - self._origin) * self.speed

    def bookings(self, system_id: str) -> dict[str, Any]:
        """`Bookings_1` of a room, now."""
        system = self._systems.by_id[system_id]
        now = self.now()
        day = int(now // DAY_S)
        today = self.meetings(system_id, day)
        later = [m for m in today if m.end > now]
        current = next((m for m in later if m.start <= now), None)
        upcoming = [m for m in later if m.start > now] or self.meetings(system_id, day + 1)[:1]
        status = "free" if current is None else ("busy" if now >= current.checked_in else "pending")
        capacity = int(system.get("capacity") or 1)
        minute = int(now // PERIOD_S)
        sensor = random.Random(hashlib.sha256(f"{system_id}:people:{minute}".encode()).digest())
        return {
            "status": status,
            "in_use": status == "busy",
            "pending": status == "pending",
            "people_count": sensor.randint(1, capacity) if status == "busy" else 0,
            "current_booking": current.record() if current else None,
            "next_booking": upcoming[0].record() if upcoming else None,
            "bookings": [m.record() for m in later],
        }

    def value(self, binding: Binding) -> Any:
        if binding.mod == "Bookings" and binding.index == 1:
            return self.bookings(binding.sys).get(binding.name)
        return None  # PlaceOS answers null for a status variable a module does not (yet) have

    def missing(self, binding: Binding) -> str | None:
        """What of a binding does not exist: "system" or "module"; None when both do."""
        system = self._systems.by_id.get(binding.sys)
        if system is None or system["id"] != binding.sys:
            return "system"
        names = [module_kind(system, i)[0] for i in range(len(system["modules"]))]
        return "module" if names.count(binding.mod) < binding.index else None


__all__ = [
    "DAY_S",
    "FUNCTIONS",
    "MEETINGS",
    "PERIOD_S",
    "Binding",
    "Meeting",
    "Refused",
    "RoomSimulator",
    "day_of_meetings",
    "functions_of",
]
