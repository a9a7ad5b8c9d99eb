"""Live state over PlaceOS's websocket (/api/engine/v2/systems/control), as pure asyncio over an injected socket.

One socket per page. It binds what is on screen and unbinds what leaves it, binds everything again after a
reconnect, and reconnects by itself with jittered back-off capped at 30 s; after a renewal it reconnects at once
with the new token. A browser cannot set headers on a websocket, and prints a failed socket's URL to its console,
so the token never travels in the URL: `address` puts it where the page's set-up allows (app.api.socket_auth: a
short-lived cookie on the socket's path, as PlaceOS's own client does on its origin; on another origin the page
reads live state over HTTP instead, app.api.http_socket). Values arrive as stringified JSON and reach the app as
plain data, rendered as text like everything else.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from app.api.frames import Binding, Reply, exec_request, read_answer, read_frame
from app.core.ports import Sleep
from app.core.redact import log

# At most 10 s between tries, however long the server was away: live state is back within 15 s of PlaceOS
# (a kiosk's promise), for the cost of a refused connection every few seconds per page while it is down.
MAX_BACKOFF_S = 10.0
FIRST_BACKOFF_S = 1.0
# A connection that went quiet may be dead without a close ever arriving (a server that vanished, a NAT that forgot
# it): after this long without a frame the client pings, and if nothing answers in PONG_WAIT_S it reconnects.
KEEPALIVE_S = 20.0
PONG_WAIT_S = 10.0
MAX_UNANSWERED = 500  # bind requests awaiting PlaceOS's answer: a page binds a few dozen
Within = Callable[[Awaitable[str | None], float], Awaitable[str | None]]


class Socket(Protocol):
    async def send(self, text: str) -> None: ...

    async def receive(self) -> str | None: ...  # None once the socket is closed

    async def close(self) -> None: ...


Connect = Callable[[str], Awaitable[Socket]]  # raises OSError when no socket could be opened


class Address(Protocol):
    """Where the token goes with a socket (app.api.socket_auth): never in the URL."""

    def address(self, url: str, token: str) -> str: ...  # the URL to open; raises OSError if the token cannot go

    async def ready(self) -> None: ...  # the token is where the socket's handshake will look for it

    def forget(self) -> None: ...  # the upgrade is over: the token need wait nowhere any longer


OpenWith = Callable[[str], Awaitable[Socket]]  # a socket opened with this token, however the page sends it


def opener(url: str, connect: Connect, auth: Address) -> OpenWith:
    async def open_with(token: str) -> Socket:
        try:
            address = auth.address(url, token)
            await auth.ready()
            return await connect(address)
        finally:
            auth.forget()

    return open_with


def backoff(attempt: int, rng: random.Random) -> float:
    """Full jitter (AWS's "exponential backoff and jitter"): spread reconnecting displays apart."""
    return rng.uniform(0, min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2**attempt))


class Realtime:
    def __init__(
        self,
        url: str,
        token: Callable[[], str | None],
        connect: Connect,
        auth: Address,
        *,
        sleep: Sleep,
        rng: random.Random,
        on_value: Callable[[Binding, Any], None],
        on_state: Callable[[bool], None] = lambda connected: None,
        on_retry: Callable[[float], None] = lambda wait_s: None,
        on_missing: Callable[[Binding], None] = lambda binding: None,
        keepalive_s: float = KEEPALIVE_S,
        answers: Callable[[], Awaitable[bool]] | None = None,
        within: Within = asyncio.wait_for,
        speaks_exec: bool = True,
    ) -> None:
        self.speaks_exec = speaks_exec  # False over HTTP (app.api.http_socket): a module call goes by REST there
        self._token = token
        self._open = opener(url, connect, auth)
        self._sleep = sleep
        self._rng = rng
        self._on_value = on_value
        self._on_state = on_state
        self._on_retry = on_retry
        self._on_missing = on_missing  # PlaceOS refused a bind: no such system or module (a room without Bookings)
        self._keepalive_s = keepalive_s
        self._within = within  # a frame within so many seconds, else TimeoutError (asyncio.wait_for; tests drive it)
        self._answers = answers
        self._bound: set[Binding] = set()
        self._socket: Socket | None = None
        self._next_id = 0
        self._binds: dict[int, Binding] = {}  # the bind requests of this connection not yet answered, by id
        self._calls: dict[int, asyncio.Future[Reply]] = {}  # the exec requests of this connection, by id
        self._stopped = False
        self.attempts = 0  # failed connections in a row
        self.connections = 0

    @property
    def connected(self) -> bool:
        return self._socket is not None

    async def bind(self, binding: Binding) -> None:
        if binding not in self._bound:
            self._bound.add(binding)
            await self._send(binding, "bind")

    async def unbind(self, binding: Binding) -> None:
        if binding in self._bound:
            self._bound.discard(binding)
            await self._send(binding, "unbind")

    async def keep_only(self, wanted: set[Binding]) -> None:
        """Bind what is on screen now, unbind what left it."""
        for binding in sorted(self._bound - wanted, key=repr):
            await self.unbind(binding)
        for binding in sorted(wanted - self._bound, key=repr):
            await self.bind(binding)

    async def execute(self, target: Binding, args: list[Any]) -> Reply:
        """Call a module's function over the socket (target.name is the function): PlaceOS's reply. OSError when
        there is no connection, or it ends before PlaceOS answers."""
        socket = self._socket
        if socket is None:
            raise OSError("no live connection to PlaceOS")
        self._next_id += 1
        request_id = self._next_id
        reply: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._calls[request_id] = reply
        try:
            await socket.send(exec_request(request_id, target, args))
            return await reply
        finally:
            self._calls.pop(request_id, None)  # answered, cancelled (Ctrl+C) or the send failed

    async def token_changed(self) -> None:
        """A renewal happened: the socket reconnects with the new token at once (the old one is about to die)."""
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close()

    async def stop(self) -> None:
        self._stopped = True
        await self.token_changed()

    async def run(self) -> None:
        """Connect, bind, relay values; when the socket ends, connect again (at once after a renewal)."""
        while not self._stopped:
            token = self._token()
            if not token:
                await self._sleep(FIRST_BACKOFF_S)  # signed out for now: look again soon
                continue
            # After a failure (PlaceOS down or restarting, the token refused) a socket opens again only once PlaceOS
            # has answered this token over HTTP; while it does not, the retries stay off the socket.
            if self.attempts and self._answers is not None and not await self._answers():
                await self._back_off("PlaceOS does not answer this token yet")
                continue
            try:
                socket = await self._open(token)
            except OSError:
                await self._back_off("no connection")
                continue
            await self._serve(socket)

    async def _back_off(self, why: str) -> None:
        self.attempts += 1
        wait = backoff(self.attempts, self._rng)
        log.info("live updates: %s (attempt %d), trying again in %.1f s", why, self.attempts, wait)
        self._on_retry(wait)
        await self._sleep(wait)

    async def _serve(self, socket: Socket) -> None:
        self._socket, self.attempts = socket, 0
        self._binds.clear()
        self.connections += 1
        self._on_state(True)
        for binding in sorted(self._bound, key=repr):
            await self._send(binding, "bind")
        while self._socket is socket:
            text = await self._receive(socket)
            if text is None:
                break
            if (notified := read_frame(text)) is not None and notified[0] in self._bound:
                self._on_value(*notified)
            elif (answered := read_answer(text)) is not None:
                self._answered(answered)
        for call in self._calls.values():
            if not call.done():
                call.set_exception(OSError("the connection ended before PlaceOS answered"))
        self._calls.clear()
        renewed = self._socket is not socket  # token_changed() let go of it: reconnect at once
        self._socket = None
        self._on_state(False)
        if not renewed and not self._stopped:
            await self._back_off("the connection ended")

    def _answered(self, reply: Reply) -> None:
        if (call := self._calls.pop(reply.id, None)) is not None:
            if not call.done():
                call.set_result(reply)
        elif (asked := self._binds.pop(reply.id, None)) and reply.error and asked in self._bound:
            self._on_missing(asked)

    async def _receive(self, socket: Socket) -> str | None:
        """The next frame; None once the socket closed, or went quiet and did not answer a ping (then it is
        closed here, since no close will come)."""
        try:
            return await self._within(socket.receive(), self._keepalive_s)
        except TimeoutError:
            pass
        try:
            await socket.send("ping")
            return await self._within(socket.receive(), PONG_WAIT_S)
        except (TimeoutError, OSError):
            log.info("live updates: the connection went quiet and did not answer a ping; reconnecting")
            await socket.close()
            return None

    async def _send(self, binding: Binding, cmd: str) -> None:
        if self._socket is None:
            return  # sent when the socket (re)connects
        self._next_id += 1
        if cmd == "bind":
            if len(self._binds) > MAX_UNANSWERED:
                self._binds.clear()  # answers that never came (PlaceOS answers each): no unbounded growth
            self._binds[self._next_id] = binding
        try:
            await self._socket.send(binding.request(self._next_id, cmd))
        except OSError:
            pass  # the socket is going; the reconnect binds again


__all__ = [
    "Address",
    "OpenWith",
    "opener",
    "Within",
    "Connect",
    "Realtime",
    "Socket",
    "backoff",
]
