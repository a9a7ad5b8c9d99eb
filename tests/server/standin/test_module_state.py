"""The stand-in's module state over HTTP, as rest-api answers it; and its websocket's fault switch and cookie."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.standin.container import STANDIN
from server.standin.module_state import parse_slug
from server.standin.rooms import Binding
from tests.standin_helpers import bearer, implicit_token, set_faults

SYSTEMS = "/api/engine/v2/systems"
CONTROL = SYSTEMS + "/control"


@pytest.fixture
async def token(client: Any) -> str:
    return await implicit_token(client)


def room(client: Any) -> str:
    return str(client.server.app[STANDIN].systems.systems[0]["id"])


async def test_a_room_s_bookings_state_is_every_variable_as_json_text_the_same_as_the_socket_s(
    client: Any, token: str
) -> None:
    sys_id = room(client)
    for slug in ("Bookings_1", "Bookings"):  # rest-api: the index defaults to 1
        answer = await client.get(f"{SYSTEMS}/{sys_id}/{slug}", headers=bearer(token))
        assert answer.status == 200
        state = await answer.json()
        assert all(isinstance(value, str) for value in state.values())
        assert json.loads(state["status"]) in ("free", "pending", "busy")
        simulator = client.server.app[STANDIN].simulator
        assert json.loads(state["bookings"]) == simulator.bookings(sys_id)["bookings"]
    one = await client.get(f"{SYSTEMS}/{sys_id}/Bookings_1/status", headers=bearer(token))
    assert await one.json() == json.loads(state["status"])
    unset = await client.get(f"{SYSTEMS}/{sys_id}/Bookings_1/volume", headers=bearer(token))
    assert unset.status == 200 and await unset.json() is None


async def test_a_module_or_system_that_is_not_there_is_a_404_that_names_it_and_a_token_is_needed(
    client: Any, token: str
) -> None:
    sys_id = room(client)
    missing = await client.get(f"{SYSTEMS}/{sys_id}/Bookings_9", headers=bearer(token))
    assert missing.status == 404 and "Bookings_9" in (await missing.json())["error"]
    nowhere = await client.get(f"{SYSTEMS}/sys-nowhere/Bookings_1", headers=bearer(token))
    assert nowhere.status == 404 and "sys-nowhere" in (await nowhere.json())["error"]
    client.session.cookie_jar.clear()
    assert (await client.get(f"{SYSTEMS}/{sys_id}/Bookings_1")).status == 401


async def test_the_websocket_takes_the_token_from_its_cookie_and_answers_404_when_switched_off(
    client: Any, token: str
) -> None:
    client.session.cookie_jar.update_cookies({"bearer_token": token})
    socket = await client.ws_connect(CONTROL)  # no token in the URL: the cookie carries it, as on PlaceOS's origin
    await socket.close()
    assert (await set_faults(client, websocket_disabled=True)).status == 200
    off = await client.get(CONTROL, headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert off.status == 404 and (await off.json())["error"] == "not found"


@pytest.mark.property
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(
    slug=st.one_of(st.text(max_size=20), st.sampled_from(["Bookings_0", "Bookings_01", "Display_2", "_1", "x" * 70]))
)
async def test_any_module_slug_is_a_module_a_404_or_refused_never_a_500(client: Any, token: str, slug: str) -> None:
    from app.core.urls import quote

    answer = await client.get(f"{SYSTEMS}/{room(client)}/{quote(slug, safe='')}", headers=bearer(token))
    assert answer.status in (200, 404), (slug, answer.status)
    parsed = parse_slug(slug)
    there = (
        parsed is not None and client.server.app[STANDIN].simulator.missing(Binding(room(client), *parsed, "")) is None
    )
    assert (answer.status == 200) is there, (slug, answer.status)
    assert "error" in await answer.json() if answer.status == 404 else True


def test_a_slug_is_a_module_name_and_an_index_from_1() -> None:
    assert parse_slug("Bookings_1") == ("Bookings", 1) == parse_slug("Bookings")
    assert parse_slug("Display_12") == ("Display", 12)
    for bad in ("", "Bookings_0", "Bookings_01", "_1", "1x", "Bookings_1_2", "a" * 65, "Book-ings"):
        assert parse_slug(bad) is None, bad


async def test_book_now_over_http_makes_the_room_busy_and_end_meeting_frees_it(client: Any, token: str) -> None:
    sys_id = room(client)
    simulator = client.server.app[STANDIN].simulator
    functions = await (await client.get(f"{SYSTEMS}/{sys_id}/functions/Bookings_1", headers=bearer(token))).json()
    assert functions["book_now"]["order"] == ["period_in_seconds", "title", "owner"]
    current = simulator.bookings(sys_id)["current_booking"]
    if current is not None:  # a meeting is on: end it first, as a panel's "End meeting" does
        ended = await client.post(
            f"{SYSTEMS}/{sys_id}/Bookings_1/end_meeting", json=[current["event_start"]], headers=bearer(token)
        )
        assert ended.status == 200 and simulator.bookings(sys_id)["status"] == "free"
    booked = await client.post(f"{SYSTEMS}/{sys_id}/Bookings_1/book_now", json=[60, "Ad hoc"], headers=bearer(token))
    assert booked.status == 200 and await booked.json() is True
    state = simulator.bookings(sys_id)
    assert state["status"] == "busy" and state["current_booking"]["title"] == "Ad hoc"
    twice = await client.post(f"{SYSTEMS}/{sys_id}/Bookings_1/book_now", json=[60], headers=bearer(token))
    assert twice.status == 409  # the room is taken now
    for path, body, status in (
        ("Bookings_1/launch_rockets", [], 404),
        ("Display_1/book_now", [60], 404),
        ("Bookings_1/book_now", {"not": "a list"}, 400),
    ):
        answer = await client.post(f"{SYSTEMS}/{sys_id}/{path}", json=body, headers=bearer(token))
        assert answer.status == status, path


@pytest.mark.property
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(
    st.sampled_from(["book_now", "start_meeting", "end_meeting", "x"]),
    st.text(max_size=40).map(json.dumps)
    | st.lists(st.one_of(st.none(), st.integers(-(10**15), 10**15), st.text(max_size=10), st.floats()), max_size=4).map(
        json.dumps
    ),
)
async def test_any_call_of_a_module_function_answers_a_value_or_a_4xx(
    client: Any, token: str, method: str, body: str
) -> None:
    answer = await client.post(
        f"{SYSTEMS}/{room(client)}/Bookings_1/{method}",
        data=body,
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert answer.status in (200, 400, 404, 409), await answer.text()
