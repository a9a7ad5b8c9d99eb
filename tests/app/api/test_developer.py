"""app.api.developer: PlaceOS's API for a developer, over the app's client and the page's one socket."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.api.developer import DeveloperApi, slug
from app.api.frames import Binding
from app.api.live import Live
from app.core.errors import NotFound
from app.core.ports import HttpRequest, HttpResponse
from tests.fakes import BASE, api_client

STATUS = Binding("sys-1", "Bookings", 1, "status")


def developer(handler: Any = None, live: Live | None = None) -> tuple[DeveloperApi, list[HttpRequest]]:
    """The console's `api` over a fake PlaceOS (`handler` answers each request); the requests it sent."""
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
    await api.set_metadata("user-1", "desk_prefs", {"standing": True})
    await api.delete_metadata("user-1", "desk_prefs")
    await api.bookings(100, 200, zones="zone-1")
    await api.check_in("b-1")
    await api.cancel("b-1")
    urls = [(r.method, r.url.removeprefix(BASE)) for r in sent]
    assert json.loads(sent[2].body or "") == {"name": "desk_prefs", "details": {"standing": True}, "description": ""}
    assert urls == [
        ("GET", "/api/engine/v2/users?q=ada&offset=0&limit=20"),
        ("GET", "/api/engine/v2/metadata/zone-1?name=desks"),
        ("PUT", "/api/engine/v2/metadata/user-1"),
        ("DELETE", "/api/engine/v2/metadata/user-1?name=desk_prefs"),
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
