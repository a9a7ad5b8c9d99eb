"""The token endpoint's side of OAuth 2 as pure functions (RFC 6749 §4.1.3, §5, §6; RFC 7636; RFC 7009): the
bodies the code flow posts, the answers it reads, and the revocation requests sign-out sends."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Protocol

from app.auth.oauth import parse_expires_in
from app.core.config import ClientConfig
from app.core.errors import AuthorizationDenied, MalformedResponse
from app.core.ports import HttpRequest
from app.core.redact import Secret
from app.core.urls import urlencode


class TokenLike(Protocol):
    @property
    def access_token(self) -> Secret: ...

    @property
    def refresh_token(self) -> Secret | None: ...


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 §4.2, S256: base64url of the SHA-256 of the verifier, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def code_exchange_body(config: ClientConfig, code: Secret, verifier: str) -> str:
    """RFC 6749 §4.1.3 with RFC 7636 §4.5: a public client, so client_id instead of a secret."""
    return urlencode(
        {
            "grant_type": "authorization_code",
            "code": code.reveal(),
            "redirect_uri": config.redirect_uri,
            "client_id": config.client_id,
            "code_verifier": verifier,
        }
    )


def refresh_body(config: ClientConfig, refresh_token: Secret) -> str:
    """RFC 6749 §6."""
    return urlencode(
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.reveal(),
            "client_id": config.client_id,
        }
    )


@dataclass(frozen=True)
class TokenEndpointResponse:
    """RFC 6749 §5.1."""

    access_token: Secret
    expires_in: int | None
    refresh_token: Secret | None
    scope: str | None


def parse_token_endpoint_response(status: int, body: str) -> TokenEndpointResponse:
    """RFC 6749 §5.1 / §5.2. An error raises AuthorizationDenied with the server's error code."""
    try:
        data = json.loads(body) if body else {}
    except (ValueError, RecursionError):  # not JSON, an integer past the digit limit, or nested too deep
        raise MalformedResponse("The token endpoint sent a response the app cannot read.") from None
    if not isinstance(data, dict):
        raise MalformedResponse("The token endpoint sent a response the app cannot read.")
    if status != 200 or "error" in data:
        description = data.get("error_description")
        error = data.get("error")
        raise AuthorizationDenied(
            error if isinstance(error, str) and error else f"http_{status}",
            description if isinstance(description, str) else None,
            None,
        )
    token, token_type = data.get("access_token"), data.get("token_type")
    if not isinstance(token, str) or not token or not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise MalformedResponse("The token endpoint's answer has no Bearer access token.")
    try:
        # JSON gives a number; a string of digits is tolerated, as Doorkeeper's form posts would send it.
        expires_in = parse_expires_in(data.get("expires_in"))
    except ValueError:
        raise MalformedResponse("The token endpoint's answer has an invalid expires_in.") from None
    refresh = data.get("refresh_token")
    return TokenEndpointResponse(
        Secret(token),
        expires_in,
        Secret(refresh) if isinstance(refresh, str) and refresh else None,
        str(data["scope"]) if data.get("scope") else None,
    )


def revocation_requests(config: ClientConfig, token: TokenLike) -> list[HttpRequest]:
    """RFC 7009 requests for the access token and, if any, the refresh token: a public client names itself by
    client_id. Sent without cookies; where PlaceOS allows no cross-origin call, they simply fail."""
    revocable = [(token.access_token, "access_token")]
    if token.refresh_token:
        revocable.append((token.refresh_token, "refresh_token"))
    return [
        HttpRequest(
            "POST",
            config.placeos_base + "/auth/oauth/revoke",
            {"Content-Type": "application/x-www-form-urlencoded"},
            urlencode({"token": value.reveal(), "token_type_hint": hint, "client_id": config.client_id}),
            "omit",
        )
        for value, hint in revocable
    ]


__all__ = [
    "TokenEndpointResponse",
    "TokenLike",
    "code_exchange_body",
    "parse_token_endpoint_response",
    "pkce_challenge",
    "refresh_body",
    "revocation_requests",
]
