"""The stand-in auth service: login, authorize (implicit and code + PKCE), token, revoke, logout, authority."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import jwt
import pytest

from server.faults import Faults
from server.standin.container import STANDIN
from server.standin.forms import safe_continue
from tests.standin_helpers import (
    CLIENT_ID,
    EMAIL,
    PASSWORD,
    REDIRECT_URI,
    SAME_ORIGIN,
    FakeClock,
    Pkce,
    authorize_params,
    bearer,
    csrf_from,
    fragment_of,
    implicit_token,
    make_app,
    query_of,
    set_faults,
    sign_in,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# authority ---------------------------------------------------------------------------------------------------------


async def test_authority_describes_the_standin_and_reports_session_state(client: Any) -> None:
    body = await (await client.get("/auth/authority")).json()
    assert body["login_url"] == "/login?continue={{url}}"
    assert body["logout_url"] == "/auth/logout"
    assert body["version"] == "v2.0.0"
    assert body["session"] is False and body["token_valid"] is False
    token = await implicit_token(client)
    body = await (await client.get("/auth/authority", headers=bearer(token))).json()
    assert body["session"] is True and body["token_valid"] is True


async def test_authority_unknown_host_is_404(client: Any) -> None:
    response = await client.get("/auth/authority", headers={"Host": "evil.example.com"})
    assert response.status == 404
    assert (await response.json())["error"] == "authority not found"


# login -------------------------------------------------------------------------------------------------------------


async def test_login_page_is_no_store_unframeable_and_has_a_csrf_field(client: Any) -> None:
    response = await client.get("/login", params={"continue": "/auth/oauth/authorize?x=1"})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    html = await response.text()
    assert csrf_from(html)
    assert "<script" not in html
    assert "Cancel" in html


async def test_signin_with_good_credentials_sets_an_httponly_session_and_follows_continue(client: Any) -> None:
    response = await sign_in(client, continue_to="/auth/oauth/authorize?a=1")
    assert response.status == 302
    assert response.headers["Location"] == "/auth/oauth/authorize?a=1"
    cookie = response.cookies["user"]
    assert cookie["httponly"] and cookie["path"] == "/auth" and cookie["samesite"] == "Lax"


async def test_placeos_s_own_sign_in_lasts_its_session_timeout_and_no_longer(client: Any, clock: FakeClock) -> None:
    # PlaceOS's authority keeps a sign-in for internals.session_timeout minutes (1440 unless set): a display left
    # for weeks needs it set longer, and the switch lets a soak do so.
    assert (await set_faults(client, session_timeout_min=3 * 24 * 60)).status == 200
    response = await sign_in(client)
    assert response.cookies["user"]["max-age"] == str(3 * 24 * 3600)
    clock.advance(3 * 24 * 3600 - 60)
    assert (await (await client.get("/auth/authority")).json())["session"] is True
    clock.advance(61)
    assert (await (await client.get("/auth/authority")).json())["session"] is False
    refused = await set_faults(client, session_timeout_min=0)
    assert refused.status == 400 and "session_timeout_min" in await refused.text()


async def test_signin_without_continue_answers_202(client: Any) -> None:
    response = await sign_in(client)
    assert response.status == 202


async def test_signin_with_wrong_password_is_401_with_a_clear_message(client: Any) -> None:
    response = await sign_in(client, password="wrong")
    assert response.status == 401
    html = await response.text()
    assert "don&#x27;t match an account" in html
    assert EMAIL in html  # the email stays filled in
    assert "user" not in response.cookies


async def test_signin_without_the_csrf_token_is_refused(client: Any) -> None:
    await client.get("/login")
    response = await client.post("/auth/signin", data={"email": EMAIL, "password": PASSWORD}, allow_redirects=False)
    assert response.status == 403
    assert "user" not in response.cookies


async def test_signin_with_a_forged_csrf_token_or_foreign_origin_is_refused(client: Any) -> None:
    page = await client.get("/login")
    token = csrf_from(await page.text())
    forged = await client.post(
        "/auth/signin", data={"email": EMAIL, "password": PASSWORD, "csrf_token": "0" * 64}, allow_redirects=False
    )
    assert forged.status == 403
    cross = await client.post(
        "/auth/signin",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        headers={"Origin": "https://evil.example.com"},
        allow_redirects=False,
    )
    assert cross.status == 403


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/x",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "http://127.0.0.1:9/other-port",
        "/\tfoo",
        "evil.example.com",
    ],
)
async def test_signin_continue_never_sends_the_browser_off_site(client: Any, target: str) -> None:
    response = await sign_in(client, continue_to=target)
    assert response.status in (202, 302)
    if response.status == 302:
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")


def test_safe_continue_accepts_same_origin_paths_only() -> None:
    own = "http://127.0.0.1:8000"
    assert safe_continue("/auth/oauth/authorize?a=1", own) == "/auth/oauth/authorize?a=1"
    assert safe_continue("http://127.0.0.1:8000/x?y=1", own) == "/x?y=1"
    for bad in ["", "//evil.com", "https://evil.com/", "/\\evil.com", "x", "/a\nb", "http://127.0.0.1:8001/"]:
        assert safe_continue(bad, own) is None, bad


async def test_passwords_are_stored_hashed(client: Any, tmp_path: Path) -> None:
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("standin.sqlite3*"))
    assert PASSWORD.encode() not in raw
    assert b"scrypt$" in raw


# authorize: implicit -------------------------------------------------------------------------------------------------


async def test_authorize_without_a_session_sends_to_login_with_the_full_request(client: Any) -> None:
    response = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    assert response.status == 302
    location = response.headers["Location"]
    assert location.startswith("/login?continue=%2Fauth%2Foauth%2Fauthorize%3F")
    assert quote("state=state-123", safe="") in location


async def test_authorize_implicit_returns_a_placeos_jwt_in_the_fragment(client: Any, clock: FakeClock) -> None:
    await sign_in(client)
    response = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    assert response.status == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "#")
    params = fragment_of(location)
    assert params["token_type"] == "Bearer"
    assert params["expires_in"] == "7200"
    assert params["state"] == "state-123"
    assert "refresh_token" not in params
    claims = jwt.decode(params["access_token"], options={"verify_signature": False})
    assert jwt.get_unverified_header(params["access_token"])["alg"] == "RS256"
    assert claims["iss"] == "POS" and claims["aud"] == "127.0.0.1"
    assert claims["exp"] - claims["iat"] == 7200 and claims["iat"] == int(clock.now)
    assert claims["scope"] == ["public"] and claims["sub"].startswith("user-")
    assert claims["u"]["e"] == EMAIL and {"n", "p", "r"} <= set(claims["u"])
    assert claims["jti"]


async def test_authorize_token_lifetime_follows_the_flag(aiohttp_client: Any, tmp_path: Path, clock: FakeClock) -> None:
    client = await aiohttp_client(make_app(tmp_path, clock, faults=Faults(token_ttl_s=30)))
    await sign_in(client)
    response = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    assert fragment_of(response.headers["Location"])["expires_in"] == "30"


@pytest.mark.parametrize(
    ("override", "status", "text"),
    [
        ({"client_id": "0" * 32}, 401, "invalid_client"),
        ({"client_id": None}, 400, "missing"),
        ({"redirect_uri": "http://127.0.0.1:8000/other"}, 400, "redirect"),
        ({"redirect_uri": "https://evil.example.com/"}, 400, "redirect"),
        ({"redirect_uri": "HTTP://127.0.0.1:8000/"}, 400, "redirect"),
        ({"response_type": "id_token"}, 400, "unsupported_response_type"),
        ({"scope": "admin"}, 400, "invalid_scope"),
    ],
)
async def test_authorize_bad_requests_get_an_html_error_page_never_a_redirect(
    client: Any, override: dict[str, str | None], status: int, text: str
) -> None:
    await sign_in(client)
    params = authorize_params(**override)  # type: ignore[arg-type]
    response = await client.get("/auth/oauth/authorize", params=params, allow_redirects=False)
    assert response.status == status
    assert "Location" not in response.headers
    assert response.content_type == "text/html"
    assert text in (await response.text()).lower().replace(" ", "_") or text in await response.text()


@pytest.mark.parametrize(
    "override",
    [{}, {"client_id": "0" * 32}, {"redirect_uri": "https://evil.example.com/"}, {"scope": "admin"}],
)
async def test_authorize_without_a_session_asks_for_the_login_first_whatever_the_request(
    client: Any, override: dict[str, str]
) -> None:
    # Doorkeeper's before_action :authenticate_resource_owner! runs before the request is looked at (PlaceOS).
    params = authorize_params(**override)  # type: ignore[arg-type]
    response = await client.get("/auth/oauth/authorize", params=params, allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/login?continue=%2Fauth%2Foauth")


async def test_introspection_asks_a_known_client_and_shows_it_only_its_own_live_tokens(client: Any) -> None:
    # What app.auth.preflight asks where the authorize endpoint only says "log in first": Doorkeeper's RFC 7662.
    made_up = await client.post("/auth/oauth/introspect", data={"token": "no-such-token", "client_id": CLIENT_ID})
    assert made_up.status == 200 and await made_up.json() == {"active": False}
    stranger = await client.post("/auth/oauth/introspect", data={"token": "no-such-token", "client_id": "0" * 32})
    assert stranger.status == 401 and (await stranger.json())["error"] == "invalid_client"
    token = await implicit_token(client)
    own = await (await client.post("/auth/oauth/introspect", data={"token": token, "client_id": CLIENT_ID})).json()
    assert own["active"] is True and own["client_id"] == CLIENT_ID and own["scope"] == "public"
    assert own["exp"] - own["iat"] == 7200 and own["token_type"] == "Bearer"
    other = await client.post("/auth/oauth/introspect", data={"token": token, "client_id": "1" * 32})
    assert other.status == 401  # not a client PlaceOS knows: nothing said of the token
    missing = await client.post("/auth/oauth/introspect", data={"client_id": CLIENT_ID})
    assert missing.status == 400 and (await missing.json())["error"] == "invalid_request"


async def test_authorize_client_id_is_md5_of_the_lowercased_redirect_uri(client: Any) -> None:
    import hashlib

    assert hashlib.md5(REDIRECT_URI.lower().encode()).hexdigest() == CLIENT_ID
    token = await implicit_token(client)
    assert token


async def test_authorize_implicit_disabled_answers_like_auth_cr(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    client = await aiohttp_client(make_app(tmp_path, clock, faults=Faults(implicit_disabled=True)))
    await sign_in(client)
    response = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    assert response.status == 400
    assert await response.json() == {"error": "unsupported_response_type", "error_description": "response_type=token"}


async def test_authorize_always_deny_redirects_access_denied_with_state(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    client = await aiohttp_client(make_app(tmp_path, clock, faults=Faults(always_deny=True)))
    await sign_in(client)
    response = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    params = fragment_of(response.headers["Location"])
    assert params == {
        "error": "access_denied",
        "state": "state-123",
        "error_description": "The resource owner or authorization server denied the request.",
    }


async def test_login_cancel_denies_with_the_state_back_to_the_app(client: Any) -> None:
    target = "/auth/oauth/authorize?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in authorize_params().items())
    page = await client.get("/login", params={"continue": target})
    response = await client.post(
        "/auth/signin",
        data={"continue": target, "csrf_token": csrf_from(await page.text()), "action": "cancel"},
        allow_redirects=False,
    )
    assert response.status == 302
    params = fragment_of(response.headers["Location"])
    assert params["error"] == "access_denied" and params["state"] == "state-123"


async def test_consent_page_approve_and_deny(client: Any) -> None:
    standin = client.server.app[STANDIN]
    standin.store.register_app(CLIENT_ID, "Consent app", REDIRECT_URI, ["public"], skip_authorization=False)
    await sign_in(client)
    page = await client.get("/auth/oauth/authorize", params=authorize_params())
    html = await page.text()
    assert "Allow Consent app?" in html
    fields = dict(authorize_params(), csrf_token=csrf_from(html))
    denied = await client.post("/auth/oauth/authorize", data={**fields, "decision": "deny"}, allow_redirects=False)
    assert fragment_of(denied.headers["Location"])["error"] == "access_denied"
    approved = await client.post("/auth/oauth/authorize", data={**fields, "decision": "approve"}, allow_redirects=False)
    assert "access_token" in fragment_of(approved.headers["Location"])
    forged = await client.post(
        "/auth/oauth/authorize", data={**fields, "decision": "approve", "csrf_token": "x"}, allow_redirects=False
    )
    assert forged.status == 403


# code + PKCE, token endpoint -----------------------------------------------------------------------------------------


async def _code(client: Any, pkce: Pkce) -> str:
    await sign_in(client)
    response = await client.get(
        "/auth/oauth/authorize",
        allow_redirects=False,
        params=authorize_params(response_type="code", code_challenge=pkce.challenge, code_challenge_method="S256"),
    )
    assert response.status == 302, await response.text()
    params = query_of(response.headers["Location"])
    assert params["state"] == "state-123"
    return params["code"]


async def test_code_with_pkce_exchanges_once_for_tokens_with_a_refresh_token(client: Any) -> None:
    pkce = Pkce()
    code = await _code(client, pkce)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "code_verifier": pkce.verifier,
    }
    response = await client.post("/auth/oauth/token", data=form)
    assert response.status == 200
    assert "no-store" in response.headers["Cache-Control"]
    body = await response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 7200 and body["refresh_token"]
    assert body["scope"] == "public" and isinstance(body["created_at"], int)
    again = await client.post("/auth/oauth/token", data=form)
    assert again.status == 400 and (await again.json())["error"] == "invalid_grant"


async def test_code_exchange_with_a_wrong_verifier_is_invalid_grant(client: Any) -> None:
    code = await _code(client, Pkce())
    response = await client.post(
        "/auth/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": "w" * 64,
        },
    )
    assert response.status == 400
    assert (await response.json())["error"] == "invalid_grant"


async def test_code_without_pkce_is_refused(client: Any) -> None:
    await sign_in(client)
    response = await client.get(
        "/auth/oauth/authorize", params=authorize_params(response_type="code"), allow_redirects=False
    )
    # Refused outright (RFC 7636 §4.4.1): a 400 page, or an error sent back, but never a code.
    location = response.headers.get("Location", "")
    assert response.status == 400 or query_of(location).get("error") == "invalid_request", response.status
    assert "code" not in query_of(location)


async def test_code_expires_after_ten_minutes(client: Any, clock: FakeClock) -> None:
    pkce = Pkce()
    code = await _code(client, pkce)
    clock.advance(601)
    response = await client.post(
        "/auth/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": pkce.verifier,
        },
    )
    assert response.status == 400


async def test_refresh_token_rotates_and_the_old_one_dies(client: Any) -> None:
    pkce = Pkce()
    code = await _code(client, pkce)
    first = await (
        await client.post(
            "/auth/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "client_id": CLIENT_ID,
                "code_verifier": pkce.verifier,
            },
        )
    ).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": CLIENT_ID}
    second = await client.post("/auth/oauth/token", data=refresh)
    assert second.status == 200
    assert (await second.json())["refresh_token"] != first["refresh_token"]
    replay = await client.post("/auth/oauth/token", data=refresh)
    assert replay.status == 400


async def test_password_grant_is_refused_for_the_public_spa_client(client: Any) -> None:
    # RFC 9700 §2.4 and the seed page: the password grant is for trusted server-side apps, never a browser app.
    for password in (PASSWORD, "nope"):
        response = await client.post(
            "/auth/oauth/token",
            data={"grant_type": "password", "username": EMAIL, "password": password, "client_id": CLIENT_ID},
        )
        assert response.status == 400, await response.text()
        assert (await response.json())["error"] == "unsupported_grant_type"


async def test_token_endpoint_accepts_parameters_in_the_query_like_ts_client(client: Any) -> None:
    pkce = Pkce()
    code = await _code(client, pkce)
    response = await client.post(
        "/auth/oauth/token",
        params={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": pkce.verifier,
        },
        headers=FORM,
    )
    assert response.status == 200


# revoke and logout ---------------------------------------------------------------------------------------------------


async def test_revoke_kills_the_token_and_answers_200_even_for_unknown_tokens(client: Any) -> None:
    token = await implicit_token(client)
    assert (await client.get("/api/engine/v2/users/current", headers=bearer(token))).status == 200
    response = await client.post("/auth/oauth/revoke", data={"token": token, "client_id": CLIENT_ID})
    assert response.status == 200
    after = await client.get("/api/engine/v2/users/current", headers=bearer(token))
    assert after.status == 401 and (await after.json())["error"] == "token revoked"
    unknown = await client.post("/auth/oauth/revoke", data={"token": "nonsense", "client_id": CLIENT_ID})
    assert unknown.status == 200


async def test_revoke_without_a_client_is_refused(client: Any) -> None:
    response = await client.post("/auth/oauth/revoke", data={"token": "x"})
    assert response.status in (400, 401, 403)


async def test_logout_ends_the_session_and_every_older_token(client: Any, clock: FakeClock) -> None:
    first = await implicit_token(client)
    clock.advance(5)
    second = await implicit_token(client)
    response = await client.get(
        "/auth/logout", params={"continue": "/signed-out"}, headers=SAME_ORIGIN, allow_redirects=False
    )
    assert response.status == 302 and response.headers["Location"] == "/signed-out"
    for token in (first, second):
        after = await client.get("/api/engine/v2/users/current", headers=bearer(token))
        assert after.status == 401
        assert (await after.json())["error"] == "logged out"
    # The session is gone too: authorizing again needs a new sign-in.
    again = await client.get("/auth/oauth/authorize", params=authorize_params(), allow_redirects=False)
    assert again.headers["Location"].startswith("/login?")
    # A sign-in right after the logout (same second) gets a token that works.
    fresh = await implicit_token(client)
    assert (await client.get("/api/engine/v2/users/current", headers=bearer(fresh))).status == 200


async def test_logout_continue_cannot_leave_the_site(client: Any) -> None:
    response = await client.get(
        "/auth/logout", params={"continue": "https://evil.example.com"}, headers=SAME_ORIGIN, allow_redirects=False
    )
    assert response.headers["Location"] == "/"


async def test_logout_by_bearer_token_alone(client: Any) -> None:
    token = await implicit_token(client)
    client.session.cookie_jar.clear()
    await client.get("/auth/logout", headers=bearer(token), allow_redirects=False)
    after = await client.get("/api/engine/v2/users/current", headers=bearer(token))
    assert after.status == 401


async def test_every_response_carries_a_request_id(client: Any) -> None:
    for path in ("/auth/authority", "/login", "/auth/oauth/authorize", "/api/engine/v2/systems", "/nowhere"):
        response = await client.get(path, allow_redirects=False)
        assert response.headers.get("X-Request-ID"), path


async def test_rfc8414_metadata_describes_the_endpoints_and_pkce(client: Any) -> None:
    response = await client.get("/.well-known/oauth-authorization-server")
    body = await response.json()
    origin = str(client.make_url("")).rstrip("/")
    assert body["issuer"] == origin
    assert body["authorization_endpoint"] == origin + "/auth/oauth/authorize"
    assert body["token_endpoint"] == origin + "/auth/oauth/token"
    assert body["revocation_endpoint"] == origin + "/auth/oauth/revoke"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert set(body["response_types_supported"]) == {"code", "token"}
    assert "password" not in body["grant_types_supported"]
    await set_faults(client, implicit_disabled=True)
    assert (await (await client.get("/.well-known/oauth-authorization-server")).json())["response_types_supported"] == [
        "code"
    ]
