"""Early answers (app/api/early_answers.py): the GET requests a page's refresh sends are recorded, kept with the
page, and on the tab's next load the loader's answers to them are handed to the API client once each, to the same
request, while fresh; anything else goes to the network."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.api.early_answers import WITHIN_S, Answer, EarlyAnswers, record, recording
from app.core.ports import HttpRequest, HttpResponse
from tests.fakes import Clock, MockTransport, signed_in_at

URL = "https://placeos.example/api/engine/v2/systems?offset=0&limit=20"
NETWORK = HttpResponse(200, {}, '{"from": "network"}')
EARLY = HttpResponse(200, {"x-total-count": "1"}, '{"from": "early"}')


def early(answers: dict[str, HttpResponse | Exception], clock: Clock) -> tuple[EarlyAnswers, MockTransport]:
    network = MockTransport(lambda request: NETWORK)

    def reader(answer: HttpResponse | Exception) -> Answer:
        async def read() -> HttpResponse:
            if isinstance(answer, Exception):
                raise answer
            return answer

        return read

    return EarlyAnswers(network, {url: reader(a) for url, a in answers.items()}, clock, clock.now), network


async def test_an_early_answer_goes_once_to_the_same_get_then_the_network_answers() -> None:
    clock = Clock()
    transport, network = early({URL: EARLY}, clock)
    assert transport.waiting == 1
    assert await transport.send(HttpRequest("GET", URL)) == EARLY
    assert network.requests == [] and transport.waiting == 0
    assert await transport.send(HttpRequest("GET", URL)) == NETWORK  # a retry or a refresh: asked afresh


@pytest.mark.parametrize(
    "request_",
    [
        HttpRequest("GET", URL + "&q=x"),  # another address
        HttpRequest("POST", URL, body="{}"),  # not a read
        HttpRequest("GET", URL.upper()),
    ],
)
async def test_any_other_request_goes_to_the_network(request_: HttpRequest) -> None:
    transport, network = early({URL: EARLY}, Clock())
    assert await transport.send(request_) == NETWORK
    assert network.requests == [request_]


async def test_a_stale_or_failed_early_answer_is_not_used() -> None:
    clock = Clock()
    transport, network = early({URL: EARLY, URL + "&b": OSError("reset")}, clock)
    assert await transport.send(HttpRequest("GET", URL + "&b")) == NETWORK  # the early request got no answer
    clock.advance(WITHIN_S + 1)
    assert await transport.send(HttpRequest("GET", URL)) == NETWORK
    assert len(network.requests) == 2 and transport.waiting == 0


async def test_recording_sees_the_block_and_the_tasks_it_starts_and_nothing_else() -> None:
    async def send(url: str) -> None:
        await asyncio.sleep(0)
        record(url)

    outside = asyncio.ensure_future(send("https://other.example/started-before"))
    with recording() as urls:
        await asyncio.gather(send("a"), send("b"), send("a"))
        record("c")
    record("after")
    await outside
    assert urls == ["a", "b", "c"]


async def test_a_kept_page_carries_the_gets_that_drew_it_and_never_a_token() -> None:
    h_ = await signed_in_at("/?q=room")
    saved = json.loads(h_.storage.get("placeos.page.painted") or "null")
    base = h_.config.api_base
    assert saved["requests"][0] == base + "/systems?q=room&offset=0&limit=20"
    assert {base + "/users/current", base + "/zones?tags=building&offset=0&limit=100"} <= set(saved["requests"])
    assert len(saved["requests"]) <= 4
    assert not [url for url in saved["requests"] if "token" in url]


async def test_with_the_token_in_the_query_nothing_is_kept_to_ask_early() -> None:
    h_ = await signed_in_at("/?q=room")
    h_.api.token_in_query = True
    await h_.app.browse.refresh()
    saved = json.loads(h_.storage.get("placeos.page.painted") or "null")
    assert saved["requests"] == []
