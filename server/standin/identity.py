"""Who a request comes from: the auth service's session cookie, or a bearer token the stand-in signed."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from .forms import hostname_of
from .store import Store, User
from .tokens import TokenIssuer, TokenRejected

SESSION_COOKIE = "user"


class Identities:
    def __init__(self, store: Store, issuer: TokenIssuer, bearer_token: Callable[[web.Request], str | None]) -> None:
        self._store = store
        self._issuer = issuer
        self._bearer_token = bearer_token

    def session_user(self, request: web.Request) -> User | None:
        session = request.cookies.get(SESSION_COOKIE)
        return self._store.session_user(session) if session else None

    def bearer_user(self, request: web.Request) -> tuple[str | None, User | None]:
        """The bearer token sent, if any, and its user if the token is good for this host."""
        token = self._bearer_token(request)
        if not token:
            return None, None
        try:
            _, user = self._issuer.verify(token, hostname_of(request))
        except TokenRejected:
            return token, None
        return token, user


def bearer_token(request: web.Request) -> str | None:
    """PlaceOS's order: the Authorization header, then the bearer_token parameter, then the cookie."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return request.query.get("bearer_token") or request.cookies.get("bearer_token") or None


__all__ = ["bearer_token", "Identities", "SESSION_COOKIE"]
