"""The implicit grant's wire format (RFC 6749 §4.2), as pure functions: no storage, no clock, no I/O.

Checking the state against what this tab issued is app.session's job; this module only reads what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import ClientConfig
from .errors import AuthorizationDenied, MalformedResponse
from .redact import Secret
from .urls import parse_qsl, urlencode


@dataclass(frozen=True)
class TokenResponse:
    """RFC 6749 §4.2.2: a successful authorization response."""

    access_token: Secret
    token_type: str
    expires_in: int | None
    scope: str | None
    state: str | None


@dataclass(frozen=True)
class ErrorResponse:
    """RFC 6749 §4.2.2.1: an error authorization response."""

    error: str
    description: str | None
    uri: str | None
    state: str | None

    def exception(self) -> AuthorizationDenied:
        return AuthorizationDenied(self.error, self.description, self.uri)


def build_authorize_url(config: ClientConfig, state: str) -> str:
    """RFC 6749 §4.2.1, parameters in ts-client's order."""
    query = urlencode(
        {
            "response_type": "token",
            "client_id": config.client_id,
            "state": state,
            "redirect_uri": config.redirect_uri,
            "scope": config.scope,
        }
    )
    return f"{config.authorize_url}?{query}"


def is_authorization_response(fragment: str) -> bool:
    keys = {key for key, _ in parse_qsl(fragment.lstrip("#"), keep_blank_values=True)}
    return bool(keys & {"access_token", "error", "state"})


def parse_authorization_response(fragment: str) -> TokenResponse | ErrorResponse:
    """Read the fragment; unknown parameters are ignored (RFC 6749 §4.2.2), repeated ones are refused."""
    pairs = parse_qsl(fragment.lstrip("#"), keep_blank_values=True)
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise MalformedResponse(f"The sign-in response repeats the parameter {key!r}; it was ignored.")
        params[key] = value
    state = params.get("state") or None
    if "error" in params:
        return ErrorResponse(params["error"], params.get("error_description"), params.get("error_uri"), state)
    token = params.get("access_token", "")
    if not token:
        raise MalformedResponse("The sign-in response carries no access token.")
    token_type = params.get("token_type", "")
    if token_type.lower() != "bearer":  # RFC 6749 §7.1: the type name is case-insensitive
        raise MalformedResponse(f"The sign-in response has token type {token_type or 'none'!r}; only Bearer is used.")
    raw_expiry = params.get("expires_in")
    expires_in: int | None = None
    if raw_expiry is not None and raw_expiry != "":
        if not raw_expiry.isdigit() or int(raw_expiry) <= 0:
            raise MalformedResponse("The sign-in response has an invalid expires_in.")
        expires_in = int(raw_expiry)
    return TokenResponse(Secret(token), "Bearer", expires_in, params.get("scope") or None, state)
