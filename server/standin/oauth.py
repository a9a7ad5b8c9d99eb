"""OAuth 2 for the stand-in: oauthlib's endpoints behind a RequestValidator backed by the Store.

oauthlib does the protocol (RFC 6749 grants, RFC 7636 PKCE, RFC 7009 revocation); this module only answers its
questions about clients, users, codes and tokens, the way PlaceOS's Doorkeeper configuration would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from oauthlib.common import Request
from oauthlib.oauth2 import RequestValidator, Server

from .store import Grant, Store
from .tokens import TokenIssuer, new_refresh_token

CODE_TTL_S = 600
# Grants each response type or token grant maps to; client_credentials needs a confidential client, and
# PlaceOS's public app registrations have none.
GRANT_TYPES = {"authorization_code", "refresh_token", "password"}
RESPONSE_TYPES = {"code", "token"}


class PlaceOSValidator(RequestValidator):  # type: ignore[misc]
    def __init__(self, store: Store, issuer: TokenIssuer) -> None:
        self._store = store
        self._issuer = issuer

    # clients: every PlaceOS app registration is public (no secret) unless marked confidential, which ours never are
    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        return False

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        return False

    def authenticate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        app = self._store.app(client_id or "")
        if app is None:
            return False
        request.client = app
        return True

    def validate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        return self.authenticate_client_id(client_id, request)

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        app = self._store.app(client_id)
        # Exact string match against any registered URI (Doorkeeper allows several, whitespace-separated).
        return app is not None and redirect_uri in app.redirect_uri.split()

    def get_default_redirect_uri(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> str | None:
        app = self._store.app(client_id)
        uris = app.redirect_uri.split() if app else []
        return uris[0] if len(uris) == 1 else None

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return response_type in RESPONSE_TYPES

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return grant_type in GRANT_TYPES

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        app = self._store.app(client_id)
        return app is not None and set(scopes) <= set(app.scopes)

    def get_default_scopes(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        return ["public"]

    # authorization codes, PKCE S256 required
    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        return True

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Request, *args: Any, **kwargs: Any
    ) -> None:
        self._store.save_code(
            code["code"],
            Grant(
                client_id,
                request.user.id,
                tuple(request.scopes),
                request.redirect_uri,
                request.code_challenge,
                request.code_challenge_method,
            ),
            CODE_TTL_S,
        )

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        grant = self._store.code(code)
        if grant is None or grant.client_id != client_id:
            return False
        user = self._store.user(grant.user_id)
        if user is None:
            return False
        request.user = user
        request.scopes = list(grant.scopes)
        request._grant = grant
        return True

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        grant = self._store.code(code)
        return grant.challenge if grant else None

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:
        grant = self._store.code(code)
        return grant.challenge_method if grant else None

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        grant = self._store.code(code)
        return grant is not None and grant.redirect_uri == redirect_uri

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        self._store.delete_code(code)

    # password grant (trusted server-to-server use only; the SPA never uses it)
    def validate_user(
        self, username: str, password: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        user = self._store.check_credentials(username, password)
        if user is None:
            return False
        request.user = user
        return True

    # refresh tokens: rotated on every use
    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        grant = self._store.refresh_token(refresh_token)
        if grant is None or grant.client_id != client.client_id:
            return False
        user = self._store.user(grant.user_id)
        if user is None:
            return False
        request.user = user
        request._grant = grant
        return True

    def get_original_scopes(self, refresh_token: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        grant = self._store.refresh_token(refresh_token)
        return list(grant.scopes) if grant else []

    def rotate_refresh_token(self, request: Request) -> bool:
        return True

    def save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> None:
        # The access token is a JWT already recorded by TokenIssuer; only the refresh token needs storing.
        if request.refresh_token:
            self._store.revoke_refresh_token(request.refresh_token)
        if "refresh_token" in token:
            self._store.save_refresh_token(
                token["refresh_token"], Grant(request.client.client_id, request.user.id, tuple(request.scopes))
            )

    # revocation (RFC 7009): unknown tokens are not an error
    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        jti = self._issuer.peek_jti(token)
        if jti:
            self._store.revoke_access_token(jti)
        else:
            self._store.revoke_refresh_token(token)


def build_server(store: Store, issuer: TokenIssuer, ttl: Callable[[], int]) -> Server:
    def access_token(request: Request) -> str:
        audience = urlsplit("//" + request.headers.get("Host", "")).hostname or ""
        token, _ = issuer.issue(
            request.user, request.client.client_id, list(request.scopes), audience, request.expires_in
        )
        return token

    return Server(
        PlaceOSValidator(store, issuer),
        token_expires_in=lambda request: ttl(),
        token_generator=access_token,
        refresh_token_generator=lambda request: new_refresh_token(),
    )
