"""The stand-in's staff API bookings over the Bookings simulator, and PlaceOS's modules index."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.standin.container import STANDIN
from server.standin.staff import BOOKINGS_PATH
from tests.standin_helpers import bearer, implicit_token

DAY = 86_400


@pytest.fixture
async def token(client: Any) -> str:
    return await implicit_token(client)


def bookable(client: Any) -> dict[str, Any]:
    return next(s for s in client.server.app[STANDIN].systems.systems if s["bookable"])


async def test_a_booking_made_is_the_room_s_meeting_checked_in_and_cancelled_there_too(client: Any, token: str) -> None:
    standin = client.server.app[STANDIN]
    room = bookable(client)
    now = int(standin.simulator.now())
    day_after = (now // DAY + 2) * DAY  # a day the seeded meetings are all in the past of no test
    free = next(  # an hour of it with no seeded meeting
        at
        for at in range(day_after, day_after + DAY, 900)
        if all(m.end <= at or at + 3600 <= m.start for m in standin.simulator.meetings(room["id"], day_after // DAY))
    )
    body = {"asset_id": room["id"], "booking_start": free, "booking_end": free + 3600, "title": "Prototype review"}
    made = await client.post(BOOKINGS_PATH, json=body, headers=bearer(token))
    assert made.status == 201
    booking = await made.json()
    assert booking["id"] == f"{room['id']}:{free}" and booking["checked_in"] is False
    found = await client.get(
        BOOKINGS_PATH,
        params={"period_start": free, "period_end": free + 60, "zones": room["zones"][0]},
        headers=bearer(token),
    )
    assert booking in await found.json()
    again = await client.post(BOOKINGS_PATH, json=body, headers=bearer(token))
    assert again.status == 409 and "booked" in (await again.json())["error"]
    checked = await client.post(f"{BOOKINGS_PATH}/{booking['id']}/check_in", headers=bearer(token))
    assert (await checked.json())["checked_in"] is True
    gone = await client.delete(f"{BOOKINGS_PATH}/{booking['id']}", headers=bearer(token))
    assert gone.status == 202
    assert all(m.start != free for m in standin.simulator.meetings(room["id"], free // DAY))
    assert (await client.delete(f"{BOOKINGS_PATH}/{booking['id']}", headers=bearer(token))).status == 404


async def test_bad_periods_and_bodies_are_400s_and_422s_that_say_what(client: Any, token: str) -> None:
    for params in ({"period_start": "x", "period_end": "2"}, {"period_start": 10, "period_end": 5}, {}):
        answer = await client.get(BOOKINGS_PATH, params=params, headers=bearer(token))
        assert answer.status == 400 and "period" in (await answer.json())["error"]
    bad = await client.post(BOOKINGS_PATH, data="[", headers={**bearer(token), "Content-Type": "application/json"})
    assert bad.status == 400
    stranger = await client.post(BOOKINGS_PATH, json={"asset_id": "sys-nowhere"}, headers=bearer(token))
    assert stranger.status == 422 and "asset_id" in (await stranger.json())["error"]
    assert (await client.get(BOOKINGS_PATH, params={"period_start": 1, "period_end": 2})).status == 401


async def test_the_modules_index_is_paged_and_filters_by_system(client: Any, token: str) -> None:
    room = bookable(client)
    answer = await client.get("/api/engine/v2/modules", params={"control_system_id": room["id"]}, headers=bearer(token))
    modules = await answer.json()
    assert answer.headers["X-Total-Count"] == str(len(room["modules"]))
    assert modules[0]["name"] == "Bookings" and all(m["control_system_id"] == room["id"] for m in modules)


@pytest.mark.property
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["asset_id", "booking_start", "booking_end", "title", "zones"]),
        st.one_of(
            st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.text(max_size=30), st.lists(st.integers())
        ),
    )
)
async def test_any_booking_body_is_made_or_refused_with_a_4xx_never_a_500(
    client: Any, token: str, body: dict[str, Any]
) -> None:
    answer = await client.post(
        BOOKINGS_PATH, data=json.dumps(body), headers={**bearer(token), "Content-Type": "application/json"}
    )
    assert answer.status in (201, 400, 409, 422), await answer.text()
