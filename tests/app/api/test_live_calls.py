"""app.api.live_calls: a developer's values, listens and module calls over the page's one socket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from app.api.frames import Binding, Reply
from app.api.live import Live
from app.api.live_calls import ExecError
from app.core.errors import ApiError
from app.core.ports import HttpResponse
from tests.app.api.test_developer import developer
from tests.fakes import Clock

STATUS = Binding("sys-1", "Bookings", 1, "status")


class Socket:
    """The page's realtime connection as app.api.live drives it: what is bound now."""

    def __init__(self, connected: bool = False, replies: list[Reply | OSError] | None = None) -> None:
        self.bound: set[Binding] = set()
        self.connected = connected
        self.speaks_exec = True
        self.replies = replies or []
        self.calls: list[tuple[Binding, list[Any]]] = []

    async def run(self) -> None:
        pass

    async def keep_only(self, wanted: set[Binding]) -> None:
        self.bound = set(wanted)

    async def execute(self, target: Binding, args: list[Any]) -> Reply:
        self.calls.append((target, args))
        reply = self.replies.pop(0)
        if isinstance(reply, OSError):
            raise reply
        return reply


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_listen_binds_on_the_page_s_one_socket_yields_each_value_and_unbinds_when_stopped() -> None:
    socket = Socket()
    live = Live(socket, spawn=lambda c: None, clock=Clock())  # type: ignore[arg-type]
    api, _ = developer(live=live)
    await live.keep_only({STATUS})  # the screen shows it already: PlaceOS will not send it again
    live.value(STATUS, "busy")
    seen: list[Any] = []

    async def loop() -> None:
        async for value in api.listen("sys-1", "Bookings", "status"):
            seen.append(value)

    task = asyncio.ensure_future(loop())
    try:
        await settle()
        live.value(STATUS, "free")
        live.value(Binding("sys-2", "Bookings", 1, "status"), "pending")  # another room's
        await settle()
        assert seen == ["busy", "free"] and STATUS in socket.bound
    finally:
        task.cancel()  # Ctrl+C in the console
        await asyncio.gather(task, return_exceptions=True)
    await live.keep_only(set())  # the screen moves on too: nothing stays bound
    assert socket.bound == set()


async def test_value_is_the_first_value_and_then_unbinds() -> None:
    socket = Socket()
    live = Live(socket, spawn=lambda c: None, clock=Clock())  # type: ignore[arg-type]
    api, _ = developer(live=live)
    asking = asyncio.ensure_future(api.value("sys-1", "Bookings", "status"))
    await settle()
    assert socket.bound == {STATUS}
    live.value(STATUS, "pending")
    assert await asking == "pending"
    await settle()  # the generator's end unbinds it
    assert socket.bound == set()
    quiet, _ = developer(live=None)
    with pytest.raises(ApiError, match="no live connection"):
        await quiet.value("sys-1", "Bookings", "status")


async def test_exec_goes_over_the_socket_while_it_is_connected_with_placeos_error_codes() -> None:
    socket = Socket(connected=True, replies=[Reply(1, False, True), Reply(2, True, code=6, msg="Bookings_2 missing")])
    live = Live(socket, spawn=lambda c: None, clock=Clock())  # type: ignore[arg-type]
    api, sent = developer(live=live)
    assert await api.exec("sys-1", "Bookings", "book_now", 1800, "Ad hoc") is True
    assert socket.calls == [(Binding("sys-1", "Bookings", 1, "book_now"), [1800, "Ad hoc"])] and sent == []
    with pytest.raises(ExecError, match=r"^exec Bookings_2.end_meeting on sys-1 — 6 module not found: Bookings_2 miss"):
        await api.exec("sys-1", "Bookings", "end_meeting", 0, index=2)


async def test_a_call_the_socket_lost_is_not_sent_again_and_without_a_socket_it_goes_by_rest() -> None:
    socket = Socket(connected=True, replies=[OSError("the connection ended before PlaceOS answered")])
    live = Live(socket, spawn=lambda c: None, clock=Clock())  # type: ignore[arg-type]
    api, sent = developer(lambda r: HttpResponse(200, {}, "true"), live=live)
    with pytest.raises(ApiError, match="ended before PlaceOS answered; it may or may not have run"):
        await api.exec("sys-1", "Bookings", "book_now", 1800)
    assert sent == []  # book_now twice would be two bookings
    socket.connected = False  # the page is between connections: REST, at once
    assert await api.exec("sys-1", "Bookings", "book_now", 1800) is True
    assert sent[-1].method == "POST" and sent[-1].url.endswith("/systems/sys-1/Bookings_1/book_now")
    assert json.loads(sent[-1].body or "") == [1800]
    socket.connected, socket.speaks_exec = True, False  # PlaceOS on another origin: "live" is REST polling
    await api.exec("sys-1", "Bookings", "end_meeting", 0)
    assert len(socket.calls) == 1 and sent[-1].url.endswith("/Bookings_1/end_meeting")
