"""The staff API's room bookings (`/api/staff/v1/bookings`, PlaceOS's staff-api) over the Bookings simulator, so
that a booking made here is the meeting the room's Bookings module shows, on the board, the detail and a console
`listen`; and PlaceOS's modules index (`/api/engine/v2/modules`). A booking's id is its room and its start
(`sys-…:1733300000`): the simulator keeps meetings by room and start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .api import SYSTEMS_SCOPES, ApiError, ApiRoutes
from .fixtures import SystemIndex, module_record
from .rooms import DAY_S, Meeting, Refused, RoomSimulator

Authenticate = Callable[[web.Request, set[str]], Awaitable[Any]]
BOOKINGS_PATH = "/api/staff/v1/bookings"
MAX_PERIOD_S = 31 * DAY_S  # a query over more than a month is refused, as staff-api limits its searches
MAX_SECONDS = 10**11  # an epoch second past any calendar the simulator keeps


def _seconds(value: Any, name: str) -> int:
    """Epoch seconds from a query or a body: a whole number in range, else a 400 that says which."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ApiError(400, f"{name} must be epoch seconds")
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 11 or int(text) > MAX_SECONDS:
        raise ApiError(400, f"{name} must be epoch seconds")
    return int(text)


class StaffRoutes:
    def __init__(self, authenticate: Authenticate, systems: SystemIndex, simulator: RoomSimulator) -> None:
        self._authenticate = authenticate
        self._systems = systems
        self._simulator = simulator

    def _record(self, system: dict[str, Any], meeting: Meeting) -> dict[str, Any]:
        checked_in = meeting.checked_in < meeting.end
        return {
            "id": f"{system['id']}:{meeting.start}",
            "booking_type": "room",
            "booking_start": meeting.start,
            "booking_end": meeting.end,
            "asset_id": system["id"],
            "asset_name": system["name"],
            "title": meeting.title,
            "zones": list(system.get("zones") or []),
            "checked_in": checked_in,
            "checked_in_at": meeting.checked_in if checked_in else None,
        }

    def _booking(self, booking_id: str) -> tuple[dict[str, Any], int]:
        sys_id, _, start = booking_id.rpartition(":")
        system = self._systems.by_id.get(sys_id)
        if system is None or not system.get("bookable"):
            raise ApiError(404, f"booking {booking_id!r} not found")
        return system, _seconds(start, "the booking's start")

    async def query(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        start = _seconds(request.query.get("period_start"), "period_start")
        end = _seconds(request.query.get("period_end"), "period_end")
        if end <= start or end - start > MAX_PERIOD_S:
            raise ApiError(400, "period_end must follow period_start, by at most 31 days")
        if request.query.get("type", "room") != "room":
            return web.json_response([])  # the stand-in books rooms only: no desks, no parking
        zones = {z for z in request.query.get("zones", "").split(",") if z}
        found = []
        for system in self._systems.systems:
            if not system.get("bookable") or (zones and not zones & set(system.get("zones") or [])):
                continue
            for day in range(start // DAY_S, (end - 1) // DAY_S + 1):
                found += [
                    self._record(system, m)
                    for m in self._simulator.meetings(system["id"], day)
                    if m.start < end and start < m.end
                ]
        return web.json_response(sorted(found, key=lambda b: (b["booking_start"], b["id"])))

    async def create(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "the body must be a booking as JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a booking as JSON")
        system = self._systems.by_id.get(str(body.get("asset_id", "")))
        if system is None or not system.get("bookable"):
            raise ApiError(422, "asset_id must be a bookable room's system id")
        start, end = (
            _seconds(body.get("booking_start"), "booking_start"),
            _seconds(body.get("booking_end"), "booking_end"),
        )
        if not 0 < end - start <= DAY_S:
            raise ApiError(422, "booking_end must follow booking_start, by at most a day")
        title = str(body.get("title") or "Booking")[:120]
        try:
            meeting = self._simulator.add(system["id"], Meeting(title, start, end, end))  # nobody checked in yet
        except Refused as refused:
            raise ApiError(409, str(refused)) from None
        return web.json_response(self._record(system, meeting), status=201)

    async def check_in(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        system, start = self._booking(request.match_info["booking_id"])
        state = request.query.get("state", "true")
        if state not in ("true", "false"):
            raise ApiError(400, "state must be true or false")
        try:
            meeting = self._simulator.change(system["id"], start, check_in=state == "true")
        except Refused as refused:
            raise ApiError(404, str(refused)) from None
        return web.json_response(self._record(system, meeting))

    async def delete(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        system, start = self._booking(request.match_info["booking_id"])
        try:
            self._simulator.change(system["id"], start)
        except Refused as refused:
            raise ApiError(404, str(refused)) from None
        return web.Response(status=202)

    async def modules(self, request: web.Request) -> web.StreamResponse:
        """PlaceOS's modules index: `control_system_id` (one system's), `q` (a module's name), paged."""
        await self._authenticate(request, SYSTEMS_SCOPES)
        wanted, q = request.query.get("control_system_id", ""), request.query.get("q", "").lower()
        found = [
            module_record(module_id, system, i)
            for system in self._systems.systems
            if not wanted or system["id"] == wanted
            for i, module_id in enumerate(system["modules"])
        ]
        found = [m for m in found if q in m["name"].lower()]
        return ApiRoutes.paged(request, "/api/engine/v2/modules", found, "mod")

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(BOOKINGS_PATH, self.query)
        app.router.add_post(BOOKINGS_PATH, self.create)
        app.router.add_post(BOOKINGS_PATH + "/{booking_id}/check_in", self.check_in)
        app.router.add_delete(BOOKINGS_PATH + "/{booking_id}", self.delete)
        app.router.add_get("/api/engine/v2/modules", self.modules)


__all__ = ["BOOKINGS_PATH", "StaffRoutes"]
