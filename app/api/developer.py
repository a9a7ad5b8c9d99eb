"""PlaceOS's API for a developer: `api` in the in-page console, and the object a developer's own page is given.

Every verb with bodies, paged indexes followed to the end, PlaceOS's resources by name (systems, zones, modules,
users, metadata, the staff API's bookings), module calls as PlaceOS makes them, and live bindings over the page's
one socket. Everything goes through the app's client, so it carries the current token, retries and typed errors;
an error says what was asked, for a developer: `NotFound: 404 GET /api/engine/v2/systems/sys-x — not found
(request 1a2b…)`. Paths are PlaceOS's own (rest-api's and staff-api's OpenAPI documents).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Any, TypeVar

from app.api.client import NO_BODY, Page, PlaceOSClient
from app.api.frames import Binding, slug
from app.api.live import Live
from app.api.live_calls import ExecError, LiveCalls
from app.core.errors import ApiError
from app.core.urls import quote

T = TypeVar("T")
STAFF = "/api/staff/v1"


def _id(value: str) -> str:
    return quote(str(value), safe="@.")


def _state_value(raw: Any) -> Any:
    """rest-api sends each status variable as JSON text; a value that is not is kept as sent."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return raw


async def _said(call: Awaitable[T]) -> T:
    try:
        return await call
    except ApiError as error:
        error.args = (error.technical,)  # a developer's traceback says what was asked, and what PlaceOS said
        raise


class DeveloperApi(LiveCalls):
    """`api` in the console. `help(api.exec)` explains each call; `await` each one."""

    def __init__(self, client: PlaceOSClient, live: Live | None = None) -> None:
        super().__init__(live)
        self.client = client

    def __repr__(self) -> str:
        return "<PlaceOS API: await api.get(path), api.systems(), api.exec(...), api.value(...); help(api)>"

    # -- every verb --------------------------------------------------------------------------------------------------
    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a path under /api/engine/v2 (or any /api/… path, e.g. /api/staff/v1/bookings): its JSON."""
        return await _said(self.client.get(path, params))

    async def post(self, path: str, params: Mapping[str, Any] | None = None, json: Any = NO_BODY) -> Any:
        """POST `json` to a path: the answer's JSON. Never sent twice."""
        return await _said(self.client.post(path, params, json))

    async def put(self, path: str, params: Mapping[str, Any] | None = None, json: Any = NO_BODY) -> Any:
        """PUT `json` at a path: the answer's JSON."""
        return await _said(self.client.put(path, params, json))

    async def patch(self, path: str, params: Mapping[str, Any] | None = None, json: Any = NO_BODY) -> Any:
        """PATCH a path with `json`: the answer's JSON. Never sent twice."""
        return await _said(self.client.patch(path, params, json))

    async def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE a path: the answer's JSON, or None."""
        return await _said(self.client.delete(path, params))

    async def pages(self, path: str, params: Mapping[str, Any] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every record of a paged index, following PlaceOS's Link headers: `async for m in api.pages("/modules")`."""
        walk = self.client.pages(path, params)
        while True:
            try:
                record = await _said(walk.__anext__())
            except StopAsyncIteration:
                return
            yield record

    # -- systems, zones ---------------------------------------------------------------------------------------------
    async def systems(self, q: str = "", offset: int = 0, limit: int = 20, **filters: Any) -> Page:
        """A page of systems (rooms): `q` searches; filters as PlaceOS takes them (zone_id, capacity, features,
        bookable). `.items`, `.total`, `.next_url`."""
        return await _said(self.client.systems(q, offset, limit, **filters))

    async def all_systems(self, q: str = "", **filters: Any) -> AsyncIterator[dict[str, Any]]:
        """Every matching system, page after page: `await collect(api.all_systems(q="board"))`."""
        async for system in self.pages("/systems", {"q": q, **filters}):
            yield system

    async def system(self, system_id: str, complete: bool = False) -> dict[str, Any]:
        """One system by id; `complete=True` adds its zones' and modules' records."""
        return await _said(self.client.system(system_id, complete))

    async def system_zones(self, system_id: str) -> list[dict[str, Any]]:
        """The zones a system is in (its building, level, …)."""
        return [z async for z in self.pages(f"/systems/{_id(system_id)}/zones")]

    async def settings(self, system_id: str) -> Any:
        """A system's settings, with those it inherits from its zones."""
        return await self.get(f"/systems/{_id(system_id)}/settings")

    async def zones(self, tags: str = "", parent_id: str = "", offset: int = 0, limit: int = 100) -> Page:
        """A page of zones by tag ("building", "level") and parent."""
        return await _said(self.client.zones(tags, parent_id, offset, limit))

    async def zone(self, zone_id: str) -> dict[str, Any]:
        """One zone by id."""
        return await _said(self.client.zone(zone_id))

    async def metadata(self, parent_id: str, name: str = "") -> dict[str, Any]:
        """The metadata of a system, zone or user, by name: {name: {name, description, details, …}}."""
        return dict(await self.get(f"/metadata/{_id(parent_id)}", {"name": name}) or {})

    async def set_metadata(self, parent_id: str, name: str, details: Any, description: str = "") -> dict[str, Any]:
        """Keep `details` (any JSON) under `name` on a system, zone or user: the record PlaceOS kept. Your own user's
        is yours to write; a room's or a zone's needs support staff or an administrator."""
        body = {"name": name, "details": details, "description": description}
        return dict(await self.put(f"/metadata/{_id(parent_id)}", json=body) or {})

    async def delete_metadata(self, parent_id: str, name: str) -> None:
        """Remove the metadata named `name` from a system, zone or user."""
        await self.delete(f"/metadata/{_id(parent_id)}", {"name": name})

    # -- modules: index, state, functions, calls ------------------------------------------------------------------
    async def modules(self, system_id: str = "", q: str = "", offset: int = 0, limit: int = 20) -> Page:
        """A page of modules, those of one system with `system_id`."""
        params = {"control_system_id": system_id, "q": q, "offset": offset, "limit": limit}
        return await _said(self.client.page("/modules", params, offset, limit, "modules"))

    async def state(self, system_id: str, module: str, index: int = 1) -> dict[str, Any]:
        """Every status variable of a system's module, decoded: `await api.state(sys, "Bookings")`."""
        answer = await self.get(f"/systems/{_id(system_id)}/{slug(module, index)}")
        return {str(k): _state_value(v) for k, v in (answer or {}).items()}

    async def status(self, system_id: str, module: str, name: str, index: int = 1) -> Any:
        """One status variable of a system's module, decoded: `await api.status(sys, "Bookings", "status")`."""
        return _state_value(await self.get(f"/systems/{_id(system_id)}/{slug(module, index)}/{quote(name, safe='')}"))

    async def functions(self, system_id: str, module: str, index: int = 1) -> dict[str, Any]:
        """What a module can be asked to do: {name: {arity, params, order}}."""
        return dict(await self.get(f"/systems/{_id(system_id)}/functions/{slug(module, index)}") or {})

    async def exec(self, system_id: str, module: str, method: str, *args: Any, index: int = 1) -> Any:
        """Call a module's function as PlaceOS does: `await api.exec(sys, "Bookings", "book_now", 1800, "Ad hoc")`.
        Its return value. Over the page's socket while it is connected (an ExecError carries PlaceOS's code),
        else by REST."""
        target = Binding(system_id, module, int(index), method)
        if self._over_socket():
            return await self._exec_live(target, list(args))
        path = f"/systems/{_id(system_id)}/{slug(module, index)}/{quote(method, safe='')}"
        return await self.post(path, json=list(args))

    # -- people -------------------------------------------------------------------------------------------------------
    async def current_user(self) -> dict[str, Any]:
        """Who is signed in."""
        return await _said(self.client.current_user())

    async def users(self, q: str = "", offset: int = 0, limit: int = 20) -> Page:
        """A page of users; `q` searches names and emails."""
        params = {"q": q, "offset": offset, "limit": limit}
        return await _said(self.client.page("/users", params, offset, limit, "users"))

    async def user(self, user_id: str) -> dict[str, Any]:
        """One user by id or email."""
        return dict(await self.get(f"/users/{_id(user_id)}") or {})

    # -- the staff API's bookings -------------------------------------------------------------------------------------
    async def bookings(self, period_start: int, period_end: int, zones: str = "", type: str = "room") -> list[Any]:
        """Bookings overlapping a period (epoch seconds), of a type ("room", "desk"), in zones (comma separated)."""
        params = {"period_start": period_start, "period_end": period_end, "type": type, "zones": zones}
        return list(await self.get(f"{STAFF}/bookings", params) or [])

    async def book(self, booking: Mapping[str, Any]) -> dict[str, Any]:
        """Create a booking: {booking_start, booking_end, booking_type, asset_id, title, zones, …}."""
        return dict(await self.post(f"{STAFF}/bookings", json=dict(booking)) or {})

    async def check_in(self, booking_id: str, state: bool = True) -> dict[str, Any]:
        """Check a booking in (or out, with state=False)."""
        answer = await self.post(f"{STAFF}/bookings/{_id(booking_id)}/check_in", {"state": str(state).lower()})
        return dict(answer or {})

    async def cancel(self, booking_id: str) -> None:
        """Delete a booking."""
        await self.delete(f"{STAFF}/bookings/{_id(booking_id)}")


__all__ = ["DeveloperApi", "ExecError", "slug"]
