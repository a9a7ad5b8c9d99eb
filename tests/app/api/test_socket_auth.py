"""Where the websocket's token goes: a cookie on the socket's path, never its URL (app.api.socket_auth)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.socket_auth import COOKIE_LIFE_S, CookieAuth, NoToken, socket_token
from app.auth.session import Token
from app.core.redact import Secret

URL = "wss://placeos.example.com/api/engine/v2/systems/control"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl-_"


def test_the_token_goes_in_a_short_lived_strict_cookie_on_the_socket_s_path_and_the_url_stays_bare() -> None:
    cookies: list[str] = []
    auth = CookieAuth(cookies.append)
    assert auth.address(URL, JWT) == URL
    assert cookies == [
        f"bearer_token={JWT}; Path=/api/engine/v2/systems/control; Max-Age={COOKIE_LIFE_S}; SameSite=Strict; Secure"
    ]
    auth.forget()  # the upgrade is over: the cookie is expired at once
    assert cookies[-1] == "bearer_token=; Path=/api/engine/v2/systems/control; Max-Age=0; SameSite=Strict; Secure"


def test_without_tls_the_cookie_is_not_marked_secure_and_forgetting_before_any_socket_sets_nothing() -> None:
    cookies: list[str] = []
    auth = CookieAuth(cookies.append)
    auth.forget()
    assert cookies == []
    auth.address("ws://127.0.0.1:8000/api/engine/v2/systems/control", JWT)
    assert "Secure" not in cookies[0] and "Path=/api/engine/v2/systems/control;" in cookies[0]


async def test_the_socket_opens_only_once_the_browser_has_the_cookie_where_its_handshake_reads() -> None:
    steps: list[str] = []

    async def written() -> None:
        steps.append("written")

    auth = CookieAuth(lambda cookie: steps.append("set"), written)
    auth.address(URL, JWT)
    await auth.ready()
    assert steps == ["set", "written"]


@given(st.text(max_size=300))
def test_a_token_that_could_end_the_cookie_or_add_an_attribute_is_never_set(token: str) -> None:
    cookies: list[str] = []
    auth = CookieAuth(cookies.append)
    try:
        auth.address(URL, token)
    except OSError:
        assert cookies == []
        return
    assert token and not any(char in token for char in ';, \t\r\n"\\')
    assert cookies[0].split(";")[0] == f"bearer_token={token}"


def test_over_http_no_token_goes_anywhere_but_each_read_s_header() -> None:
    auth = NoToken()
    assert auth.address(URL, JWT) == URL
    assert auth.forget() is None


@pytest.mark.parametrize("empty", [""])
def test_an_empty_token_is_refused(empty: str) -> None:
    with pytest.raises(OSError):
        CookieAuth(lambda _: None).address(URL, empty)


@pytest.mark.parametrize(
    ("remaining", "lifetime", "offered"),
    [
        (60, 7200, True),
        (3.5, 10, True),
        (3, 10, False),  # the last seconds: wait for the renewal instead
        (700, 7200, True),
        (-1, 10, False),
    ],
)
def test_a_socket_is_opened_only_with_a_token_well_before_its_end(
    remaining: float, lifetime: float, offered: bool
) -> None:
    now = 1_800_000_000.0
    token = Token(Secret("tok-abcdefgh"), now + remaining, "public", lifetime_s=lifetime)
    assert (socket_token(token, now) == "tok-abcdefgh") is offered
    assert socket_token(None, now) is None
