"""The exact links and answers an adversarial review used to break the client (issue 8, items 1 and 2).

tests/test_properties_client.py generates thousands more of the same kinds; these keep the reported repros.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from app.api.client import PlaceOSClient
from app.auth.oauth import parse_expires_in, split_response
from app.auth.session import Token
from app.auth.states import PREFIX
from app.auth.token_endpoint import parse_token_endpoint_response
from app.core.errors import ExpiredState, MalformedResponse, MisplacedResponse, UnexpectedAnswer, UnknownState
from app.core.ports import HttpRequest, HttpResponse
from app.shell.view import Place, render
from tests.fakes import BASE, Clock, Harness, MockTransport, config, text_of


@pytest.mark.parametrize("offset", ["%C2%B2", "²", "٣", "1" * 4301, "-1", "1e3", " 5"])
def test_a_crafted_offset_in_the_address_means_the_first_page(offset: str) -> None:
    from app.browse.place import place_from

    assert place_from(f"/?offset={offset}&q=room") == Place(q="room", offset=0)


@pytest.mark.parametrize("expires_in", ["%C2%B2", "²", "1" * 309, "0", "-5", "1.5", "0x10"])
async def test_a_garbage_expires_in_is_refused_and_its_state_used_up(expires_in: str) -> None:
    h = Harness()
    h.app.sign_in()
    state = h.navigator.assigned[-1].split("state=")[1].split("&")[0]
    await h.app.start(f"access_token=abcdefgh&token_type=Bearer&expires_in={expires_in}&state={state}", h.clock.now)
    assert h.session.token() is None
    assert "invalid expires_in" in h.screen.text
    assert PREFIX + state not in h.storage.data  # a second try with the same state would be a replay


def test_expires_in_reads_ascii_seconds_within_a_year_only() -> None:
    assert parse_expires_in("7200") == 7200 and parse_expires_in(7200) == 7200 and parse_expires_in(None) is None
    for bad in ("²", "1" * 309, 10**400, True, 0, 400 * 24 * 3600, "7200.0", [7200]):
        with pytest.raises(ValueError):
            parse_expires_in(bad)


@pytest.mark.parametrize(
    "body",
    [
        '{"access_token": "a", "token_type": "Bearer", "expires_in": 1' + "0" * 400 + "}",
        '{"access_token": "a", "token_type": "Bearer", "expires_in": ' + "9" * 5000 + "}",
        "[" * 100_000,
        '{"access_token": "a", "token_type": 7}',
    ],
)
def test_hostile_token_endpoint_answers_are_a_typed_refusal(body: str) -> None:
    with pytest.raises(MalformedResponse):
        parse_token_endpoint_response(200, body)


async def test_a_token_delivered_in_the_query_is_refused_and_its_state_used_up() -> None:
    h = Harness()
    h.app.sign_in()
    state = h.navigator.assigned[-1].split("state=")[1].split("&")[0]
    # What the loader captured from /?access_token=…: the implicit flow never asks for a query response.
    await h.app.start("", h.clock.now, f"access_token=abcdefgh&token_type=Bearer&expires_in=60&state={state}")
    assert h.session.token() is None
    assert "arrived in the page address's query" in h.screen.text
    assert PREFIX + state not in h.storage.data
    with pytest.raises(UnknownState):  # the same response, now in the fragment, is a replay
        await h.flow.complete(f"access_token=abcdefgh&token_type=Bearer&expires_in=60&state={state}", h.clock.now)


async def test_the_code_flow_refuses_a_response_in_the_fragment() -> None:
    h = Harness(flow="code")
    h.app.sign_in()
    await h.app.start("access_token=abcdefgh&token_type=Bearer&state=x", h.clock.now, "")
    assert h.session.token() is None and "arrived in the page address's fragment" in h.screen.text
    h.app.receive_callback("code=abcdefgh&state=x", h.clock.now)
    await h.settle()
    assert "arrived in the page address's fragment" in h.screen.text


def test_a_misplaced_response_is_refused_even_with_an_expired_state() -> None:
    h = Harness()
    h.app.sign_in()
    state = h.navigator.assigned[-1].split("state=")[1].split("&")[0]
    h.clock.advance(3600)
    assert isinstance(h.session.refuse_misplaced(f"access_token=x&state={state}", "query"), MisplacedResponse)
    with pytest.raises((UnknownState, ExpiredState)):
        asyncio.run(h.flow.complete(f"access_token=abcdefgh&token_type=Bearer&state={state}", h.clock.now))


@pytest.mark.parametrize(
    ("text", "response", "rest"),
    [
        ("q=room&access_token=t&state=s&offset=20", "access_token=t&state=s", "q=room&offset=20"),
        ("code=c&state=s", "code=c&state=s", ""),
        ("id_token=x&scope=public&q=a", "id_token=x&scope=public", "q=a"),
        ("refresh_token=r", "refresh_token=r", ""),
        ("error=access_denied&error_description=no", "error=access_denied&error_description=no", ""),
        ("access%5Ftoken=t", "access%5Ftoken=t", ""),
        ("q=room&scope=public", "", "q=room&scope=public"),  # no response marker: nothing to take
    ],
)
def test_every_response_parameter_leaves_the_address_whatever_the_flow(text: str, response: str, rest: str) -> None:
    assert split_response(text) == (response, rest)


# API answers of the wrong shape ---------------------------------------------------------------------------------------


def _api(answer: HttpResponse | Any) -> tuple[PlaceOSClient, MockTransport]:
    transport = MockTransport(answer if callable(answer) else (lambda request: answer))
    token = Token.from_json(json.dumps({"access_token": "tok-abcdefgh", "expires_at": 2e9, "scope": "public"}))

    async def no_sleep(seconds: float) -> None:
        return None

    return PlaceOSClient(config(), transport, lambda: token, clock=Clock(), sleep=no_sleep), transport


@pytest.mark.parametrize(
    ("call", "body"),
    [
        ("current_user", "[]"),
        ("system", '["sys-1"]'),
        ("systems", '{"total": 1, "results": "nope"}'),
        ("systems", "[1, 2, 3]"),
        ("systems", "[" * 50_000),
    ],
)
async def test_an_answer_of_the_wrong_shape_is_an_error_not_a_crash(call: str, body: str) -> None:
    api, _ = _api(HttpResponse(200, {}, body))
    with pytest.raises(UnexpectedAnswer) as refused:
        await (api.system("sys-1") if call == "system" else getattr(api, call)())
    assert "PlaceOS" in str(refused.value)


@pytest.mark.parametrize("count", ["x", "²", "-4", "9" * 5000, ""])
async def test_a_garbage_total_count_falls_back_to_what_arrived(count: str) -> None:
    api, _ = _api(HttpResponse(200, {"x-total-count": count}, json.dumps([{"id": "a"}, {"id": "b"}])))
    page = await api.systems(offset=40)
    assert page.total == 42


async def test_odd_values_in_systems_still_render() -> None:
    odd = [{"id": "a", "name": None, "capacity": "lots", "features": 7, "created_at": 10**30, "zones": "z"}]
    api, _ = _api(HttpResponse(200, {}, json.dumps(odd)))
    page = await api.systems()
    from app.browse.state import BrowseState
    from app.shell.view import Model
    from app.ui.screens import Working

    listing = render(Model(screen=Working(), browse=BrowseState(systems=page.items, total=page.total)))
    text = " ".join(text_of(node) for node in listing)
    assert "1 system" in text and "Unnamed system" in text and "lots" not in text  # no number, no seats
    detail = render(Model(screen=Working(), browse=BrowseState(detail=page.items[0], place=Place(system="a"))))
    text = " ".join(text_of(node) for node in detail)
    assert "Unnamed system" in text and "Capacity —" in text and "ID a" in text and "Features —" in text


async def test_a_link_to_another_host_is_not_followed_with_the_token() -> None:
    def answer(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, {"link": '<https://evil.example.com/api/x>; rel="next"'}, '[{"id": "a"}]')

    api, transport = _api(answer)
    with pytest.raises(UnexpectedAnswer):
        [item async for item in api.all_systems()]
    assert all(request.url.startswith(BASE + "/") for request in transport.requests)


async def test_a_link_loop_ends_the_walk() -> None:
    api, transport = _api(HttpResponse(200, {"link": '</api/engine/v2/systems?offset=1>; rel="next"'}, '[{"id": "a"}]'))
    items = [item async for item in api.all_systems()]
    assert len(items) == 2 and len(transport.requests) == 2
