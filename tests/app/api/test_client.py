"""The PlaceOS API client (app.api) with a mock transport."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.api.client import PlaceOSClient
from app.auth.session import Token
from app.core.errors import AuthRequired, Forbidden, NetworkError, NotFound, NotSignedIn, ServerError
from app.core.ports import HttpResponse
from app.core.redact import Secret
from tests.fakes import (
    BASE,
    SYSTEMS,
    Clock,
    MockTransport,
    Sleeps,
    api_client,
    config,
    standin,
)


async def test_api_sends_the_bearer_header_and_reads_paging() -> None:
    api, transport, _ = api_client(standin)
    page = await api.systems(q="room", offset=20, limit=20)
    request = transport.requests[0]
    assert request.headers["Authorization"] == "Bearer tok-abcdefgh"
    assert request.url == BASE + "/api/engine/v2/systems?q=room&offset=20&limit=20"
    assert [s["id"] for s in page.items] == [s["id"] for s in SYSTEMS[20:40]]
    assert page.total == 45 and page.next_url is not None and "offset=40" in page.next_url


async def test_api_bearer_token_query_option_for_where_headers_are_impossible() -> None:
    api, transport, _ = api_client(standin, token_in_query=True)
    await api.current_user()
    request = transport.requests[0]
    assert "Authorization" not in request.headers
    assert request.url.endswith("/users/current?bearer_token=tok-abcdefgh")


async def test_api_follows_link_headers_through_every_page() -> None:
    api, transport, _ = api_client(standin)
    ids = [s["id"] async for s in api.all_systems(limit=10)]
    assert ids == [s["id"] for s in SYSTEMS]
    assert len(transport.requests) == 5


async def test_api_accepts_the_legacy_total_results_shape() -> None:
    api, _, _ = api_client(lambda r: HttpResponse(200, {}, json.dumps({"total": 3, "results": [{"id": "a"}]})))
    page = await api.systems()
    assert page.total == 3 and page.items == [{"id": "a"}] and page.next_url is None


async def test_api_retries_network_errors_and_5xx_with_backoff() -> None:
    answers: list[Any] = [OSError("offline"), HttpResponse(503, {}, "{}"), HttpResponse(200, {}, "[]")]
    api, transport, sleeps = api_client(lambda r: answers.pop(0))
    page = await api.systems()
    assert page.items == [] and len(transport.requests) == 3
    assert sleeps.calls == [0.5, 1.0]


async def test_api_gives_up_with_typed_errors_after_retries() -> None:
    api, _, sleeps = api_client(lambda r: OSError("offline"))
    with pytest.raises(NetworkError, match="cannot be reached"):
        await api.systems()
    assert sleeps.calls == [0.5, 1.0, 2.0]
    api, _, _ = api_client(lambda r: HttpResponse(500, {"x-request-id": "req-1"}, "{}"))
    with pytest.raises(ServerError) as error:
        await api.systems()
    assert error.value.request_id == "req-1"


@pytest.mark.parametrize(("status", "kind"), [(401, AuthRequired), (403, Forbidden), (404, NotFound)])
async def test_api_maps_statuses_to_typed_errors_without_retrying(status: int, kind: type) -> None:
    api, transport, _ = api_client(lambda r: HttpResponse(status, {}, '{"error":"x"}'))
    with pytest.raises(kind):
        await api.current_user()
    assert len(transport.requests) == 1


async def test_api_401_is_auth_required_and_never_leaks_the_token() -> None:
    clock = Clock()
    token = Token(Secret("tok-abcdefgh"), clock.now + 3600, "public")
    transport = MockTransport(lambda r: HttpResponse(401, {}, '{"error":"Signature is expired"}'))
    api = PlaceOSClient(config(), transport, lambda: token, clock=clock, sleep=Sleeps())
    with pytest.raises(AuthRequired) as error:
        await api.current_user()
    assert error.value.status == 401 and "tok-abcdefgh" not in str(error.value)


async def test_api_expired_token_is_not_even_sent() -> None:
    clock = Clock()
    api, transport, _ = api_client(standin, clock, Token(Secret("tok-abcdefgh"), clock.now - 1, "public"))
    with pytest.raises(AuthRequired):
        await api.current_user()
    assert transport.requests == []


async def test_a_call_with_no_token_says_not_signed_in_not_session_ended() -> None:
    transport = MockTransport(standin)
    client = PlaceOSClient(config(), transport, lambda: None, clock=lambda: 1_800_000_000.0, sleep=Sleeps())
    with pytest.raises(NotSignedIn, match="Not signed in"):
        await client.systems()
    assert transport.requests == []  # nothing was sent without a token


async def test_every_verb_sends_its_body_as_json_and_reads_the_answer_or_none() -> None:
    answers = {"POST": (201, '{"id": "b-1"}'), "PUT": (200, '{"id": "b-1"}'), "PATCH": (200, "{}"), "DELETE": (202, "")}

    def placeos(request: Any) -> HttpResponse:
        status, body = answers.get(request.method, (200, "[1]"))
        return HttpResponse(status, {}, body)

    api, transport, _ = api_client(placeos)
    assert await api.get("/users", {"q": "ada"}) == [1]
    assert await api.post("/api/staff/v1/bookings", json={"title": "Sync"}) == {"id": "b-1"}
    assert await api.put("/zones/z-1", json={"name": "L3"}) == {"id": "b-1"}
    assert await api.patch("/zones/z-1", json=None) == {}  # JSON's null is a body too
    assert await api.delete("/api/staff/v1/bookings/b-1") is None
    get, post, put, patch, delete = transport.requests
    assert get.url == BASE + "/api/engine/v2/users?q=ada" and get.body is None and "Content-Type" not in get.headers
    assert post.url == BASE + "/api/staff/v1/bookings" and json.loads(post.body or "") == {"title": "Sync"}
    assert post.headers["Content-Type"] == "application/json" and post.headers["Authorization"] == "Bearer tok-abcdefgh"
    assert (put.method, patch.body, delete.method) == ("PUT", "null", "DELETE")


async def test_a_post_that_may_have_arrived_is_never_sent_twice_but_a_put_is_retried() -> None:
    api, transport, _ = api_client(lambda r: OSError("reset"))
    with pytest.raises(NetworkError):
        await api.post("/systems/s/Bookings_1/book_now", json=[1800])
    assert len(transport.requests) == 1
    with pytest.raises(NetworkError):
        await api.put("/zones/z", json={})
    assert len(transport.requests) == 1 + 4


async def test_an_error_names_the_method_the_path_the_status_placeos_s_words_and_the_request() -> None:
    body = json.dumps({"error": "system 'sys-x' not found"})
    api, _, _ = api_client(lambda r: HttpResponse(404, {"x-request-id": "1a2b3c"}, body))
    with pytest.raises(NotFound) as caught:
        await api.get("/systems/sys-x", {"complete": "true"})
    assert str(caught.value) == "Not found: it may have been removed or renamed."  # a person's sentence, on screen
    assert caught.value.technical == "404 GET /api/engine/v2/systems/sys-x — system 'sys-x' not found (request 1a2b3c)"
    api, _, _ = api_client(lambda r: HttpResponse(409, {}, ""))
    with pytest.raises(Exception) as conflict:
        await api.post("/zones", json={})
    assert conflict.value.technical.startswith("409 POST /api/engine/v2/zones — PlaceOS refused the request")  # type: ignore[attr-defined]
