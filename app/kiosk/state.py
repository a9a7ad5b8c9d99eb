"""What the kiosk board shows, as plain data: its rooms, their live state, how they are laid out on the screen,
and how fresh it all is. Also the board's saved copy, which a reload or a reboot paints at once; it comes back from
storage anyone with the device could have edited, so reading it is as strict as reading an API answer."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

MAX_ROOMS = 500  # a lobby board of more rooms than this is unreadable anyway; it keeps memory bounded
# Of each room's Bookings_1; `bookings` is the rest of the day.
LIVE_NAMES = ("status", "people_count", "current_booking", "next_booking", "bookings")
SNAPSHOT_VERSION = 1
MAX_SNAPSHOT_CHARS = 2_000_000


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    capacity: int | None = None


def _text(value: Any, limit: int = 200) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100_000 else None


def room_from(record: Any) -> Room | None:
    """A room from an API record or a saved one; None for anything without an id."""
    if not isinstance(record, dict):
        return None
    room_id = _text(record.get("id"))
    if not room_id:
        return None
    name = _text(record.get("display_name")) or _text(record.get("name")) or room_id
    return Room(room_id, name, _count(record.get("capacity")))


@dataclass(frozen=True)
class Grid:
    """Columns and rows of tiles that fit the screen with room names readable from 3 m."""

    cols: int
    rows: int

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


# In vmin hundredths (the CSS sizes the board in vmin, so the same grid holds at 1080p and 4K): a tile is at least
# this wide and tall, and the header and margins take this much. Room names are 3 vmin: 32 px on a 1080-line screen.
TILE_W, TILE_H, GAP, HEADER, MARGIN = 42.0, 17.0, 1.5, 12.0, 2.0
MAX_COLS, MAX_ROWS = 8, 12


def grid_for(width: float, height: float) -> Grid:
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        return Grid(4, 4)
    across, down = (min(100 * side / min(width, height), 10_000.0) for side in (width, height))  # in vmin
    cols = int((across - 2 * MARGIN + GAP) // (TILE_W + GAP))
    rows = int((down - HEADER - MARGIN + GAP) // (TILE_H + GAP))
    return Grid(min(MAX_COLS, max(1, cols)), min(MAX_ROWS, max(1, rows)))


@dataclass
class BoardState:
    rooms: list[Room] = field(default_factory=list)
    live: dict[str, dict[str, Any]] = field(default_factory=dict)  # by room id, then status name
    grid: Grid = field(default_factory=lambda: Grid(4, 4))
    page: int = 0
    now: float = 0.0  # the time the board was last drawn for (its clock)
    refresh_s: int = 60  # how often the rooms are read again: older data than this is out of date
    fetched_at: float | None = None  # when PlaceOS last gave the list of rooms
    updated_at: float | None = None  # when anything on the board was last confirmed by PlaceOS
    from_saved_copy: bool = False  # painted from storage and not yet refreshed
    refreshing: bool = False
    problem: str = ""  # why the last refresh failed, for the badge
    offline: bool = False  # that failure was no answer (or a server error): an outage, not a refusal
    retry_at: float | None = None  # when a failed refresh is tried again (now, while it is under way)
    connected: bool = False  # the live connection
    live_retry_at: float | None = None  # when the live connection is tried again
    sign_in_retry_at: float | None = None  # when a renewal that failed is tried again
    placeos: str = ""  # PlaceOS's host, where an administrator signs a display in
    quiet: bool = False  # quiet hours: dimmed to a clock and the status
    free_first: bool = False  # on each page, the rooms free now first (only the page's rooms are bound live)
    building: str = ""  # the board's zone's name, for the header
    shift: int = 0  # which of the nine burn-in positions the board is drawn at (app.kiosk.view)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.rooms) // self.grid.per_page))

    def visible(self) -> list[Room]:
        start = (self.page % self.pages) * self.grid.per_page
        page = self.rooms[start : start + self.grid.per_page]
        if self.free_first:
            rank = {"free": 0, "pending": 1, "busy": 2}
            page.sort(key=lambda room: rank.get(str(self.live.get(room.id, {}).get("status")), 3))
        return page


SHIFT_EVERY_S = 180  # the board moves by a few pixels this often, so nothing stays on the same pixels for hours
SHIFTS = 9  # a 3 x 3 walk of positions (static/app.css .shift-N)


def shift_at(now: float) -> int:
    return int(now // SHIFT_EVERY_S) % SHIFTS


def quiet_span(spec: str) -> tuple[int, int] | None:
    """ "20:00-07:00" as minutes of the day (from, to); None for no quiet hours. The config checked its form."""
    if not spec:
        return None
    start, end = spec.split("-")
    return int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:])


def is_quiet(span: tuple[int, int] | None, minute: int) -> bool:
    """Whether a minute of the day (0..1439) is in the span, which may run over midnight."""
    if span is None:
        return False
    start, end = span
    return start <= minute < end if start < end else minute >= start or minute < end


def snapshot(state: BoardState) -> str:
    """The board as it is now, for storage: only what a tile shows."""
    rooms = [{"id": r.id, "name": r.name, "capacity": r.capacity} for r in state.rooms]
    live = {room.id: state.live[room.id] for room in state.rooms if room.id in state.live}
    data = {
        "v": SNAPSHOT_VERSION,
        "fetched_at": state.fetched_at,
        "updated_at": state.updated_at,
        "building": state.building,
        "rooms": rooms,
    }
    return json.dumps({**data, "live": live}, separators=(",", ":"))


def _time(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    return float(value) if ok else None


def _live_values(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {name: value[name] for name in LIVE_NAMES if name in value}


def from_snapshot(text: str | None) -> BoardState | None:
    """A saved board, or None for anything that is not one (absent, old, truncated, edited, enormous)."""
    if not text or len(text) > MAX_SNAPSHOT_CHARS:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("v") != SNAPSHOT_VERSION or not isinstance(data.get("rooms"), list):
        return None
    rooms = [room for room in map(room_from, data["rooms"][:MAX_ROOMS]) if room is not None]
    if not rooms:
        return None
    live_data = data.get("live")
    live = live_data if isinstance(live_data, dict) else {}
    known = {room.id for room in rooms}
    return BoardState(
        rooms=rooms,
        live={room_id: _live_values(values) for room_id, values in live.items() if room_id in known},
        fetched_at=_time(data.get("fetched_at")),
        updated_at=_time(data.get("updated_at")),
        building=_text(data.get("building"), 120),
        from_saved_copy=True,
    )


__all__ = [
    "LIVE_NAMES",
    "MAX_ROOMS",
    "BoardState",
    "Grid",
    "Room",
    "from_snapshot",
    "grid_for",
    "is_quiet",
    "quiet_span",
    "shift_at",
    "room_from",
    "snapshot",
]
