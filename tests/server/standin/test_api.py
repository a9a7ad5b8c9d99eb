"""The stand-in REST API: authentication, scopes, paging, filters, fixtures, failure switches, persistence, CORS."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from server.faults import Faults
from server.standin.container import STANDIN
from tests.standin_helpers import (
    EMAIL,
    SAME_ORIGIN,
    FakeClock,
    bearer,
    dev_headers,
    implicit_token,
    make_app,
    set_faults,
)

SYSTEMS = "/api/engine/v2/systems"


@pytest.fixture
async def token(client: Any) -> str:
    return await implicit_token(client)


# authentication ------------------------------------------------------------------------------------------------------


async def test_api_accepts_the_bearer_header_and_the_bearer_token_parameter(client: Any, token: str) -> None:
    client.session.cookie_jar.clear()
    assert (await client.get(SYSTEMS, headers=bearer(token))).status == 200
    assert (await client.get(SYSTEMS, params={"bearer_token": token})).status == 200


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, ""),
        ({"Authorization": "Bearer not-a-jwt"}, "invalid token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, ""),
    ],
)
async def test_api_missing_or_malformed_token_is_401_json_without_www_authenticate(
    client: Any, headers: dict[str, str], message: str
) -> None:
    response = await client.get(SYSTEMS, headers=headers)
    assert response.status == 401
    assert await response.json() == {"error": message}
    assert "WWW-Authenticate" not in response.headers


async def test_api_expired_token_is_401_signature_is_expired(client: Any, token: str, clock: FakeClock) -> None:
    clock.advance(7200)
    response = await client.get(SYSTEMS, headers=bearer(token))
    assert response.status == 401
    assert await response.json() == {"error": "Signature is expired"}


async def test_api_token_signed_by_another_key_is_rejected(
    client: Any, aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    other = await aiohttp_client(make_app(tmp_path / "other", clock))
    foreign = await implicit_token(other)
    response = await client.get(SYSTEMS, headers=bearer(foreign))
    assert response.status == 401


async def test_api_token_for_another_authority_domain_is_rejected(client: Any, token: str) -> None:
    response = await client.get(SYSTEMS, headers={**bearer(token), "Host": "localhost"})
    assert response.status == 401
    assert (await response.json())["error"] == "authority domain does not match token's"


async def test_api_missing_scope_is_403_with_an_empty_body(client: Any) -> None:
    token = await implicit_token(client, scope="users.read")
    assert (await client.get("/api/engine/v2/users/current", headers=bearer(token))).status == 200
    response = await client.get(SYSTEMS, headers=bearer(token))
    assert response.status == 403
    assert await response.read() == b""


async def test_users_current_returns_placeos_user_fields(client: Any, token: str) -> None:
    body = await (await client.get("/api/engine/v2/users/current", headers=bearer(token))).json()
    assert body["email"] == EMAIL and body["name"] == "Demo User"
    for field in (
        "id",
        "email_digest",
        "first_name",
        "last_name",
        "groups",
        "authority_id",
        "sys_admin",
        "support",
        "department",
        "preferred_language",
        "login_count",
        "associated_metadata",
    ):
        assert field in body


# systems ---------------------------------------------------------------------------------------------------------


async def test_systems_are_a_bare_array_with_placeos_fields_sorted_by_name(client: Any, token: str) -> None:
    response = await client.get(SYSTEMS, headers=bearer(token))
    systems = await response.json()
    assert isinstance(systems, list) and 24 <= len(systems) <= 100
    assert response.headers["X-Total-Count"] == str(len(systems))
    assert response.headers["Content-Range"] == f"sys 0-{len(systems)}/{len(systems)}"
    assert "Link" not in response.headers
    names = [s["name"].lower() for s in systems]
    assert names == sorted(names)
    first = systems[0]
    assert first["id"].startswith("sys-") and len(first["id"]) == 14
    for field in (
        "name",
        "description",
        "display_name",
        "code",
        "type",
        "email",
        "features",
        "bookable",
        "public",
        "capacity",
        "map_id",
        "approval",
        "images",
        "timezone",
        "support_url",
        "zones",
        "modules",
        "version",
        "installed_ui_devices",
        "created_at",
        "updated_at",
        "signage",
        "orientation",
    ):
        assert field in first, field
    assert isinstance(first["created_at"], int) and first["created_at"] < 10**10  # epoch seconds


async def test_systems_fixture_is_deterministic(
    client: Any, token: str, aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    other = await aiohttp_client(make_app(tmp_path / "b", clock))
    other_token = await implicit_token(other)
    a = await (await client.get(SYSTEMS, headers=bearer(token))).json()
    b = await (await other.get(SYSTEMS, headers=bearer(other_token))).json()

    def here(systems: list[dict[str, Any]]) -> list[dict[str, Any]]:  # pictures' URLs name the server's own port
        return [{**s, "images": [i.split("/", 3)[3] for i in s["images"]]} for s in systems]

    assert here(a) == here(b) and a != []


async def test_systems_paging_headers_and_next_link_only_when_more_remain(client: Any, token: str) -> None:
    response = await client.get(SYSTEMS, params={"limit": 10, "offset": 5, "q": ""}, headers=bearer(token))
    total = int(response.headers["X-Total-Count"])
    assert len(await response.json()) == 10
    assert response.headers["Content-Range"] == f"sys 5-15/{total}"
    assert response.headers["Link"] == f'<{SYSTEMS}?q=&offset=15&limit=10>; rel="next"'
    last = await client.get(SYSTEMS, params={"limit": 10, "offset": total - 3}, headers=bearer(token))
    assert len(await last.json()) == 3
    assert "Link" not in last.headers


async def test_systems_following_next_links_visits_every_system_once(client: Any, token: str) -> None:
    seen: list[str] = []
    url: str | None = f"{SYSTEMS}?limit=7"
    while url:
        response = await client.get(url, headers=bearer(token))
        seen += [s["id"] for s in await response.json()]
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert len(seen) == len(set(seen)) == int(response.headers["X-Total-Count"])


async def test_systems_search_matches_word_prefixes_all_words(client: Any, token: str) -> None:
    found = await (await client.get(SYSTEMS, params={"q": "harb"}, headers=bearer(token))).json()
    assert [s["name"] for s in found] == ["Harbour"]
    none = await (await client.get(SYSTEMS, params={"q": "harb zzz"}, headers=bearer(token))).json()
    assert none == []


async def test_systems_search_finds_what_the_app_shows_code_email_id_and_features(client: Any, token: str) -> None:
    everything = await (await client.get(SYSTEMS, params={"limit": 1000}, headers=bearer(token))).json()
    one = next(s for s in everything if s["email"] and s["features"] and "<" not in s["name"])

    async def names(q: str) -> list[str]:
        return [s["name"] for s in await (await client.get(SYSTEMS, params={"q": q}, headers=bearer(token))).json()]

    assert await names(one["code"]) == [one["name"]]  # MEL01-0016, whole
    assert await names(one["code"].lower()) == [one["name"]]
    assert one["name"] in await names(one["email"])
    assert await names(one["id"]) == [one["name"]]
    feature = one["features"][0]
    with_feature = await names(feature)
    assert one["name"] in with_feature
    assert all(
        feature in s["features"] or feature.lower() in (s["name"] + s["description"]).lower()
        for s in everything
        if s["name"] in with_feature
    )


async def test_zones_index_by_tag_and_parent_and_one_zone(client: Any, token: str) -> None:
    zones = "/api/engine/v2/zones"
    buildings = await client.get(zones, params={"tags": "building"}, headers=bearer(token))
    assert buildings.status == 200 and buildings.headers["X-Total-Count"] == "3"
    found = await buildings.json()
    assert [z["name"] for z in found] == sorted(z["name"] for z in found) and all(
        "building" in z["tags"] for z in found
    )
    levels = await (
        await client.get(zones, params={"tags": "level", "parent_id": found[0]["id"]}, headers=bearer(token))
    ).json()
    assert levels and all(z["parent_id"] == found[0]["id"] and z["name"].startswith("Level ") for z in levels)
    one = await client.get(f"{zones}/{levels[0]['id']}", headers=bearer(token))
    assert (await one.json())["id"] == levels[0]["id"]
    missing = await client.get(f"{zones}/zone-nope", headers=bearer(token))
    assert missing.status == 404 and "not found" in (await missing.json())["error"]
    assert (await client.get(zones)).status == 401
    paged = await client.get(zones, params={"limit": 2}, headers=bearer(token))
    assert len(await paged.json()) == 2 and 'rel="next"' in paged.headers["Link"]


async def test_rooms_with_pictures_point_at_them_and_they_are_served(client: Any, token: str) -> None:
    everything = await (await client.get(SYSTEMS, params={"limit": 1000}, headers=bearer(token))).json()
    pictured = [s for s in everything if s["images"]]
    assert len(pictured) >= 3
    url = pictured[0]["images"][0]
    assert url.startswith("http://") and "/standin/images/" in url
    picture = await client.get(url.split("/", 3)[3].join(["/", ""]))
    assert picture.status == 200 and picture.headers["Content-Type"].startswith("image/svg+xml")
    assert "<script" not in await picture.text()
    assert (await client.get("/standin/images/nope.svg")).status == 404


async def test_systems_filters_zone_features_capacity_bookable(client: Any, token: str) -> None:
    everything = await (await client.get(SYSTEMS, headers=bearer(token))).json()
    zone = everything[0]["zones"][1]
    in_zone = await (await client.get(SYSTEMS, params={"zone_id": zone}, headers=bearer(token))).json()
    assert in_zone and all(zone in s["zones"] for s in in_zone) and len(in_zone) < len(everything)
    featured = await (await client.get(SYSTEMS, params={"features": "VidConf,Display"}, headers=bearer(token))).json()
    assert all({"VidConf", "Display"} <= set(s["features"]) for s in featured)
    big = await (await client.get(SYSTEMS, params={"capacity": 20}, headers=bearer(token))).json()
    assert big and all(s["capacity"] >= 20 for s in big)
    bookable = await (await client.get(SYSTEMS, params={"bookable": "true"}, headers=bearer(token))).json()
    assert bookable and all(s["bookable"] for s in bookable)


async def test_systems_bad_limit_is_a_400_json_error(client: Any, token: str) -> None:
    response = await client.get(SYSTEMS, params={"limit": "lots"}, headers=bearer(token))
    assert response.status == 400
    assert "limit" in (await response.json())["error"]


async def test_system_by_id_and_by_email_and_missing(client: Any, token: str) -> None:
    systems = await (await client.get(SYSTEMS, params={"bookable": "true"}, headers=bearer(token))).json()
    one = systems[0]
    by_id = await (await client.get(f"{SYSTEMS}/{one['id']}", headers=bearer(token))).json()
    assert by_id == one
    by_email = await (await client.get(f"{SYSTEMS}/{one['email']}", headers=bearer(token))).json()
    assert by_email["id"] == one["id"]
    complete = await (
        await client.get(f"{SYSTEMS}/{one['id']}", params={"complete": "true"}, headers=bearer(token))
    ).json()
    # Full records, as real PlaceOS sends and ts-client builds its objects from: zones named and tagged, modules
    # named by their driver and tied to the system.
    zones = {zone["id"]: zone for zone in complete["zone_data"]}
    assert list(zones) == one["zones"]
    assert all(zone["name"] != zone["id"] and zone["tags"] for zone in zones.values())
    assert {tag for zone in zones.values() for tag in zone["tags"]} == {"org", "building", "level"}
    assert [module["id"] for module in complete["module_data"]] == one["modules"]
    for module in complete["module_data"]:
        assert module["name"] and module["control_system_id"] == one["id"] and module["role"] in ("logic", "device")
    missing = await client.get(f"{SYSTEMS}/sys-NOPE", headers=bearer(token))
    assert missing.status == 404 and "not found" in (await missing.json())["error"]


async def test_legacy_control_systems_wraps_total_and_results(client: Any, token: str) -> None:
    body = await (await client.get("/api/control/systems", headers=bearer(token))).json()
    assert set(body) == {"total", "results"}
    assert len(body["results"]) == 20 and body["total"] > 20


async def test_fixture_carries_markup_in_a_name_for_escaping_tests_but_not_first(client: Any, token: str) -> None:
    systems = await (await client.get(SYSTEMS, params={"limit": 1000}, headers=bearer(token))).json()
    assert any("<img" in s["name"] for s in systems)
    assert "<" not in systems[0]["name"]  # a demo opens on an ordinary room


async def test_generated_systems_page_fast_at_ten_thousand(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    client = await aiohttp_client(make_app(tmp_path, clock, systems=10_000))
    token = await implicit_token(client)
    started = time.perf_counter()
    response = await client.get(SYSTEMS, params={"q": "harbour 01", "offset": 50, "limit": 50}, headers=bearer(token))
    elapsed = time.perf_counter() - started
    assert response.status == 200
    total = await client.get(SYSTEMS, params={"limit": 1}, headers=bearer(token))
    assert total.headers["X-Total-Count"] == "10000"
    assert elapsed < 2.0  # generous: a guard against accidental quadratic paging, not a benchmark


# failure switches ----------------------------------------------------------------------------------------------------


async def test_dev_faults_endpoint_changes_switches_and_validates_them(client: Any, token: str) -> None:
    assert (await (await client.get("/_dev/faults")).json())["token_ttl_s"] == 7200
    bad = await set_faults(client, token_ttl_s="soon")
    assert bad.status == 400
    unknown = await set_faults(client, nope=True)
    assert unknown.status == 400 and "unknown switch" in (await unknown.json())["error"]
    form = await client.post("/_dev/faults", data={"always_deny": "true"}, headers=dev_headers(client))
    assert form.status == 415
    changed = await set_faults(client, unauthorized_storm=2, date_skew_s=3600)
    assert (await changed.json())["unauthorized_storm"] == 2
    for _ in range(2):
        assert (await client.get(SYSTEMS, headers=bearer(token))).status == 401
    ok = await client.get(SYSTEMS, headers=bearer(token))
    assert ok.status == 200
    from email.utils import parsedate_to_datetime

    skew = parsedate_to_datetime(ok.headers["Date"]).timestamp() - client.server.app[STANDIN].clock()
    assert abs(skew - 3600) < 2


async def test_api_error_rate_one_answers_503_json(aiohttp_client: Any, tmp_path: Path, clock: FakeClock) -> None:
    client = await aiohttp_client(make_app(tmp_path, clock, faults=Faults(api_error_rate=1.0)))
    token = await implicit_token(client)
    response = await client.get(SYSTEMS, headers=bearer(token))
    assert response.status == 503 and "error" in await response.json()


async def test_api_latency_delays_responses(aiohttp_client: Any, tmp_path: Path, clock: FakeClock) -> None:
    client = await aiohttp_client(make_app(tmp_path, clock, faults=Faults(api_latency_ms=200)))
    token = await implicit_token(client)
    started = time.perf_counter()
    await client.get(SYSTEMS, headers=bearer(token))
    assert time.perf_counter() - started >= 0.2


async def test_token_ttl_switch_changes_new_tokens(client: Any) -> None:
    await set_faults(client, token_ttl_s=30)
    from tests.standin_helpers import authorize_params, fragment_of

    response = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    if response.headers["Location"].startswith("/login"):
        await implicit_token(client)
        response = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    assert fragment_of(response.headers["Location"])["expires_in"] == "30"


# persistence -----------------------------------------------------------------------------------------------------


async def test_restart_keeps_sessions_tokens_and_revocations(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    first = await aiohttp_client(make_app(tmp_path, clock))
    live = await implicit_token(first)
    revoked = await implicit_token(first)
    await first.post(
        "/auth/oauth/revoke", data={"token": revoked, "client_id": first.server.app[STANDIN].settings.client_id}
    )
    cookies = {c.key: c.value for c in first.session.cookie_jar}
    await first.close()

    second = await aiohttp_client(make_app(tmp_path, clock))
    assert (await second.get(SYSTEMS, headers=bearer(live))).status == 200  # same signing key after restart
    assert (await second.get(SYSTEMS, headers=bearer(revoked))).status == 401  # revocation survived
    second.session.cookie_jar.update_cookies(cookies)
    authority = await (await second.get("/auth/authority")).json()
    assert authority["session"] is True  # still signed in


async def test_restart_keeps_logouts(aiohttp_client: Any, tmp_path: Path, clock: FakeClock) -> None:
    first = await aiohttp_client(make_app(tmp_path, clock))
    token = await implicit_token(first)
    await first.get("/auth/logout", headers=SAME_ORIGIN, allow_redirects=False)
    await first.close()
    second = await aiohttp_client(make_app(tmp_path, clock))
    response = await second.get(SYSTEMS, headers=bearer(token))
    assert (await response.json())["error"] == "logged out"


async def test_demo_credentials_follow_the_flags(aiohttp_client: Any, tmp_path: Path, clock: FakeClock) -> None:
    from tests.standin_helpers import sign_in

    client = await aiohttp_client(make_app(tmp_path, clock, demo_email="kiosk@example.com", demo_password="s3cret!"))
    assert (await sign_in(client, email="kiosk@example.com", password="s3cret!")).status == 202
    assert (await sign_in(client, email="kiosk@example.com", password="demo-password")).status == 401


# CORS ------------------------------------------------------------------------------------------------------------


async def test_cors_only_for_configured_origins_and_never_on_authorize(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    app_origin = "http://localhost:9000"
    client = await aiohttp_client(make_app(tmp_path, clock, cors_origins=(app_origin,)))
    token = await implicit_token(client)
    preflight = await client.options(
        SYSTEMS,
        headers={
            "Origin": app_origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == app_origin
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    response = await client.get(SYSTEMS, headers={**bearer(token), "Origin": app_origin})
    assert response.headers["Access-Control-Allow-Origin"] == app_origin
    assert "X-Total-Count" in response.headers["Access-Control-Expose-Headers"]
    stranger = await client.get(SYSTEMS, headers={**bearer(token), "Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    authorize = await client.get("/auth/oauth/authorize", headers={"Origin": app_origin}, allow_redirects=False)
    assert "Access-Control-Allow-Origin" not in authorize.headers
    # An error's answer too, or the browser hides it from the app as a network failure (a room without Bookings).
    missing = await client.get(SYSTEMS + "/sys-nowhere/Bookings_1", headers={**bearer(token), "Origin": app_origin})
    assert missing.status == 404 and missing.headers["Access-Control-Allow-Origin"] == app_origin
    refused = await client.get(SYSTEMS, headers={"Origin": app_origin})
    assert refused.status == 401 and refused.headers["Access-Control-Allow-Origin"] == app_origin


# a display's heartbeat (signage) -------------------------------------------------------------------------------------

SIGNAGE = "/api/engine/v2/signage/"


async def test_a_signage_heartbeat_stamps_signage_last_seen_only_without_preview(
    client: Any, token: str, clock: FakeClock
) -> None:
    sys_id = client.server.app[STANDIN].systems.systems[0]["id"]
    preview = await client.get(SIGNAGE + sys_id, headers=bearer(token))  # PlaceOS's default is a preview
    assert preview.status == 200 and (await preview.json())["signage_last_seen"] is None
    beat = await client.get(SIGNAGE + sys_id, params={"preview": "false"}, headers=bearer(token))
    assert beat.status == 200 and (await beat.json())["signage_last_seen"] == int(clock())
    clock.advance(90)
    detail = await (await client.get(f"{SYSTEMS}/{sys_id}", headers=bearer(token))).json()
    assert detail["signage_last_seen"] == int(clock()) - 90  # it ages until the next beat


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("sys-nowhere", {"preview": "false"}, 404),
        (None, {"preview": "maybe"}, 400),
    ],
)
async def test_a_signage_request_for_no_system_or_with_a_bad_preview_says_what_is_wrong(
    client: Any, token: str, path: str | None, params: dict[str, str], status: int
) -> None:
    sys_id = path or client.server.app[STANDIN].systems.systems[0]["id"]
    answer = await client.get(SIGNAGE + sys_id, params=params, headers=bearer(token))
    assert answer.status == status and (await answer.json())["error"]


async def test_a_signage_heartbeat_needs_a_signed_in_user(client: Any) -> None:
    sys_id = client.server.app[STANDIN].systems.systems[0]["id"]
    assert (await client.get(SIGNAGE + sys_id, params={"preview": "false"})).status == 401
    assert client.server.app[STANDIN].signage_last_seen == {}
