"""OAuth 2 wire formats as pure functions: no storage, no clock, no I/O. The implicit grant (RFC 6749 §4.2) is
the default; the code grant with PKCE (§4.1, RFC 7636) is the way out for PlaceOS deployments without implicit.

Checking the state against what this tab issued is app.session's job; this module only reads what arrived.
"""

from __future__ import annotations

import base64
import hashlib
import json
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


@dataclass(frozen=True)
class CodeResponse:
    """RFC 6749 §4.1.2: an authorization code, to be exchanged with the PKCE verifier."""

    code: Secret
    state: str | None


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 §4.2, S256: base64url of the SHA-256 of the verifier, without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def build_authorize_url(config: ClientConfig, state: str, verifier: str | None = None) -> str:
    """RFC 6749 §4.2.1 (or §4.1.1 with RFC 7636 §4.3), parameters in ts-client's order."""
    params = {
        "response_type": "code" if config.flow == "code" else "token",
        "client_id": config.client_id,
        "state": state,
        "redirect_uri": config.redirect_uri,
        "scope": config.scope,
    }
    if config.flow == "code":
        assert verifier, "the code flow needs a PKCE verifier"
        params |= {"code_challenge_method": "S256", "code_challenge": pkce_challenge(verifier)}
    return f"{config.authorize_url}?{urlencode(params)}"


def parse_code_response(query: str) -> CodeResponse | ErrorResponse:
    """RFC 6749 §4.1.2 / §4.1.2.1, from the redirect's query string."""
    params = _single_params(query)
    state = params.get("state") or None
    if "error" in params:
        return ErrorResponse(params["error"], params.get("error_description"), params.get("error_uri"), state)
    if not params.get("code"):
        raise MalformedResponse("The sign-in response carries no authorization code.")
    return CodeResponse(Secret(params["code"]), state)


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
    except ValueError:
        raise MalformedResponse("The token endpoint sent a response the app cannot read.") from None
    if not isinstance(data, dict):
        raise MalformedResponse("The token endpoint sent a response the app cannot read.")
    if status != 200 or "error" in data:
        raise AuthorizationDenied(str(data.get("error") or f"http_{status}"), data.get("error_description"), None)
    token, token_type = data.get("access_token"), str(data.get("token_type", ""))
    if not isinstance(token, str) or not token or token_type.lower() != "bearer":
        raise MalformedResponse("The token endpoint's answer has no Bearer access token.")
    expires_in = data.get("expires_in")
    if expires_in is not None and (not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0):
        raise MalformedResponse("The token endpoint's answer has an invalid expires_in.")
    refresh = data.get("refresh_token")
    return TokenEndpointResponse(
        Secret(token),
        expires_in,
        Secret(refresh) if isinstance(refresh, str) and refresh else None,
        str(data["scope"]) if data.get("scope") else None,
    )


def is_authorization_response(fragment: str) -> bool:
    keys = {key for key, _ in parse_qsl(fragment.lstrip("#?"), keep_blank_values=True)}
    return bool(keys & {"access_token", "code", "error", "state"})


def _single_params(text: str) -> dict[str, str]:
    """Parameters of a fragment or query; unknown ones are ignored (RFC 6749 §4.2.2), repeated ones refused."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(text.lstrip("#?"), keep_blank_values=True):
        if key in params:
            raise MalformedResponse(f"The sign-in response repeats the parameter {key!r}; it was ignored.")
        params[key] = value
    return params


def parse_authorization_response(fragment: str) -> TokenResponse | ErrorResponse:
    """RFC 6749 §4.2.2 / §4.2.2.1, from the redirect's fragment."""
    params = _single_params(fragment)
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
