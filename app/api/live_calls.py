"""A developer's calls over the page's one socket (app.api.live): a status variable's value, each change of it, and
a module's function called as PlaceOS's own client does (`exec` frames, answered with PlaceOS's error codes). The
console's `api` (app.api.developer) is built on this; the screen's bindings and the developer's share the socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from app.api.frames import Binding
from app.api.live import Live
from app.core.errors import ApiError

OWNER = "developer"  # the developer's bindings, beside the screen's (app.api.live)
VALUE_WAIT_S = 10.0  # as ts-client's execute: a binding or a call that says nothing in this long has nothing to say


class ExecError(ApiError):
    """PlaceOS refused a module call over the socket: `code` is its error code (5 system not found, 6 module not
    found, 3 request failed, …), `msg` its words."""

    def __init__(self, message: str, code: int | None, msg: str) -> None:
        super().__init__(message)
        self.code = code
        self.msg = msg


def _called(target: Binding) -> str:
    return f"exec {target.mod}_{target.index}.{target.name} on {target.sys}"


class LiveCalls:
    def __init__(self, live: Live | None) -> None:
        self._live = live
        self._bound: dict[Binding, int] = {}  # how many of the developer's values and listens hold each binding

    def _over_socket(self) -> bool:
        realtime = self._live.realtime if self._live is not None else None
        return realtime is not None and realtime.connected and realtime.speaks_exec

    async def _exec_live(self, target: Binding, args: list[Any]) -> Any:
        assert self._live is not None and self._live.realtime is not None
        try:
            reply = await asyncio.wait_for(self._live.realtime.execute(target, args), VALUE_WAIT_S)
        except (OSError, TimeoutError) as error:
            # Not sent again: the call may have run (book_now twice is two bookings).
            why = "no answer in 10 s" if isinstance(error, TimeoutError) else str(error)
            raise ApiError(f"{_called(target)} — {why}; it may or may not have run") from None
        if reply.error:
            raise ExecError(f"{_called(target)} — {reply.describe()}", reply.code, reply.msg)
        return reply.value

    async def value(self, system_id: str, module: str, name: str, index: int = 1) -> Any:
        """A status variable's value now, over the page's socket: `await api.value(sys, "Bookings", "status")`."""
        values = self.listen(system_id, module, name, index)
        try:
            return await anext(values)
        finally:
            await values.aclose()  # unbound now, not when the generator is collected

    async def listen(self, system_id: str, module: str, name: str, index: int = 1) -> AsyncGenerator[Any, None]:
        """Each value of a status variable as it changes: `async for v in api.listen(sys, "Bookings", "status")`.
        Unbound when the loop ends or is stopped (Ctrl+C)."""
        live = self._live
        if live is None or live.realtime is None:
            raise ApiError("This page has no live connection to PlaceOS (no websocket, and none over HTTP).")
        binding = Binding(system_id, module, int(index), name)
        values: asyncio.Queue[Any] = asyncio.Queue()
        stop = live.subscribe(lambda b, v: values.put_nowait(v) if b == binding else None)
        await self._hold(binding, +1)
        try:
            if binding in live.known:  # bound already (the screen shows it): PlaceOS sends it no more
                values.put_nowait(live.known[binding])
            try:
                yield await asyncio.wait_for(values.get(), VALUE_WAIT_S)
            except TimeoutError:
                raise ApiError(f"No value for {module}_{index} {name!r} of {system_id} in 10 s.") from None
            while True:
                yield await values.get()
        finally:
            stop()
            await self._hold(binding, -1)

    async def _hold(self, binding: Binding, change: int) -> None:
        held = self._bound.get(binding, 0) + change
        if held > 0:
            self._bound[binding] = held
        else:
            self._bound.pop(binding, None)
        if self._live is not None:
            await self._live.keep_only(set(self._bound), owner=OWNER)


__all__ = ["OWNER", "VALUE_WAIT_S", "ExecError", "LiveCalls"]
