"""The stand-in behaves like a sound authorization server under hostile use (issue 8, checklist A1–A12).

Each test here failed before the fix it guards: tokens in a query, extra implicit fields, the password grant, PKCE
downgrade, code and refresh-token replay, login guessing, logout CSRF, an unguarded fault switch, 500s on bad
input, an unusable data file, and rows that only grew.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import jwt
import pytest

import serve
from app.core.config import derive_client_id
from server.standin import login as login_module
from server.standin.container import STANDIN
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
    dev_headers,
    fragment_of,
    implicit_token,
    make_app,
    query_of,
    set_faults,
    sign_in,
)

AUTHORIZE = "/auth/oauth/authorize"
TOKEN = "/auth/oauth/token"
ME = "/api/engine/v2/users/current"


async def _code_tokens(client: Any) -> tuple[str, dict[str, Any]]:
    """Sign in, run code + PKCE; returns the code and what it was exchanged for."""
    pkce = Pkce()
    await sign_in(client)
    response = await client.get(
        AUTHORIZE,
        params=authorize_params(response_type="code", code_challenge=pkce.challenge, code_challenge_method="S256"),
        allow_redirects=False,
    )
    code = query_of(response.headers["Location"])["code"]
    exchange = _exchange(code, pkce)
    tokens = await (await client.post(TOKEN, data=exchange)).json()
    return code, tokens


def _exchange(code: str, pkce: Pkce) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "code_verifier": pkce.verifier,
    }


def _refresh(token: str) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": token, "client_id": CLIENT_ID}


# 1, 16: what the implicit response carries, and where ---------------------------------------------------------------


async def test_an_access_token_is_never_put_in_a_query(client: Any) -> None:
    await sign_in(client)
    response = await client.get(AUTHORIZE, params=authorize_params(response_mode="query"), allow_redirects=False)
    assert response.status == 400 and "Location" not in response.headers
    assert "response_mode=query" in await response.text()
    # The fragment, said explicitly, is fine; a code may not be sent away in a fragment either.
    assert (
        await client.get(AUTHORIZE, params=authorize_params(response_mode="fragment"), allow_redirects=False)
    ).status == 302
    coded = await client.get(
        AUTHORIZE,
        params=authorize_params(response_type="code", code_challenge=Pkce().challenge, response_mode="fragment"),
        allow_redirects=False,
    )
    assert coded.status == 400


async def test_the_implicit_response_has_exactly_doorkeepers_fields(client: Any) -> None:
    await sign_in(client)
    response = await client.get(AUTHORIZE, params=authorize_params(), allow_redirects=False)
    assert set(fragment_of(response.headers["Location"])) == {"access_token", "token_type", "expires_in", "state"}


# 6: PKCE is S256 only -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["plain", None])
async def test_pkce_plain_or_no_method_is_refused(client: Any, method: str | None) -> None:
    await sign_in(client)
    params = authorize_params(response_type="code", code_challenge="v" * 64)
    if method:
        params["code_challenge_method"] = method
    response = await client.get(AUTHORIZE, params=params, allow_redirects=False)
    assert response.status == 400 and "code=" not in response.headers.get("Location", "")


# 7: replays revoke what they touch ----------------------------------------------------------------------------------


async def test_a_replayed_code_revokes_the_tokens_issued_from_it(client: Any) -> None:
    code, tokens = await _code_tokens(client)
    assert (await client.get(ME, headers=bearer(tokens["access_token"]))).status == 200
    replay = await client.post(TOKEN, data=_exchange(code, Pkce()))
    assert replay.status == 400 and (await replay.json())["error"] == "invalid_grant"
    assert (await client.get(ME, headers=bearer(tokens["access_token"]))).status == 401
    assert (await client.post(TOKEN, data=_refresh(tokens["refresh_token"]))).status == 400


async def test_a_reused_refresh_token_revokes_its_whole_family(client: Any) -> None:
    _, first = await _code_tokens(client)
    second = await (await client.post(TOKEN, data=_refresh(first["refresh_token"]))).json()
    assert (await client.get(ME, headers=bearer(second["access_token"]))).status == 200
    reuse = await client.post(TOKEN, data=_refresh(first["refresh_token"]))  # R1 again: stolen, or a replay
    assert reuse.status == 400
    assert (await client.post(TOKEN, data=_refresh(second["refresh_token"]))).status == 400  # R2 died with it
    for token in (first["access_token"], second["access_token"]):
        assert (await client.get(ME, headers=bearer(token))).status == 401
    # Another sign-in of the same person is another family, untouched.
    _, other = await _code_tokens(client)
    assert (await client.post(TOKEN, data=_refresh(other["refresh_token"]))).status == 200


# 8: login throttling, and scrypt off the event loop -----------------------------------------------------------------


async def test_wrong_passwords_are_throttled_with_429_and_retry_after(client: Any, clock: FakeClock) -> None:
    statuses = [(await sign_in(client, password=f"guess-{n}")).status for n in range(40)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    blocked = await sign_in(client)  # even the right password waits: guessing must stay slow
    assert blocked.status == 429 and int(blocked.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in await blocked.text()
    clock.advance(int(blocked.headers["Retry-After"]))
    assert (await sign_in(client)).status == 202


async def test_throttling_grows_and_also_counts_per_client_address(client: Any, clock: FakeClock) -> None:
    waits = []
    for n in range(8):
        response = await sign_in(client, password=f"guess-{n}")
        if response.status == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.advance(waits[-1])
    assert waits == sorted(waits) and waits[-1] > waits[0]
    # Guessing across many accounts from one address is throttled too.
    statuses = [(await sign_in(client, email=f"user{n}@example.com", password="x")).status for n in range(30)]
    assert 429 in statuses


async def test_password_hashing_runs_off_the_event_loop(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = login_module.verify_password

    def recording(password: str, stored: str) -> bool:
        threads.append(threading.current_thread())
        return real(password, stored)

    monkeypatch.setattr(login_module, "verify_password", recording)
    assert (await sign_in(client)).status == 202
    assert threads and all(thread is not threading.main_thread() for thread in threads)


# 9: logout CSRF -----------------------------------------------------------------------------------------------------


async def _session_alive(client: Any) -> bool:
    return bool((await (await client.get("/auth/authority")).json())["session"])


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {}])
async def test_a_cross_site_logout_link_asks_first(client: Any, headers: dict[str, str]) -> None:
    await sign_in(client)
    page = await client.get("/auth/logout", params={"continue": "/"}, headers=headers, allow_redirects=False)
    assert page.status == 200 and "Sign out of PlaceOS?" in await page.text()
    assert await _session_alive(client)
    # The confirmation's own form, with its CSRF token, does sign out.
    confirm = await client.post(
        "/auth/logout",
        data={"continue": "/", "csrf_token": csrf_from(await page.text())},
        allow_redirects=False,
    )
    assert confirm.status == 302 and not await _session_alive(client)


async def test_a_forged_logout_post_is_refused(client: Any) -> None:
    await sign_in(client)
    forged = await client.post("/auth/logout", data={"csrf_token": "0" * 64}, allow_redirects=False)
    assert forged.status == 403 and await _session_alive(client)


async def test_logout_acts_at_once_for_its_own_origin_or_a_bearer_token(client: Any) -> None:
    await sign_in(client)
    assert (await client.get("/auth/logout", headers=SAME_ORIGIN, allow_redirects=False)).status == 302
    assert not await _session_alive(client)
    token = await implicit_token(client)
    assert (await client.get("/auth/logout", headers=bearer(token), allow_redirects=False)).status == 302


async def test_logout_may_continue_to_a_registered_app_origin_only(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await aiohttp_client(
        make_app(tmp_path, FakeClock(), extra_redirect_uris=("http://localhost:4200/",), cors_origins=())
    )
    for target, expected in (
        ("http://localhost:4200/?signed-out", "http://localhost:4200/?signed-out"),
        ("http://localhost:4201/", "/"),
        ("https://evil.example.com/", "/"),
    ):
        response = await client.get(
            "/auth/logout", params={"continue": target}, headers=SAME_ORIGIN, allow_redirects=False
        )
        assert response.headers["Location"] == expected


async def test_logout_sends_no_cors_headers_like_placeos(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await aiohttp_client(make_app(tmp_path, FakeClock(), cors_origins=("http://localhost:4200",)))
    response = await client.get(
        "/auth/logout", headers={"Origin": "http://localhost:4200", **SAME_ORIGIN}, allow_redirects=False
    )
    assert "Access-Control-Allow-Origin" not in response.headers


# 10: the fault switches are guarded and bounded ---------------------------------------------------------------------


async def test_changing_faults_needs_the_run_secret(client: Any) -> None:
    assert (await client.post("/_dev/faults", json={"always_deny": True})).status == 403
    wrong = await client.post("/_dev/faults", json={"always_deny": True}, headers={"X-Dev-Secret": "guess"})
    assert wrong.status == 403
    cross_site = await client.post("/_dev/faults", json={"always_deny": True}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status == 403
    assert (await (await client.get("/_dev/faults")).json())["always_deny"] is False
    assert (await set_faults(client, always_deny=True)).status == 200
    # A page of the app's own origin, in a browser on this machine, may change them without the secret.
    own_page = await client.post("/_dev/faults", json={"always_deny": False}, headers=SAME_ORIGIN)
    assert own_page.status == 200


@pytest.mark.parametrize(
    ("switches", "field", "limit"),
    [
        ({"token_ttl_s": 10**19}, "token_ttl_s", "604800"),
        ({"token_ttl_s": 0}, "token_ttl_s", "1"),
        ({"date_skew_s": 10**15}, "date_skew_s", "31536000"),
        ({"api_latency_ms": 10**9}, "api_latency_ms", "60000"),
        ({"api_error_rate": 2}, "api_error_rate", "1"),
        ({"unauthorized_storm": -1}, "unauthorized_storm", "1000000"),
    ],
)
async def test_fault_values_out_of_range_are_400_naming_the_field_and_limit(
    client: Any, switches: dict[str, Any], field: str, limit: str
) -> None:
    response = await set_faults(client, **switches)
    message = (await response.json())["error"]
    assert response.status == 400 and field in message and limit in message


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"token_ttl_s": ' + "9" * 5000 + "}", "{nope"])
async def test_unusable_fault_json_is_400(client: Any, body: str) -> None:
    response = await client.post(
        "/_dev/faults", data=body, headers={**dev_headers(client), "Content-Type": "application/json"}
    )
    assert response.status == 400 and "error" in await response.json()


def test_fault_switches_are_off_on_a_non_loopback_host_unless_asked() -> None:
    assert serve.parse_args([]).dev_controls is True
    assert serve.parse_args(["--host", "0.0.0.0"]).dev_controls is False
    assert serve.parse_args(["--host", "0.0.0.0", "--allow-remote-faults"]).dev_controls is True


def test_the_banner_says_the_fault_switches_are_on_and_how_to_use_them() -> None:
    settings = serve.parse_args([])
    assert "fault switches ON" in serve.banner(settings) and settings.dev_secret in serve.banner(settings)
    assert "fault switches off" in serve.banner(serve.parse_args(["--host", "0.0.0.0"]))


@pytest.mark.parametrize("flag", [["--token-ttl", str(10**19)], ["--date-skew", str(10**15)], ["--api-latency", "-5"]])
def test_fault_flags_out_of_range_stop_serve_with_a_message(
    flag: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        serve.parse_args(flag)
    assert stopped.value.code == 2 and "must be between" in capsys.readouterr().err


# 11: bad input is a 4xx that says what was wrong, never a 500 -------------------------------------------------------


async def test_a_login_post_with_invalid_utf8_is_400(client: Any) -> None:
    response = await client.post(
        "/auth/signin", data=b"email=\xff\xfe&password=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 400 and "could not be read" in await response.text()


async def test_a_multipart_login_post_without_a_boundary_is_400(client: Any) -> None:
    response = await client.post("/auth/signin", data=b"--x\r\n", headers={"Content-Type": "multipart/form-data"})
    assert response.status == 400


async def test_a_token_post_with_invalid_utf8_is_400_invalid_request(client: Any) -> None:
    response = await client.post(
        TOKEN, data=b"grant_type=\xff", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 400 and (await response.json())["error"] == "invalid_request"


async def test_a_static_name_too_long_for_the_file_system_is_404(client: Any) -> None:
    assert (await client.get("/static/" + "a" * 300)).status == 404


@pytest.mark.parametrize("claims", [{"exp": "tomorrow"}, {"iat": [1]}, {"sub": 7}, {"scope": "public"}])
async def test_a_correctly_signed_token_with_a_claim_of_the_wrong_type_is_401(
    client: Any, claims: dict[str, Any]
) -> None:
    token = await implicit_token(client)
    issuer = client.server.app[STANDIN].issuer
    payload = {**jwt.decode(token, options={"verify_signature": False}), **claims}
    forged = jwt.encode(payload, issuer._private, algorithm="RS256")
    response = await client.get(ME, headers=bearer(forged))
    assert response.status == 401 and (await response.json())["error"] == "invalid token"


async def test_always_deny_without_a_redirect_uri_uses_the_registered_one(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    client = await aiohttp_client(make_app(tmp_path, clock))
    standin = client.server.app[STANDIN]
    only = "http://127.0.0.1:8000/only/"
    standin.store.register_app(derive_client_id(only), "One redirect URI", only, ("public",))
    await set_faults(client, always_deny=True)
    await sign_in(client)
    one = authorize_params(redirect_uri=None, client_id=derive_client_id(only))  # type: ignore[arg-type]
    response = await client.get(AUTHORIZE, params=one, allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith(only + "#error=access_denied")
    # The app's own registration has two (its page, and the callback of renewals in a frame): then the request
    # must say which (RFC 6749 §3.1.2.3), and a page says so; never a 500.
    two = await client.get(AUTHORIZE, params=authorize_params(redirect_uri=None), allow_redirects=False)  # type: ignore[arg-type]
    assert two.status == 400 and "Location" not in two.headers and "redirect URI" in await two.text()


async def test_a_repeated_oauth_parameter_is_refused(client: Any) -> None:
    await sign_in(client)
    query = "&".join(f"{k}={v}" for k, v in authorize_params().items()) + "&redirect_uri=https://evil.example.com/"
    response = await client.get(f"{AUTHORIZE}?{query}", allow_redirects=False)
    assert response.status == 400 and "Location" not in response.headers
    assert "redirect_uri" in await response.text()
    token_post = await client.post(
        TOKEN,
        data="grant_type=refresh_token&refresh_token=a&refresh_token=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert token_post.status == 400 and "repeated" in (await token_post.json())["error_description"]


async def test_only_the_client_a_token_was_issued_to_may_revoke_it(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await aiohttp_client(make_app(tmp_path, FakeClock(), extra_redirect_uris=("http://localhost:4200/",)))
    from app.core.config import derive_client_id

    token = await implicit_token(client)
    other = await client.post(
        "/auth/oauth/revoke", data={"token": token, "client_id": derive_client_id("http://localhost:4200/")}
    )
    assert other.status == 403 and (await other.json())["error"] == "unauthorized_client"
    assert (await client.get(ME, headers=bearer(token))).status == 200
    own = await client.post("/auth/oauth/revoke", data={"token": token, "client_id": CLIENT_ID})
    assert own.status == 200 and (await client.get(ME, headers=bearer(token))).status == 401


# 12: an unusable data file stops serve.py with one line; rows do not only grow -------------------------------------


def _data_cases(tmp_path: Path) -> dict[str, Path]:
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("these are not the tables you are looking for\n" * 100)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    return {"directory": tmp_path, "not SQLite": not_sqlite, "unwritable": a_file / "standin.sqlite3"}


@pytest.mark.parametrize("case", ["directory", "not SQLite", "unwritable"])
def test_an_unusable_data_path_is_one_line_and_exit_2(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _data_cases(tmp_path)[case]
    assert serve.main(["--port", "0", "--data", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(path) in err and "Traceback" not in err


async def test_expired_rows_are_purged_and_logouts_still_hold(client: Any, clock: FakeClock) -> None:
    store = client.server.app[STANDIN].store
    for _ in range(5):
        await implicit_token(client)
    await _code_tokens(client)
    before = {table: store.count(table) for table in ("sessions", "codes", "tokens", "refresh_tokens")}
    assert all(before.values())
    clock.advance(15 * 24 * 3600)  # past every lifetime: token, code, session, refresh token
    assert store.purge_expired() > 0
    after = {table: store.count(table) for table in ("sessions", "codes", "tokens", "refresh_tokens")}
    assert after == {"sessions": 0, "codes": 0, "tokens": 1, "refresh_tokens": 0}  # the newest token row stays
    # Logged-out-ness compares row numbers, which must never go back after a purge.
    await client.get("/auth/logout", headers=SAME_ORIGIN, allow_redirects=False)
    store.purge_expired()
    fresh = await implicit_token(client)
    assert (await client.get(ME, headers=bearer(fresh))).status == 200


async def test_throttle_entries_are_forgotten_after_a_day(client: Any, clock: FakeClock) -> None:
    await sign_in(client, password="wrong")
    throttle = client.server.app[STANDIN].throttle
    assert len(throttle) == 2  # the account and the address
    clock.advance(2 * 24 * 3600)
    throttle.purge()
    assert len(throttle) == 0


# 18, 19: fidelity ---------------------------------------------------------------------------------------------------


async def test_the_login_page_takes_its_stylesheet_from_a_path_the_auth_service_owns(client: Any) -> None:
    page = await (await client.get("/login")).text()
    assert '<link rel="stylesheet" href="/auth/assets/login.css">' in page and "/static/" not in page
    css = await client.get("/auth/assets/login.css")
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")


async def test_after_revoke_and_logout_the_api_says_logged_out(client: Any) -> None:
    token = await implicit_token(client)
    # What the app does at sign-out: revoke (RFC 7009), then send the browser to PlaceOS's logout_url.
    await client.post("/auth/oauth/revoke", data={"token": token, "client_id": CLIENT_ID})
    await client.get("/auth/logout", headers=SAME_ORIGIN, allow_redirects=False)
    response = await client.get(ME, headers=bearer(token))
    assert (await response.json())["error"] == "logged out"


async def test_the_email_is_still_the_account_key_for_signin(client: Any) -> None:
    assert (await sign_in(client, email=EMAIL.upper(), password=PASSWORD)).status == 202


async def test_prompt_none_without_a_session_answers_login_required_to_the_redirect_uri(client: Any) -> None:
    # A renewal in a hidden frame learns at once that a sign-in is needed; the login page, which may not be
    # framed, is never sent.
    callback = REDIRECT_URI + "static/callback.html"
    response = await client.get(
        AUTHORIZE, params=authorize_params(redirect_uri=callback, prompt="none"), allow_redirects=False
    )
    assert response.status == 302
    location = response.headers["Location"]
    assert location.startswith(callback + "#") and "/login" not in location
    assert fragment_of(location)["error"] == "login_required" and fragment_of(location)["state"] == "state-123"
    await sign_in(client)
    renewed = await client.get(
        AUTHORIZE, params=authorize_params(redirect_uri=callback, prompt="none"), allow_redirects=False
    )
    assert set(fragment_of(renewed.headers["Location"])) == {"access_token", "token_type", "expires_in", "state"}
