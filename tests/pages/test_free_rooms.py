"""pages/free_rooms.py, the example page: the free rooms of a building, and booking one for 30 minutes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from app.api.live_calls import ExecError
from app.browse.place import Place
from app.ui.elements import El
from pages import free_rooms

ROOMS = [
    {"id": "sys-1", "name": "Harbour", "capacity": 8, "zones": ["zone-bld-syd01"]},
    {"id": "sys-2", "name": "Bondi", "capacity": 4, "zones": ["zone-bld-syd01"]},
    {"id": "sys-3", "name": "Yarra", "capacity": 6, "zones": ["zone-bld-mel01"]},
]
STATES = {
    "sys-1": {"status": "free", "next_booking": {"event_start": 1_800_000_000}},
    "sys-2": {"status": "busy"},
    "sys-3": {"status": "free", "next_booking": None},
}


class Api:
    """The console's api as the page uses it."""

    def __init__(self, refuse: bool = False) -> None:
        self.asked: list[dict[str, Any]] = []
        self.calls: list[tuple[Any, ...]] = []
        self.refuse = refuse

    async def zones(self, tags: str = "") -> Any:
        return SimpleNamespace(items=[{"id": "zone-bld-syd01", "name": "Sydney HQ"}])

    async def all_systems(self, **filters: Any) -> Any:
        self.asked.append(filters)
        for room in ROOMS:
            if not filters.get("zone_id") or filters["zone_id"] in room["zones"]:
                yield room

    async def state(self, system_id: str, module: str) -> dict[str, Any]:
        return STATES[system_id]

    async def system(self, system_id: str) -> dict[str, Any]:
        return next(room for room in ROOMS if room["id"] == system_id)

    async def exec(self, *call: Any) -> bool:
        self.calls.append(call)
        if self.refuse:
            raise ExecError("exec Bookings_1.book_now on sys-1 — 3 request failed: the room is booked then", 3, "")
        return True


def texts(node: El | str) -> list[str]:
    return [node] if isinstance(node, str) else [t for child in node.children for t in texts(child)]


async def test_it_lists_the_free_bookable_rooms_of_the_chosen_building() -> None:
    api = Api()
    data = await free_rooms.load(api, Place(page="free_rooms", building="zone-bld-syd01"))
    assert api.asked == [{"bookable": "true", "zone_id": "zone-bld-syd01"}]
    assert [room["name"] for room, _ in data["free"]] == ["Harbour"] and data["rooms"] == 2
    shown = texts(free_rooms.render(data))
    assert "1 of 2 bookable rooms are free now." in shown and "Harbour" in shown and "Book 30 min" in shown
    everywhere = await free_rooms.load(api, Place(page="free_rooms"))
    assert [room["name"] for room, _ in everywhere["free"]] == ["Harbour", "Yarra"]
    assert "Free" in texts(free_rooms.render(everywhere))  # no meeting later today: free, with no "until"


async def test_book_for_30_minutes_calls_book_now_and_says_what_happened() -> None:
    api = Api()
    assert await free_rooms.act(api, "book", "sys-1") == "Booked Harbour for 30 minutes."
    assert api.calls == [("sys-1", "Bookings", "book_now", 1800, "Booked from Free rooms now")]
    refused = await free_rooms.act(Api(refuse=True), "book", "sys-1")
    assert refused.startswith("Harbour could not be booked: exec Bookings_1.book_now") and "booked then" in refused
    assert await free_rooms.act(api, "dance", "") == "Nothing to do for 'dance'."
