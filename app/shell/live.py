"""The open system's live state: what app.realtime relays for it, kept in the model, bound only while on screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.api.realtime import Binding, Realtime
from app.auth.session import Token
from app.browse.place import Place

if TYPE_CHECKING:
    from app.shell.controller import App

LIVE_STATE = ("status", "in_use", "people_count", "current_booking", "next_booking")  # of Bookings_1
SOCKET_MARGIN_S = 3.0


def socket_token(token: Token | None, now: float) -> str | None:
    """The token to open a socket with, or None to wait for its renewal. Near its end a token is not offered: the
    server's clock (its exp is whole seconds, from before the response arrived) may count it expired already, and a
    refused websocket makes the browser print its URL, token and all, to the console."""
    if token is None:
        return None
    return token.access_token.reveal() if token.remaining(now) > SOCKET_MARGIN_S else None


class Live:
    def __init__(self, app: App, realtime: Realtime | None) -> None:
        self._app = app
        self.realtime = realtime  # None: an app without live state (tests, or a PlaceOS without a websocket)
        self._running = False
        self.on_value: Callable[[Binding, Any], None] = self._detail_value  # the kiosk board takes them instead
        self.connected = False
        self.retry_at: float | None = None  # when a dropped connection is tried again

    def start(self) -> None:
        """The one socket of the page, from the first signed-in screen on."""
        if self.realtime is not None and not self._running:
            self._running = True
            self._app.spawn(self.realtime.run())

    async def follow(self, place: Place) -> None:
        """Bind the open system's live state, and nothing else: what leaves the screen is unbound."""
        if self.realtime is None:
            return
        model = self._app.model
        if place.system != model.live_system:
            model.live, model.live_system = {}, place.system
        wanted = {Binding(place.system, "Bookings", 1, name) for name in LIVE_STATE} if place.system else set()
        await self.realtime.keep_only(wanted)

    async def keep_only(self, wanted: set[Binding]) -> None:
        if self.realtime is not None:
            await self.realtime.keep_only(wanted)

    def value(self, binding: Binding, value: Any) -> None:
        self.on_value(binding, value)

    def _detail_value(self, binding: Binding, value: Any) -> None:
        model = self._app.model
        if binding.sys == model.place.system == model.live_system:
            model.live[binding.name] = value
            if self._app.working:
                self._app.show()

    def connection(self, connected: bool) -> None:
        self.connected = connected
        if connected:
            self.retry_at = None
            self._app.session.signed_in_ok()  # PlaceOS took the token at the upgrade: no sign-in loop here

    def retrying(self, wait_s: float) -> None:
        self.retry_at = self._app.clock() + wait_s

    async def renewed(self) -> None:
        if self.realtime is not None:
            await self.realtime.token_changed()  # the socket moves to the new token at once

    async def stop(self) -> None:
        if self.realtime is not None:
            await self.realtime.stop()


__all__ = ["LIVE_STATE", "Live", "socket_token"]
