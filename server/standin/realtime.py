"""The stand-in's real-time API: PlaceOS's websocket at /api/engine/v2/systems/control.

Protocol (rest-api websocket/session): the client sends `{id, cmd: bind|unbind|exec|debug|ignore, sys, mod, index,
name, args}` and the text `ping`; the server answers `pong`, and `{id, type: success|notify|error, value, meta, code,
msg}` where `value` is stringified JSON. The token is checked at the upgrade (a bad one gets PlaceOS's JSON 401 and
no socket) and watched afterwards: the socket closes when the token expires, is revoked, or its user logs out.

Room state comes from the Bookings simulator (server/standin/rooms.py): a pure function of the room and the
stand-in's clock, so tests that move the clock see it change, and every run sees the same rooms.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .forms import hostname_of
from .rooms import Binding, Refused, RoomSimulator, functions_of
from .store import Store
from .tokens import TokenIssuer, TokenRejected

CONTROL_PATH = "/api/engine/v2/systems/control"
WATCH_S = 0.25  # how often open sockets look for changes, expiry and revocation
MAX_FRAME = 16 * 1024
# PlaceOS's error codes (rest-api websocket/session/response.cr)
PARSE_ERROR, BAD_REQUEST, ACCESS_DENIED, REQUEST_FAILED, UNKNOWN_CMD, SYS_NOT_FOUND, MOD_NOT_FOUND = range(7)
COMMANDS = ("bind", "unbind", "exec", "debug", "ignore")


class RequestError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_request(text: str) -> tuple[int, str, Binding | None, list[Any]]:
    """id, command, what it names and its args; RequestError (PARSE_ERROR or BAD_REQUEST) for anything else."""
    if len(text) > MAX_FRAME:
        raise RequestError(BAD_REQUEST, "frame too large")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise RequestError(PARSE_ERROR, "not JSON") from None
    if not isinstance(data, dict):
        raise RequestError(PARSE_ERROR, "not a JSON object")
    request_id, command = data.get("id"), data.get("cmd")
    if not isinstance(request_id, int) or isinstance(request_id, bool) or not 0 <= request_id < 2**53:
        raise RequestError(BAD_REQUEST, "id must be a whole number")
    if command not in COMMANDS:
        raise RequestError(UNKNOWN_CMD, f"unknown command {str(command)[:20]!r}")
    if command in ("debug", "ignore"):
        return request_id, command, None, []
    sys, mod, index, name = data.get("sys"), data.get("mod"), data.get("index", 1), data.get("name")
    if not all(isinstance(v, str) and 0 < len(v) <= 100 for v in (sys, mod, name)):
        raise RequestError(BAD_REQUEST, "sys, mod and name must be short strings")
    if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= 100:
        raise RequestError(BAD_REQUEST, "index must be a whole number from 1")
    args = data.get("args", [])
    if not isinstance(args, list):
        raise RequestError(BAD_REQUEST, "args must be a list")
    assert isinstance(sys, str) and isinstance(mod, str) and isinstance(name, str)
    return request_id, command, Binding(sys, mod, index, name), args


class Realtime:
    def __init__(
        self,
        store: Store,
        issuer: TokenIssuer,
        simulator: RoomSimulator,
        bearer_token: Callable[[web.Request], str | None],
        scopes: set[str],
        enabled: Callable[[], bool] = lambda: True,
    ) -> None:
        self._enabled = enabled  # off: as a PlaceOS behind a proxy that does not forward upgrades
        self._store = store
        self._issuer = issuer
        self._simulator = simulator
        self._bearer_token = bearer_token
        self._scopes = scopes
        self._clock = simulator._clock
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def open_sockets(self) -> int:
        return len(self._sockets)

    async def close_all(self, app: web.Application) -> None:
        """On shutdown: a socket left open would hold the server's stop for its whole shutdown timeout (60 s), and
        a client told "going away" reconnects at once rather than finding a dead connection by its keepalive."""
        for socket in list(self._sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")

    async def control(self, request: web.Request) -> web.StreamResponse:
        if not self._enabled():
            return web.json_response({"error": "not found"}, status=404)
        token = self._bearer_token(request)
        if not token:
            return web.json_response({"error": ""}, status=401)
        try:
            claims, _ = self._issuer.verify(token, hostname_of(request))
        except TokenRejected as exc:
            return web.json_response({"error": str(exc)}, status=401)  # no upgrade
        if not self._scopes & set(claims.scopes):
            return web.Response(status=403)
        socket = web.WebSocketResponse(max_msg_size=MAX_FRAME * 4)
        await socket.prepare(request)
        self._sockets.add(socket)
        bound: dict[Binding, Any] = {}
        watcher = asyncio.create_task(self._watch(socket, token, claims.exp, bound))
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    break
                await self._answer(socket, message.data, bound)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            self._sockets.discard(socket)
        return socket

    async def _answer(self, socket: web.WebSocketResponse, text: str, bound: dict[Binding, Any]) -> None:
        if text == "ping":
            await socket.send_str("pong")
            return
        request_id = 0
        try:
            request_id, command, binding, args = parse_request(text)
            if binding is None:
                await socket.send_json({"id": request_id, "type": "success"})
                return
            self._check(binding)
            if command == "bind":
                value = self._simulator.value(binding)
                bound[binding] = value
                await socket.send_json({"id": request_id, "type": "success", "meta": binding.meta()})
                await self._notify(socket, binding, value)
            elif command == "unbind":
                bound.pop(binding, None)
                await socket.send_json({"id": request_id, "type": "success", "meta": binding.meta()})
            else:  # exec: binding.name is the function, called as the REST route calls it (module_state.py)
                value = self._call(binding, args)
                await socket.send_json(
                    {"id": request_id, "type": "success", "meta": binding.meta(), "value": json.dumps(value)}
                )
        except RequestError as error:
            await socket.send_json({"id": request_id, "type": "error", "code": error.code, "msg": str(error)})

    async def _notify(self, socket: web.WebSocketResponse, binding: Binding, value: Any) -> None:
        await socket.send_json({"type": "notify", "value": json.dumps(value), "meta": binding.meta()})

    async def _watch(self, socket: web.WebSocketResponse, token: str, exp: int, bound: dict[Binding, Any]) -> None:
        """Close the socket when its token stops being good; send what changed in the rooms it is bound to."""
        jti = self._issuer.peek_jti(token)
        while not socket.closed:
            await asyncio.sleep(WATCH_S)
            reason = self._ended(jti, exp)
            if reason:
                await socket.close(code=4001, message=reason.encode())
                return
            for binding, last in list(bound.items()):
                value = self._simulator.value(binding)
                if binding in bound and value != last:
                    bound[binding] = value
                    await self._notify(socket, binding, value)

    def _ended(self, jti: str | None, exp: int) -> str | None:
        if self._clock() >= exp:
            return "token expired"
        state = self._store.access_token_state(jti) if jti else "revoked"
        return None if state == "live" else f"token {state}" if state == "revoked" else state

    def _call(self, target: Binding, args: list[Any]) -> Any:
        """A module's function, or PlaceOS's REQUEST_FAILED: the driver raised (no such function, a room booked)."""
        if target.name not in functions_of(target.mod, target.index):
            raise RequestError(REQUEST_FAILED, f"{target.mod}_{target.index} has no function {target.name!r}")
        try:
            return self._simulator.call(target.sys, target.name, args)
        except Refused as refused:
            raise RequestError(REQUEST_FAILED, str(refused)) from None

    def _check(self, binding: Binding) -> None:
        """RequestError unless the system and its module exist."""
        missing = self._simulator.missing(binding)
        if missing == "system":
            raise RequestError(SYS_NOT_FOUND, f"system {binding.sys} not found")
        if missing == "module":
            raise RequestError(MOD_NOT_FOUND, f"module {binding.mod}_{binding.index} not found")

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(CONTROL_PATH, self.control)
        app.on_shutdown.append(self.close_all)


__all__ = ["CONTROL_PATH", "Binding", "Realtime", "RequestError", "RoomSimulator", "parse_request"]
