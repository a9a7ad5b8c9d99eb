"""Where the token goes with the page's websocket. Never in its URL: a browser prints a failed socket's URL to its
console (and a proxy may log it), so a token there leaks whenever PlaceOS's websocket is missing or unreachable.

- On PlaceOS's own origin (`make dist` under PlaceOS, `--placeos` and the stand-in in development) it goes as
  PlaceOS's own client sends it there: a `bearer_token` cookie, scoped to the websocket's path (so no other request
  carries it, and the page's scripts at other paths do not see it), SameSite=Strict, Secure over TLS, living 2
  minutes and expired as soon as the upgrade is over. rest-api reads it after the header and the query parameter.
- On another origin no cookie can be set for PlaceOS, so the page opens no websocket: live state comes over HTTP
  (app.api.http_socket) and `NoToken` is its address.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from app.auth.session import Token
from app.core.urls import split as urlsplit

COOKIE = "bearer_token"
COOKIE_LIFE_S = 120  # PlaceOS's client: long enough for an upgrade on a slow network, no longer
# What a JWT (base64url and dots) and PlaceOS's opaque tokens are made of; nothing that could end the cookie early.
COOKIE_SAFE = re.compile(r"[A-Za-z0-9._~+/=-]{1,8192}")


SOCKET_MARGIN_S = 3.0


def socket_token(token: Token | None, now: float) -> str | None:
    """The token to open a socket with, or None to wait for its renewal. Near its end a token is not offered: the
    server's clock (its exp is whole seconds, from before the response arrived) may count it expired already, and a
    refused websocket would only be tried again."""
    if token is None:
        return None
    return token.access_token.reveal() if token.remaining(now) > SOCKET_MARGIN_S else None


async def _at_once() -> None:
    return None


class CookieAuth:
    def __init__(self, set_cookie: Callable[[str], None], written: Callable[[], Awaitable[None]] = _at_once) -> None:
        self._set_cookie = set_cookie  # document.cookie = …, in app.browser
        # The browser applies document.cookie to the store its network requests read asynchronously: a socket opened
        # at once could go without it (a 401 at the upgrade, seen under load). `written` waits until it is there.
        self._written = written
        self._path = ""
        self._secure = False

    def address(self, url: str, token: str) -> str:
        if not COOKIE_SAFE.fullmatch(token):
            raise OSError("the token cannot travel in a cookie")
        parts = urlsplit(url)
        self._path, self._secure = parts.path or "/", parts.scheme == "wss"
        self._set_cookie(self._cookie(token, COOKIE_LIFE_S))
        return url

    async def ready(self) -> None:
        await self._written()

    def forget(self) -> None:
        if self._path:
            self._set_cookie(self._cookie("", 0))

    def _cookie(self, value: str, max_age: int) -> str:
        secure = "; Secure" if self._secure else ""
        return f"{COOKIE}={value}; Path={self._path}; Max-Age={max_age}; SameSite=Strict{secure}"


class NoToken:
    """Live state over HTTP (app.api.http_socket): each read carries the token in its Authorization header."""

    def address(self, url: str, token: str) -> str:
        return url

    async def ready(self) -> None:
        return None

    def forget(self) -> None:
        return None


__all__ = ["COOKIE", "COOKIE_LIFE_S", "SOCKET_MARGIN_S", "CookieAuth", "NoToken", "socket_token"]
