"""Live state over the websocket (app.realtime), with a fake socket and a recorded sleep: binding, re-binding after a
reconnect, jittered back-off capped at 30 s, and reconnecting at once with a renewed token."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable
from typing import Any

import pytest

from app.api.frames import Binding, Reply
from app.api.realtime import MAX_BACKOFF_S, Realtime, backoff

URL = "ws://127.0.0.1:8000/api/engine/v2/systems/control"
STATUS = Binding("sys-1", "Bookings", 1, "status")
PEOPLE = Binding("sys-1", "Bookings", 1, "people_count")


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.frames: asyncio.Queue[str | None] = asyncio.Queue()
        self.closed = False
        self.pings = 0
        self.answers_pings = True

    async def send(self, text: str) -> None:
        if self.closed:
            raise OSError("closed")
        if text == "ping":
            self.pings += 1
            if self.answers_pings:
                self.frames.put_nowait("pong")
            return
        self.sent.append(json.loads(text))

    async def receive(self) -> str | None:
        return await self.frames.get()

    async def close(self) -> None:
        self.closed = True
        self.frames.put_nowait(None)

    def notify(self, binding: Binding, value: Any) -> None:
        meta = {"sys": binding.sys, "mod": binding.mod, "index": binding.index, "name": binding.name}
        self.frames.put_nowait(json.dumps({"type": "notify", "value": json.dumps(value), "meta": meta}))


class Server:
    """Hands out sockets, or refuses (None in the script), and records the URLs asked for."""

    def __init__(self, script: list[bool] | None = None) -> None:
        self.script = script or []
        self.sockets: list[FakeSocket] = []
        self.urls: list[str] = []

    async def connect(self, url: str) -> FakeSocket:
        self.urls.append(url)
        if self.script and not self.script.pop(0):
            raise OSError("refused")
        socket = FakeSocket()
        self.sockets.append(socket)
        return socket


class RecordingAuth:
    """Where the token went with each socket (app.api.socket_auth), and that it was forgotten after each try."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.forgotten = 0
        self.readied = 0

    def address(self, url: str, token: str) -> str:
        self.tokens.append(token)
        return url

    async def ready(self) -> None:
        self.readied += 1

    def forget(self) -> None:
        self.forgotten += 1


class World:
    def __init__(self, script: list[bool] | None = None, answers: list[bool] | None = None) -> None:
        self.server = Server(script)
        self.quiet = asyncio.Event()  # set by the test: the socket has been quiet past its timeout
        self.answers = answers  # what PlaceOS says over HTTP when asked before a reconnect, in order
        self.asked = 0
        self.token = "tok-one-abcdefgh"
        self.sleeps: list[float] = []
        self.values: list[tuple[Binding, Any]] = []
        self.missing: list[Binding] = []
        self.auth = RecordingAuth()
        self.realtime = Realtime(
            URL,
            lambda: self.token,
            self.server.connect,
            self.auth,
            sleep=self.sleep,
            rng=random.Random(7),
            on_value=lambda binding, value: self.values.append((binding, value)),
            on_missing=self.missing.append,
            answers=self.placeos_answers if answers is not None else None,
            within=self.within,
        )
        self.task: asyncio.Task[None] | None = None

    async def placeos_answers(self) -> bool:
        self.asked += 1
        assert self.answers, "asked PlaceOS more often than the test scripted"
        return self.answers.pop(0)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)

    async def within(self, frame: Awaitable[str | None], seconds: float) -> str | None:
        """asyncio.wait_for on the test's time: the frame, or TimeoutError once the test says the time passed."""
        receiving = asyncio.ensure_future(frame)
        passing = asyncio.ensure_future(self.quiet.wait())
        done, _ = await asyncio.wait({receiving, passing}, return_when=asyncio.FIRST_COMPLETED)
        if receiving in done:
            passing.cancel()
            return receiving.result()
        receiving.cancel()
        self.quiet.clear()
        raise TimeoutError

    async def time_passes(self) -> None:
        """As long as the socket waits for a frame before it pings, or for the pong."""
        self.quiet.set()
        await self.settle()

    async def start(self) -> None:
        self.task = asyncio.ensure_future(self.realtime.run())
        await self.settle()

    async def settle(self) -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    async def stop(self) -> None:
        await self.realtime.stop()
        await self.settle()
        assert self.task is not None
        self.task.cancel()


def tokens(world: World) -> list[str]:
    """The token each socket was opened with; never in the URL a browser would print if it failed."""
    assert set(world.server.urls) <= {URL}, world.server.urls
    assert world.auth.forgotten == len(world.auth.tokens) == world.auth.readied  # each socket waited for its token
    return world.auth.tokens


async def test_binds_what_is_wanted_and_relays_its_values_only() -> None:
    world = World()
    await world.start()
    await world.realtime.keep_only({STATUS, PEOPLE})
    socket = world.server.sockets[0]
    assert sorted((m["cmd"], m["name"]) for m in socket.sent) == [("bind", "people_count"), ("bind", "status")]
    socket.notify(STATUS, "busy")
    socket.notify(Binding("sys-2", "Bookings", 1, "status"), "free")  # not bound here: ignored
    await world.settle()
    assert world.values == [(STATUS, "busy")]
    await world.realtime.keep_only({STATUS})
    assert socket.sent[-1]["cmd"] == "unbind" and socket.sent[-1]["name"] == "people_count"
    assert len({m["id"] for m in socket.sent}) == len(socket.sent)  # every request has its own id
    await world.stop()


async def test_a_bind_placeos_refuses_is_reported_missing_and_its_answer_to_another_is_not() -> None:
    world = World()
    await world.start()
    await world.realtime.keep_only({STATUS, PEOPLE})
    socket = world.server.sockets[0]
    ids = {m["name"]: m["id"] for m in socket.sent}
    socket.frames.put_nowait(json.dumps({"id": ids["status"], "type": "error", "code": 1, "msg": "no Bookings_1"}))
    socket.frames.put_nowait(json.dumps({"id": ids["people_count"], "type": "success"}))
    socket.frames.put_nowait(json.dumps({"id": 999, "type": "error", "code": 1}))  # asked by nobody
    await world.settle()
    assert world.missing == [STATUS]
    socket.frames.put_nowait(json.dumps({"id": ids["status"], "type": "error", "code": 1}))  # answered once only
    await world.settle()
    assert world.missing == [STATUS]
    await world.stop()


async def test_a_module_call_goes_over_the_socket_and_waits_for_its_own_answer() -> None:
    world = World()
    with pytest.raises(OSError, match="no live connection"):  # not connected yet: the caller goes by REST
        await world.realtime.execute(Binding("sys-1", "Bookings", 1, "book_now"), [1800])
    await world.start()
    socket = world.server.sockets[0]
    calling = asyncio.ensure_future(world.realtime.execute(Binding("sys-1", "Bookings", 1, "book_now"), [1800]))
    await world.settle()
    call = socket.sent[-1]
    assert {k: call[k] for k in ("cmd", "sys", "mod", "index", "name", "args")} == {
        "cmd": "exec", "sys": "sys-1", "mod": "Bookings", "index": 1, "name": "book_now", "args": [1800],
    }  # fmt: skip
    socket.frames.put_nowait(json.dumps({"id": call["id"] + 1, "type": "success", "value": "false"}))  # not ours
    socket.frames.put_nowait(json.dumps({"id": call["id"], "type": "success", "value": "true"}))
    assert await calling == Reply(call["id"], False, True)
    refused = asyncio.ensure_future(world.realtime.execute(Binding("sys-1", "Nope", 1, "go"), []))
    await world.settle()
    socket.frames.put_nowait(json.dumps({"id": socket.sent[-1]["id"], "type": "error", "code": 6, "msg": "no Nope"}))
    assert (await refused).describe() == "6 module not found: no Nope"
    # The connection ends before PlaceOS answers: the caller hears so rather than waiting for ever.
    lost = asyncio.ensure_future(world.realtime.execute(Binding("sys-1", "Bookings", 1, "end_meeting"), [0]))
    await world.settle()
    await socket.close()
    with pytest.raises(OSError, match="ended before PlaceOS answered"):
        await lost
    assert world.missing == []  # a call's answers are not binds'
    await world.stop()


async def test_after_the_server_hangs_up_it_reconnects_with_backoff_and_binds_again() -> None:
    world = World()
    await world.start()
    await world.realtime.keep_only({STATUS})
    world.server.sockets[0].frames.put_nowait(None)  # the server closed it (e.g. a restart)
    await world.settle()
    assert len(world.server.sockets) == 2 and world.sleeps and 0 <= world.sleeps[-1] <= 2
    assert [m["cmd"] for m in world.server.sockets[1].sent] == ["bind"]
    await world.stop()


async def test_a_quiet_connection_is_pinged_and_one_that_never_answers_is_replaced() -> None:
    world = World()
    await world.start()
    await world.realtime.keep_only({STATUS})
    first = world.server.sockets[0]
    await world.time_passes()
    await world.time_passes()
    assert first.pings == 2 and not first.closed and len(world.server.sockets) == 1  # answered: kept
    first.answers_pings = False  # half-open: the server vanished and no close will ever come
    await world.time_passes()  # quiet: a ping, unanswered…
    assert first.pings == 3 and not first.closed
    await world.time_passes()  # …and no pong in time: replaced
    assert first.closed and len(world.server.sockets) == 2
    assert [m["cmd"] for m in world.server.sockets[1].sent] == ["bind"]  # bound again on the new one
    await world.stop()


async def test_a_renewal_reconnects_at_once_with_the_new_token_and_the_old_socket_is_closed() -> None:
    world = World()
    await world.start()
    await world.realtime.keep_only({STATUS})
    old = world.server.sockets[0]
    world.token = "tok-two-abcdefgh"
    await world.realtime.token_changed()
    await world.settle()
    assert old.closed and len(world.server.sockets) == 2
    assert tokens(world) == ["tok-one-abcdefgh", "tok-two-abcdefgh"]
    assert world.sleeps == []  # no back-off for a renewal
    assert world.server.sockets[1].sent[0]["cmd"] == "bind"
    await world.stop()


async def test_after_a_failure_a_socket_opens_again_only_once_placeos_answers_the_token_over_http() -> None:
    # The browser prints a failed socket's URL, bearer_token and all: while PlaceOS is down or refuses the token,
    # retries ask over HTTP (token in a header) and open no socket.
    world = World([False], answers=[False, False, True])
    await world.start()
    await world.settle()
    assert world.asked == 3 and len(world.server.urls) == 2 and len(world.sleeps) == 3
    assert len(world.server.sockets) == 1
    # Connected: a hang-up is a failure too, so PlaceOS is asked again before the next socket.
    world.answers = [True]
    world.server.sockets[0].frames.put_nowait(None)
    await world.settle()
    assert world.asked == 4 and len(world.server.sockets) == 2
    # A renewal is no failure: the new token's socket opens at once, without asking.
    world.token = "tok-two-abcdefgh"
    await world.realtime.token_changed()
    await world.settle()
    assert world.asked == 4 and len(world.server.sockets) == 3 and tokens(world)[-1] == "tok-two-abcdefgh"
    await world.stop()


async def test_failed_connections_back_off_with_jitter_up_to_thirty_seconds() -> None:
    world = World([False] * 12 + [True])
    await world.start()
    await world.settle()
    assert len(world.sleeps) == 12 and len(world.server.sockets) == 1
    assert all(0 <= s <= MAX_BACKOFF_S for s in world.sleeps)
    assert max(world.sleeps) > 4  # the ceiling grows …
    assert len(set(world.sleeps)) == len(world.sleeps)  # … and every wait is drawn afresh: displays spread out
    assert world.realtime.attempts == 0  # connected: the count starts over
    await world.stop()


def test_backoff_ceiling() -> None:
    rng = random.Random(1)
    assert all(backoff(n, rng) <= MAX_BACKOFF_S for n in range(100))
    assert all(backoff(1, rng) <= 2 for _ in range(100))


async def test_signed_out_it_waits_for_a_token_without_connecting() -> None:
    world = World()
    world.token = ""
    await world.start()
    assert world.server.urls == [] and world.sleeps
    await world.stop()
