"""OAuth 2 for the stand-in: oauthlib's endpoints behind a RequestValidator backed by the Store.

oauthlib does the protocol (RFC 6749 grants, RFC 7636 PKCE, RFC 7009 revocation); this module only answers its
questions about clients, users, codes and tokens, the way PlaceOS's Doorkeeper configuration would.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from oauthlib.common import Request
from oauthlib.oauth2 import (
    AuthorizationCodeGrant,
    AuthorizationEndpoint,
    BearerToken,
    ImplicitGrant,
    IntrospectEndpoint,
    RefreshTokenGrant,
    RequestValidator,
    RevocationEndpoint,
    TokenEndpoint,
)
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from .store import Grant, Store
from .tokens import TokenIssuer, TokenRejected, new_refresh_token

log = logging.getLogger("standin.oauth")

CODE_TTL_S = 600
# The token grants a public client (every app registration here: no secret) may use. The password grant is for
# trusted server-side apps only (RFC 9700 §2.4, the seed page): a browser app must never collect passwords, so
# it is refused for these clients; client_credentials needs a confidential client too.
GRANT_TYPES = {"authorization_code", "refresh_token"}
RESPONSE_TYPES = {"code", "token"}


class RevocationRefused(OAuth2Error):  # type: ignore[misc]
    """RFC 7009 §2.1: only the client a token was issued to may revoke it (Doorkeeper answers 403 too)."""

    error = "unauthorized_client"
    status_code = 403
    description = "This token was not issued to this client, so this client cannot revoke it."


def _new_family() -> str:
    return secrets.token_hex(8)


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
        if grant.spent:
            # RFC 6749 §4.1.2: a code used twice may have been stolen; what it was exchanged for dies with it.
            log.warning("authorization code replayed: revoking the tokens issued from it")
            self._store.revoke_family(grant.family)
            return False
        user = self._store.user(grant.user_id)
        if user is None:
            return False
        request.user = user
        request.scopes = list(grant.scopes)
        request.family = grant.family
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
        self._store.spend_code(code)  # kept, spent, until it expires: a replay must still be recognised

    # refresh tokens: rotated on every use; a rotated one used again revokes its family (RFC 9700 §4.14.2)
    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        grant = self._store.refresh_token(refresh_token)
        if grant is None or grant.client_id != client.client_id:
            return False
        if grant.spent:
            log.warning("refresh token reused: revoking every token of its family")
            self._store.revoke_family(grant.family)
            return False
        user = self._store.user(grant.user_id)
        if user is None:
            return False
        request.user = user
        request.family = grant.family
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
                token["refresh_token"],
                Grant(request.client.client_id, request.user.id, tuple(request.scopes), family=request.family),
            )

    # revocation (RFC 7009): unknown tokens are not an error; another client's token is
    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        jti = self._issuer.peek_jti(token)
        grant = None if jti else self._store.refresh_token(token)
        owner = self._store.access_token_client(jti) if jti else grant.client_id if grant else None
        if owner is not None and owner != request.client_id:
            raise RevocationRefused()
        if jti:
            self._store.revoke_access_token(jti)
        else:
            self._store.revoke_refresh_token(token)

    # introspection (RFC 7662), as Doorkeeper: the asking client must be known; only its own live token is active
    def introspect_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> dict[str, Any] | None:
        audience = urlsplit("//" + request.headers.get("Host", "")).hostname or ""
        try:
            claims, _ = self._issuer.verify(token, audience)
        except TokenRejected:
            return None  # unknown, expired, revoked, another PlaceOS's: {"active": false}, and no reason why
        owner = self._store.access_token_client(claims.jti)
        if owner != request.client_id:
            return None
        scope = " ".join(claims.scopes)
        return {"scope": scope, "client_id": owner, "token_type": "Bearer", "exp": claims.exp, "iat": claims.iat}


class S256CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    """S256 only, as the metadata says. oauthlib also takes "plain", and reads a missing method as "plain", which
    would let anyone who saw the challenge use it as the verifier (RFC 7636 §7.2, RFC 9700 §2.1.1)."""

    _code_challenge_methods = {"S256": AuthorizationCodeGrant._code_challenge_methods["S256"]}


class PlaceOSServer(AuthorizationEndpoint, TokenEndpoint, RevocationEndpoint, IntrospectEndpoint):  # type: ignore[misc]
    """oauthlib's endpoints with exactly the grants a PlaceOS public app has: implicit, code + PKCE, refresh.

    oauthlib's all-in-one Server would also run the password, client-credentials and device grants.
    """

    def __init__(self, validator: RequestValidator, bearer: BearerToken) -> None:
        code = S256CodeGrant(validator)
        AuthorizationEndpoint.__init__(
            self,
            default_response_type="code",
            response_types={"code": code, "token": ImplicitGrant(validator)},
            default_token_type=bearer,
        )
        TokenEndpoint.__init__(
            self,
            default_grant_type="authorization_code",
            grant_types={"authorization_code": code, "refresh_token": RefreshTokenGrant(validator)},
            default_token_type=bearer,
        )
        RevocationEndpoint.__init__(self, validator)
        IntrospectEndpoint.__init__(self, validator)


def build_server(store: Store, issuer: TokenIssuer, ttl: Callable[[], int]) -> PlaceOSServer:
    def access_token(request: Request) -> str:
        audience = urlsplit("//" + request.headers.get("Host", "")).hostname or ""
        # A new authorization starts a family; a code exchange or a refresh continues the one it came from.
        request.family = getattr(request, "family", None) or _new_family()
        token, _ = issuer.issue(
            request.user, request.client.client_id, list(request.scopes), audience, request.expires_in, request.family
        )
        return token

    validator = PlaceOSValidator(store, issuer)
    bearer = BearerToken(validator, access_token, lambda request: ttl(), lambda request: new_refresh_token())
    return PlaceOSServer(validator, bearer)
