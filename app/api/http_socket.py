"""Live state over HTTP, for a page whose PlaceOS is on another origin.

A browser cannot set a header on a websocket, and a cookie cannot be set for another origin, so there the token could
only travel in the socket's URL; a browser prints that URL, token and all, when the socket fails (a PlaceOS without
the websocket, a proxy that does not forward upgrades). So on another origin the page never opens one: this is
app.api.realtime's Socket, speaking the websocket's frames to it, over rest-api's module state
(`GET /api/engine/v2/systems/{sys}/{Module}_{index}`, the token in the Authorization header). It reads each bound
module once on bind and then every POLL_S; a value that changed arrives as a `notify` frame, as over the socket.
The cost: one request per bound module every POLL_S, and values up to POLL_S late.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from app.api.frames import MOD_NOT_FOUND, SYS_NOT_FOUND, UNKNOWN_COMMAND, Binding, slug
from app.core.errors import ApiError, NotFound
from app.core.ports import Sleep, Spawn
from app.core.urls import quote

POLL_S = 10.0
ModuleState = Callable[[str], Awaitable[dict[str, Any]]]  # the API's GET of a path: the module's state


def state_path(binding: Binding) -> str:
    return f"/systems/{quote(binding.sys, safe='')}/{slug(binding.mod, binding.index)}"


class HttpSocket:
    """One "connection": it ends (receive() answers None) when a read fails, and app.api.realtime connects again
    with its usual back-off, as after a dropped socket."""

    def __init__(self, get_state: ModuleState, sleep: Sleep, spawn: Spawn) -> None:
        self._get_state = get_state
        self._sleep = sleep
        self._spawn = spawn
        self._frames: asyncio.Queue[str | None] = asyncio.Queue()
        self._bound: set[Binding] = set()
        self._sent: dict[Binding, str] = {}  # the last value sent for each binding, JSON-encoded
        self._asked: dict[Binding, int] = {}  # bound since the last read, with their request ids: read together
        self._closed = False
        self._spawn(self._poll())

    async def send(self, text: str) -> None:
        if self._closed:
            raise OSError("closed")
        if text == "ping":
            self._frames.put_nowait("pong")
            return
        request = json.loads(text)
        if request["cmd"] not in ("bind", "unbind"):  # a module call goes by REST on this page (Realtime.speaks_exec)
            error = {"id": request["id"], "type": "error", "code": UNKNOWN_COMMAND, "msg": "exec goes over HTTP here"}
            self._frames.put_nowait(json.dumps(error))
            return
        binding = Binding(request["sys"], request["mod"], int(request["index"]), request["name"])
        if request["cmd"] == "unbind":
            self._bound.discard(binding)
            self._sent.pop(binding, None)
            self._frames.put_nowait(json.dumps({"id": request["id"], "type": "success"}))
            return
        self._bound.add(binding)
        self._frames.put_nowait(json.dumps({"id": request["id"], "type": "success"}))
        if not self._asked:  # its value at once, as the socket sends it on bind; a page's binds share one read each
            self._spawn(self._read_asked())
        self._asked[binding] = request["id"]

    async def receive(self) -> str | None:
        return None if self._closed else await self._frames.get()

    async def close(self) -> None:
        self._end()

    def _end(self) -> None:
        if not self._closed:
            self._closed = True
            self._frames.put_nowait(None)

    async def _poll(self) -> None:
        while not self._closed:
            await self._sleep(POLL_S)
            if not self._closed and self._bound:
                await self._read(set(self._bound))

    async def _read_asked(self) -> None:
        await asyncio.sleep(0)  # the binds sent together (a list's rows) are all asked for by then
        asked, self._asked = self._asked, {}
        await self._read(set(asked), asked)

    async def _read(self, bindings: set[Binding], ids: dict[Binding, int] | None = None) -> None:
        """One request per module; a module PlaceOS does not have is an error for each bind that asked for it."""
        modules = {(b.sys, b.mod, b.index) for b in bindings}
        for sys, mod, index in sorted(modules):
            try:
                state = await self._get_state(state_path(Binding(sys, mod, index, "")))
            except NotFound as error:
                code = SYS_NOT_FOUND if "system" in str(error).lower() else MOD_NOT_FOUND
                for binding in sorted(bindings, key=repr):
                    if (binding.sys, binding.mod, binding.index) == (sys, mod, index) and ids and binding in ids:
                        frame = {"id": ids[binding], "type": "error", "code": code, "msg": f"{mod}_{index} not found"}
                        self._frames.put_nowait(json.dumps(frame))
                self._bound -= {b for b in bindings if (b.sys, b.mod, b.index) == (sys, mod, index)}  # not polled
                continue
            except ApiError:
                self._end()  # as a socket that dropped: the reconnect checks the token over HTTP first
                return
            for binding in sorted(bindings, key=repr):
                if (binding.sys, binding.mod, binding.index) == (sys, mod, index) and binding in self._bound:
                    self._notify(binding, state.get(binding.name))

    def _notify(self, binding: Binding, raw: Any) -> None:
        # rest-api's state values are JSON text; a variable never set is absent, which the socket sends as null.
        value = raw if isinstance(raw, str) else "null"
        if self._sent.get(binding) == value:
            return
        self._sent[binding] = value
        meta = {"sys": binding.sys, "mod": binding.mod, "index": binding.index, "name": binding.name}
        self._frames.put_nowait(json.dumps({"type": "notify", "value": value, "meta": meta}))


def http_connect(get_state: ModuleState, sleep: Sleep, spawn: Spawn) -> Callable[[str], Awaitable[HttpSocket]]:
    """app.api.realtime's Connect for live state over HTTP: the URL is not used, and no token is in it."""

    async def connect(_url: str) -> HttpSocket:
        return HttpSocket(get_state, sleep, spawn)

    return connect


__all__ = ["MOD_NOT_FOUND", "POLL_S", "HttpSocket", "http_connect", "state_path"]
