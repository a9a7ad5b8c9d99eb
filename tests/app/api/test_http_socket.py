"""Live state over HTTP for a PlaceOS on another origin: the websocket's frames, from rest-api's module state."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.frames import UNKNOWN_COMMAND, Binding, exec_request, read_frame
from app.api.http_socket import MOD_NOT_FOUND, POLL_S, HttpSocket, state_path
from app.core.errors import NetworkError, NotFound

STATUS = Binding("sys-1", "Bookings", 1, "status")
PEOPLE = Binding("sys-1", "Bookings", 1, "people_count")
OTHER = Binding("sys-2", "Bookings", 1, "status")


class PlaceOS:
    """rest-api's GET /systems/{sys}/{Module}_{index}: each value JSON text; a path it does not know is a 404."""

    def __init__(self) -> None:
        self.states: dict[str, dict[str, Any]] = {
            state_path(STATUS): {"status": '"free"', "people_count": "0"},
        }
        self.asked: list[str] = []
        self.down = False

    async def get_state(self, path: str) -> dict[str, Any]:
        self.asked.append(path)
        if self.down:
            raise NetworkError("PlaceOS cannot be reached.")
        if path not in self.states:
            raise NotFound("Not found: module Bookings_1 not found")
        return self.states[path]


class Clock:
    """The poll's sleeps, released one period at a time by the test."""

    def __init__(self) -> None:
        self.tick = asyncio.Event()
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.tick.wait()
        self.tick.clear()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def frames(socket: HttpSocket) -> list[Any]:
    """What the socket has to say now, as app.api.realtime reads it."""
    out = []
    while True:
        try:
            text = await asyncio.wait_for(socket.receive(), 0.01)
        except TimeoutError:
            return out
        out.append(text if text is None or text == "pong" else json.loads(text))


def spawn(coroutine: Awaitable[None]) -> Any:
    return asyncio.ensure_future(coroutine)


def bind(binding: Binding, request_id: int, cmd: str = "bind") -> str:
    return binding.request(request_id, cmd)


async def test_a_bind_answers_success_then_the_value_at_once_and_later_only_what_changed() -> None:
    placeos, clock = PlaceOS(), Clock()
    socket = HttpSocket(placeos.get_state, clock.sleep, spawn)
    await socket.send(bind(STATUS, 1))
    await settle()
    got = await frames(socket)
    assert got[0] == {"id": 1, "type": "success"}
    assert read_frame(json.dumps(got[1])) == (STATUS, "free")
    clock.tick.set()  # a poll with nothing changed: nothing sent
    await settle()
    assert await frames(socket) == []
    placeos.states[state_path(STATUS)]["status"] = '"busy"'
    clock.tick.set()
    await settle()
    assert [read_frame(json.dumps(f)) for f in await frames(socket)] == [(STATUS, "busy")]
    assert clock.slept[0] == POLL_S
    await socket.close()


async def test_one_read_per_module_however_many_of_its_variables_are_bound_and_unbound_ones_go_quiet() -> None:
    placeos, clock = PlaceOS(), Clock()
    socket = HttpSocket(placeos.get_state, clock.sleep, spawn)
    await socket.send(bind(STATUS, 1))
    await socket.send(bind(PEOPLE, 2))
    await settle()
    await frames(socket)
    assert placeos.asked == [state_path(STATUS)]  # binds sent together (a list's rows) are read together
    placeos.asked.clear()
    clock.tick.set()
    await settle()
    assert placeos.asked == [state_path(STATUS)]
    await socket.send(bind(STATUS, 3, "unbind"))
    placeos.states[state_path(STATUS)] = {"status": '"busy"', "people_count": "4"}
    clock.tick.set()
    await settle()
    assert [read_frame(json.dumps(f)) for f in await frames(socket) if f.get("type") == "notify"] == [(PEOPLE, 4)]
    await socket.close()


async def test_a_module_placeos_does_not_have_is_an_error_frame_and_a_variable_never_set_is_null() -> None:
    placeos, clock = PlaceOS(), Clock()
    socket = HttpSocket(placeos.get_state, clock.sleep, spawn)
    await socket.send(bind(OTHER, 1))
    await socket.send(bind(Binding("sys-2", "Bookings", 1, "next_booking"), 3))
    await socket.send(bind(Binding("sys-1", "Bookings", 1, "bookings"), 2))
    await settle()
    got = await frames(socket)
    errors = [f for f in got if f.get("type") == "error"]
    assert errors == [  # each bind that asked for it hears it, by its own id
        {"id": 3, "type": "error", "code": MOD_NOT_FOUND, "msg": "Bookings_1 not found"},
        {"id": 1, "type": "error", "code": MOD_NOT_FOUND, "msg": "Bookings_1 not found"},
    ]
    notified = [read_frame(json.dumps(f)) for f in got if f.get("type") == "notify"]
    assert notified == [(Binding("sys-1", "Bookings", 1, "bookings"), None)]
    placeos.asked.clear()
    clock.tick.set()
    await settle()
    assert placeos.asked == [state_path(STATUS)]  # what PlaceOS does not have is not asked for again
    await socket.close()


async def test_a_failed_read_ends_the_connection_as_a_dropped_socket_does_and_a_ping_is_answered() -> None:
    placeos, clock = PlaceOS(), Clock()
    socket = HttpSocket(placeos.get_state, clock.sleep, spawn)
    await socket.send("ping")
    assert await frames(socket) == ["pong"]
    await socket.send(bind(STATUS, 1))
    await settle()
    await frames(socket)
    placeos.down = True
    clock.tick.set()
    await settle()
    assert await socket.receive() is None
    assert await socket.receive() is None  # and stays ended
    try:
        await socket.send("ping")
    except OSError:
        pass
    else:
        raise AssertionError("a send on an ended connection must fail as a closed socket's does")


@pytest.mark.property
@given(st.dictionaries(st.text(max_size=12), st.one_of(st.text(max_size=30), st.integers(), st.none()), max_size=6))
def test_any_state_placeos_answers_becomes_frames_the_realtime_reader_takes_or_ignores(state: dict[str, Any]) -> None:
    async def run() -> list[Any]:
        placeos, clock = PlaceOS(), Clock()
        placeos.states[state_path(STATUS)] = state
        socket = HttpSocket(placeos.get_state, clock.sleep, spawn)
        await socket.send(bind(STATUS, 1))
        await settle()
        got = await frames(socket)
        await socket.close()
        return got

    got = asyncio.run(run())
    notified = [f for f in got if f.get("type") == "notify"]
    assert len(notified) == 1
    parsed = read_frame(json.dumps(notified[0]))
    raw = state.get("status")
    if isinstance(raw, str):
        try:
            expected = json.loads(raw)
        except ValueError:
            assert parsed is None  # not JSON: ignored, as a garbled frame is
            return
        assert parsed == (STATUS, expected)
    else:
        assert parsed == (STATUS, None)


async def test_a_module_call_is_not_this_socket_s_to_make() -> None:
    placeos, clock = PlaceOS(), Clock()
    socket = HttpSocket(placeos.get_state, clock.sleep, asyncio.ensure_future)
    await socket.send(exec_request(4, Binding("sys-1", "Bookings", 1, "book_now"), [1800]))
    refused = await frames(socket)
    assert refused == [{"id": 4, "type": "error", "code": UNKNOWN_COMMAND, "msg": "exec goes over HTTP here"}]
    assert placeos.asked == []  # nothing was read, nothing bound: the caller goes by REST (Realtime.speaks_exec)
    await socket.close()
