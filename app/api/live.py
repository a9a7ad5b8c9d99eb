"""The page's one websocket as the app uses it: which bindings are wanted, whether it is connected and when it
tries again, and each value as an event that the kiosk board and a room's detail subscribe to (and unsubscribe
from). app.api.realtime keeps the socket itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.api.frames import Binding
from app.api.realtime import Realtime
from app.core.ports import Clock, Spawn

Listener = Callable[[Binding, Any], None]


class Live:
    def __init__(
        self,
        realtime: Realtime | None,
        *,
        spawn: Spawn,
        clock: Clock,
        on_connected: Callable[[], None] = lambda: None,
    ) -> None:
        self.realtime = realtime  # None: an app without live state (tests, or a PlaceOS without a websocket)
        self._spawn = spawn
        self._clock = clock
        self._on_connected = on_connected  # PlaceOS took the token at the upgrade: no sign-in loop here
        self._listeners: list[Listener] = []
        self._wanted: dict[str, set[Binding]] = {}  # what each owner has bound
        self.known: dict[Binding, Any] = {}  # the last value of each binding still bound (sent once, on bind)
        self._running = False
        self.connected = False
        self.retry_at: float | None = None  # when a dropped connection is tried again

    def start(self) -> None:
        """The one socket of the page, from the first signed-in screen on."""
        if self.realtime is not None and not self._running:
            self._running = True
            self._spawn(self.realtime.run())

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Every value from now on goes to `listener`, until the returned function is called."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def keep_only(self, wanted: set[Binding], owner: str = "screen") -> None:
        """`owner`'s bindings are these and no others (what leaves the screen is unbound); the socket binds what any
        owner wants, so a developer's bindings (app.api.developer) and the screen's share the page's one socket."""
        if wanted:
            self._wanted[owner] = set(wanted)
        else:
            self._wanted.pop(owner, None)
        bound = set().union(*self._wanted.values())
        self.known = {binding: value for binding, value in self.known.items() if binding in bound}
        if self.realtime is not None:
            await self.realtime.keep_only(bound)

    def value(self, binding: Binding, value: Any) -> None:
        self.known[binding] = value
        for listener in list(self._listeners):
            listener(binding, value)

    def missing(self, binding: Binding) -> None:
        """PlaceOS has no such module or system (a room without Bookings): its value is None, known absent."""
        self.value(binding, None)

    def connection(self, connected: bool) -> None:
        self.connected = connected
        if connected:
            self.retry_at = None
            self._on_connected()

    def retrying(self, wait_s: float) -> None:
        self.retry_at = self._clock() + wait_s

    async def renewed(self) -> None:
        if self.realtime is not None:
            await self.realtime.token_changed()  # the socket moves to the new token at once

    async def stop(self) -> None:
        if self.realtime is not None:
            await self.realtime.stop()


__all__ = ["Listener", "Live"]
