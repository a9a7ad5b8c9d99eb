"""app.api.developer: PlaceOS's API for a developer, over the app's client and the page's one socket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from app.api.developer import DeveloperApi, slug
from app.api.frames import Binding
from app.api.live import Live
from app.core.errors import ApiError, NotFound
from app.core.ports import HttpRequest, HttpResponse
from tests.fakes import BASE, Clock, api_client

STATUS = Binding("sys-1", "Bookings", 1, "status")


class Socket:
    """The page's realtime connection as app.api.live drives it: what is bound now."""

    def __init__(self) -> None:
        self.bound: set[Binding] = set()

    async def run(self) -> None:
        pass

    async def keep_only(self, wanted: set[Binding]) -> None:
        self.bound = set(wanted)


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def developer(handler: Any = None, live: Live | None = None) -> tuple[DeveloperApi, list[HttpRequest]]:
    client, transport, _ = api_client(handler or (lambda r: HttpResponse(200, {}, "{}")))
    return DeveloperApi(client, live), transport.requests


async def test_module_calls_and_state_go_where_placeos_routes_them() -> None:
    def placeos(request: HttpRequest) -> HttpResponse:
        if request.url.endswith("/Bookings_1"):
            return HttpResponse(200, {}, json.dumps({"status": '"busy"', "people_count": "3", "odd": "not json"}))
        if request.url.endswith("/Bookings_1/status"):
            return HttpResponse(200, {}, '"free"')
        return HttpResponse(200, {}, '{"booked": true}')

    api, sent = developer(placeos)
    assert await api.exec("sys-1", "Bookings", "book_now", 1800, "Ad hoc") == {"booked": True}
    assert sent[-1].method == "POST" and sent[-1].url == BASE + "/api/engine/v2/systems/sys-1/Bookings_1/book_now"
    assert json.loads(sent[-1].body or "") == [1800, "Ad hoc"]
    assert await api.state("sys-1", "Bookings") == {"status": "busy", "people_count": 3, "odd": "not json"}
    assert await api.status("sys-1", "Bookings", "status") == "free"
    await api.functions("sys-1", "Display", index=2)
    assert sent[-1].url.endswith("/systems/sys-1/functions/Display_2")
    assert slug("Bookings") == "Bookings_1" and slug("a/b", 3) == "a%2Fb_3"  # a name cannot leave its path segment


async def test_people_metadata_and_the_staff_api_s_bookings() -> None:
    api, sent = developer(lambda r: HttpResponse(200, {"x-total-count": "0"}, "[]"))
    await api.users(q="ada")
    await api.metadata("zone-1", "desks")
    await api.bookings(100, 200, zones="zone-1")
    await api.check_in("b-1")
    await api.cancel("b-1")
    urls = [(r.method, r.url.removeprefix(BASE)) for r in sent]
    assert urls == [
        ("GET", "/api/engine/v2/users?q=ada&offset=0&limit=20"),
        ("GET", "/api/engine/v2/metadata/zone-1?name=desks"),
        ("GET", "/api/staff/v1/bookings?period_start=100&period_end=200&type=room&zones=zone-1"),
        ("POST", "/api/staff/v1/bookings/b-1/check_in?state=true"),
        ("DELETE", "/api/staff/v1/bookings/b-1"),
    ]


async def test_an_error_in_the_console_says_what_was_asked() -> None:
    api, _ = developer(lambda r: HttpResponse(404, {"x-request-id": "1a2b"}, '{"error": "not found"}'))
    with pytest.raises(NotFound, match=r"^404 GET /api/engine/v2/systems/sys-x — not found \(request 1a2b\)$"):
        await api.system("sys-x")
    with pytest.raises(NotFound, match="^404 GET /api/engine/v2/zones"):
        [z async for z in api.pages("/zones")]


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
