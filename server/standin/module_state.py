"""A system's modules over HTTP, as rest-api answers: their functions (`…/functions/{module_slug}`), a call to
one (`POST …/{module_slug}/{method}`, the arguments a JSON array), and their state: `GET
/api/engine/v2/systems/{sys_id}/{module_slug}` (every status variable, each value JSON-encoded: rest-api's
Hash(String, String)) and `…/{module_slug}/{key}` (one variable's value as JSON). `module_slug` is `Bookings_1`,
or `Bookings` for index 1. A page whose PlaceOS is on another origin reads live state this way, so no token ever
travels in a websocket's URL (app.api.http_socket)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .api import SYSTEMS_PATH, SYSTEMS_SCOPES, ApiError
from .rooms import Binding, Refused, RoomSimulator, functions_of

Authenticate = Callable[[web.Request, set[str]], Awaitable[Any]]
SLUG = re.compile(r"([A-Za-z][A-Za-z0-9]{0,63})(?:_([1-9][0-9]{0,3}))?")
# What the simulator's Bookings module publishes (PlaceOS's Bookings driver); other modules publish nothing yet.
BOOKINGS_STATE = ("status", "in_use", "pending", "people_count", "current_booking", "next_booking", "bookings")


def parse_slug(slug: str) -> tuple[str, int] | None:
    """("Bookings", 1) from "Bookings_1" or "Bookings"; None for anything else."""
    match = SLUG.fullmatch(slug)
    if match is None:
        return None
    return match.group(1), int(match.group(2) or 1)


class ModuleStateRoutes:
    def __init__(self, authenticate: Authenticate, simulator: RoomSimulator) -> None:
        self._authenticate = authenticate
        self._simulator = simulator

    def _module(self, request: web.Request) -> tuple[str, str, int]:
        sys_id, slug = request.match_info["sys_id"], request.match_info["module_slug"]
        parsed = parse_slug(slug)
        if parsed is None:
            raise ApiError(404, f"module {slug!r} not found")
        mod, index = parsed
        missing = self._simulator.missing(Binding(sys_id, mod, index, "status"))
        if missing == "system":
            raise ApiError(404, f"system {sys_id!r} not found")
        if missing == "module":
            raise ApiError(404, f"module {mod}_{index} not found in system {sys_id!r}")
        return sys_id, mod, index

    def _state(self, sys_id: str, mod: str, index: int) -> dict[str, Any]:
        if (mod, index) != ("Bookings", 1):
            return {}
        return {name: self._simulator.value(Binding(sys_id, mod, index, name)) for name in BOOKINGS_STATE}

    async def state(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        state = self._state(*self._module(request))
        return web.json_response({name: json.dumps(value) for name, value in state.items()})

    async def lookup(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        state = self._state(*self._module(request))
        return web.json_response(state.get(request.match_info["key"]))  # null for a variable not (yet) set

    async def functions(self, request: web.Request) -> web.StreamResponse:
        """What a module can be asked to do: the simulated Bookings module's functions; other modules none yet."""
        await self._authenticate(request, SYSTEMS_SCOPES)
        _, mod, index = self._module(request)
        return web.json_response(functions_of(mod, index))

    async def execute(self, request: web.Request) -> web.StreamResponse:
        """POST …/{module_slug}/{method} with the arguments as a JSON array: the function's return value. A call
        the room cannot take is PlaceOS's 4xx, not a 500."""
        await self._authenticate(request, SYSTEMS_SCOPES)
        sys_id, mod, index = self._module(request)
        method = request.match_info["method"]
        try:
            args = await request.json() if request.can_read_body else []
        except ValueError:
            raise ApiError(400, "the body must be a JSON array of the function's arguments") from None
        if not isinstance(args, list):
            raise ApiError(400, "the body must be a JSON array of the function's arguments")
        if method not in functions_of(mod, index):
            raise ApiError(404, f"{mod}_{index} has no function {method!r}")
        try:
            return web.json_response(self._simulator.call(sys_id, method, args))
        except Refused as refused:
            raise ApiError(409, str(refused)) from None

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(SYSTEMS_PATH + "/{sys_id}/functions/{module_slug}", self.functions)
        app.router.add_get(SYSTEMS_PATH + "/{sys_id}/{module_slug}", self.state)
        app.router.add_get(SYSTEMS_PATH + "/{sys_id}/{module_slug}/{key}", self.lookup)
        app.router.add_post(SYSTEMS_PATH + "/{sys_id}/{module_slug}/{method}", self.execute)


__all__ = ["ModuleStateRoutes", "parse_slug"]
