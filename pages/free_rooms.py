"""Rooms free now, in one building or all of them, each with a button that books it for 30 minutes through the
room's Bookings module (PlaceOS's `book_now`), as a room's booking panel does.

A page of one's own (docs/developers.md): `load` reads what the page shows through `api` (the console's), `render`
draws it with the app's elements, `act` answers its buttons. Save it while `make run ARGS="--reload"` runs and the
open tab shows the change.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from app.core.errors import ApiError
from app.pages.kit import badge, button, h, link

TITLE = "Free rooms now"
BOOK_S = 30 * 60


async def load(api: Any, place: Any) -> dict[str, Any]:
    """The buildings, and the bookable rooms of the chosen one (place.building) that are free now."""
    filters = {"bookable": "true", **({"zone_id": place.building} if place.building else {})}
    buildings, rooms = await asyncio.gather(api.zones(tags="building"), collect(api.all_systems(**filters)))
    states = await asyncio.gather(*(api.state(room["id"], "Bookings") for room in rooms), return_exceptions=True)
    free = [
        (room, state)
        for room, state in zip(rooms, states, strict=True)
        if isinstance(state, dict) and state.get("status") == "free"
    ]
    return {"buildings": buildings.items, "building": place.building, "free": free, "rooms": len(rooms)}


async def collect(records: Any) -> list[dict[str, Any]]:
    return [record async for record in records]


def render(data: dict[str, Any]) -> Any:
    chooser = h(
        "nav",
        {"class": "page-choices", "aria-label": "Building"},
        link("All buildings", page="free_rooms"),
        [link(b["name"], page="free_rooms", building=b["id"]) for b in data["buildings"]],
    )
    count = f"{len(data['free'])} of {data['rooms']} bookable rooms are free now."
    rows = [
        h(
            "li",
            {"class": "page-row"},
            badge("free", free_until(state)),
            link(room["name"], system=room["id"]),
            h("span", {"class": "muted"}, f"{room.get('capacity') or '?'} people"),
            button("Book 30 min", "book", room["id"], primary=True),
        )
        for room, state in data["free"]
    ]
    return h("div", {}, chooser, h("p", {"role": "status"}, count), h("ul", {"class": "page-list"}, rows))


def free_until(state: dict[str, Any]) -> str:
    upcoming = state.get("next_booking") or {}
    start = upcoming.get("event_start") if isinstance(upcoming, dict) else None
    return f"Free until {time.strftime('%H:%M', time.localtime(start))}" if isinstance(start, int) else "Free"


async def act(api: Any, action: str, arg: str) -> str:
    """ "Book 30 min": the room's Bookings module books it from now, as its panel's "Book now" does."""
    if action != "book":
        return f"Nothing to do for {action!r}."
    room = await api.system(arg)
    try:
        await api.exec(arg, "Bookings", "book_now", BOOK_S, f"Booked from {TITLE}")
    except ApiError as error:
        return f"{room['name']} could not be booked: {error}"
    return f"Booked {room['name']} for 30 minutes."
