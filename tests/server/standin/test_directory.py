"""The stand-in's people and metadata: rest-api's users index and user, and metadata read, changed and removed by
whom PlaceOS lets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.standin.container import STANDIN
from server.standin.directory import METADATA_PATH, USERS_PATH, colleagues
from tests.standin_helpers import EMAIL, bearer, implicit_token


@pytest.fixture
async def token(client: Any) -> str:
    return await implicit_token(client)


async def me(client: Any, token: str) -> dict[str, Any]:
    answer = await client.get(USERS_PATH + "/current", headers=bearer(token))
    body: dict[str, Any] = await answer.json()
    return body


async def test_the_users_index_is_paged_searchable_and_has_whoever_signs_in(client: Any, token: str) -> None:
    first = await client.get(USERS_PATH, params={"limit": 10}, headers=bearer(token))
    people = await first.json()
    assert first.headers["X-Total-Count"] == str(len(colleagues()) + 1)
    assert first.headers["Content-Range"] == f"users 0-10/{len(colleagues()) + 1}"
    assert 'rel="next"' in first.headers["Link"] and "offset=10" in first.headers["Link"]
    assert len(people) == 10 and all({"id", "name", "email"} <= set(p) for p in people)
    found = await (await client.get(USERS_PATH, params={"q": "grace hop"}, headers=bearer(token))).json()
    assert found and all(p["name"].startswith("Grace Hopper") for p in found)
    demo = await (await client.get(USERS_PATH, params={"q": EMAIL}, headers=bearer(token))).json()
    assert [p["email"] for p in demo] == [EMAIL]
    assert (await client.get(USERS_PATH)).status == 401


async def test_one_user_by_id_or_email_and_a_stranger_is_a_404_that_says_so(client: Any, token: str) -> None:
    ada = colleagues()[0]
    by_id = await (await client.get(f"{USERS_PATH}/{ada.id}", headers=bearer(token))).json()
    by_email = await (await client.get(f"{USERS_PATH}/{ada.email}", headers=bearer(token))).json()
    assert by_id == by_email and by_id["name"] == ada.name
    assert (await me(client, token))["email"] == EMAIL  # /users/current is still who is signed in
    missing = await client.get(f"{USERS_PATH}/user-nobody", headers=bearer(token))
    assert missing.status == 404 and "user-nobody" in (await missing.json())["error"]


async def test_a_room_and_a_building_have_metadata_and_anyone_may_write_their_own(client: Any, token: str) -> None:
    room = next(iter(client.server.app[STANDIN].systems.systems))
    panel = await (await client.get(f"{METADATA_PATH}/{room['id']}", headers=bearer(token))).json()
    assert panel["room_details"]["details"]["capacity"] == room["capacity"]
    assert panel["room_details"]["parent_id"] == room["id"]
    named = await client.get(f"{METADATA_PATH}/zone-bld-syd01", params={"name": "nothing"}, headers=bearer(token))
    assert await named.json() == {}
    mine = (await me(client, token))["id"]
    put = await client.put(
        f"{METADATA_PATH}/{mine}", json={"name": "desk_prefs", "details": {"standing": True}}, headers=bearer(token)
    )
    assert put.status == 200 and (await put.json())["modified_by_id"] == mine
    kept = await (await client.get(f"{METADATA_PATH}/{mine}", headers=bearer(token))).json()
    assert kept["desk_prefs"]["details"] == {"standing": True}
    # A room's is support staff's to change, not a person's; a parent that does not exist is a 404 either way.
    refused = await client.put(f"{METADATA_PATH}/{room['id']}", json={"name": "x", "details": 1}, headers=bearer(token))
    assert refused.status == 403 and "support staff" in (await refused.json())["error"]
    nowhere = await client.get(f"{METADATA_PATH}/sys-nowhere", headers=bearer(token))
    assert nowhere.status == 404 and "no system, zone or user" in (await nowhere.json())["error"]
    gone = await client.delete(f"{METADATA_PATH}/{mine}", params={"name": "desk_prefs"}, headers=bearer(token))
    assert gone.status == 202
    again = await client.delete(f"{METADATA_PATH}/{mine}", params={"name": "desk_prefs"}, headers=bearer(token))
    assert again.status == 404


@pytest.mark.property
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.dictionaries(
            st.sampled_from(["name", "details", "description", "editors"]),
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=70), st.lists(st.integers())),
        ).map(json.dumps),
    )
)
async def test_any_metadata_body_is_kept_or_refused_with_a_4xx_that_says_why(
    client: Any, token: str, body: str
) -> None:
    mine = (await me(client, token))["id"]
    answer = await client.put(f"{METADATA_PATH}/{mine}", data=body, headers=bearer(token))
    assert answer.status in (200, 400, 422), await answer.text()
    if answer.status != 200:
        assert (await answer.json())["error"]


@pytest.mark.property
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
async def test_any_search_or_id_answers_a_page_or_a_404_never_a_500(client: Any, token: str, q: str, who: str) -> None:
    assert (await client.get(USERS_PATH, params={"q": q}, headers=bearer(token))).status == 200
    quoted = "".join(c if c.isalnum() else f"%{ord(c) & 0xFF:02X}" for c in who) or "x"
    assert (await client.get(f"{USERS_PATH}/{quoted}", headers=bearer(token))).status in (200, 404)
    assert (await client.get(f"{METADATA_PATH}/{quoted}", headers=bearer(token))).status in (200, 404)
