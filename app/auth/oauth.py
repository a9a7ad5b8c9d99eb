"""OAuth 2 wire formats as pure functions: no storage, no clock, no I/O. The implicit grant (RFC 6749 §4.2) is
the default; the code grant with PKCE (§4.1, RFC 7636) is the way out for PlaceOS deployments without implicit.

Checking the state against what this tab issued is app.session's job; this module only reads what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.config import ClientConfig
from app.core.errors import AuthorizationDenied, MalformedResponse
from app.core.redact import Secret
from app.core.urls import parse_qsl, unquote, urlencode

# Any of these in a URL makes it an authorization response (RFC 6749 §4.1.2, §4.2.2, OpenID Connect's id_token),
# whatever flow this app uses: the loader captures and scrubs them from both the query and the fragment.
RESPONSE_MARKERS = frozenset({"access_token", "refresh_token", "id_token", "code", "state", "error"})
# Everything an authorization response may carry; all of it leaves the address bar with the markers.
RESPONSE_PARAMS = RESPONSE_MARKERS | {
    "token_type",
    "expires_in",
    "scope",
    "error_description",
    "error_uri",
    "session_state",
    "iss",
}
# Longer than any real token lifetime (PlaceOS: 2 h); past it a lifetime is nonsense, and a 309-digit one would
# not even fit a float.
MAX_EXPIRES_IN_S = 366 * 24 * 3600


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


def build_authorize_url(
    config: ClientConfig,
    state: str,
    response_type: str,
    challenge: str | None = None,
    redirect_uri: str = "",
    prompt: str = "",
) -> str:
    """RFC 6749 §4.2.1 (`token`) or §4.1.1 (`code`, with an RFC 7636 §4.3 S256 challenge), in ts-client's order."""
    params = {
        "response_type": response_type,
        "client_id": config.client_id,
        "state": state,
        "redirect_uri": redirect_uri or config.redirect_uri,
        "scope": config.scope,
    }
    if challenge:
        params |= {"code_challenge_method": "S256", "code_challenge": challenge}
    if prompt:
        params["prompt"] = prompt  # OpenID Connect; PlaceOS ignores what it does not know
    return f"{config.authorize_url}?{urlencode(params)}"


def parse_code_response(query: str) -> CodeResponse | ErrorResponse:
    """RFC 6749 §4.1.2 / §4.1.2.1, from the redirect's query string."""
    params = _single_params(query)
    state = params.get("state") or None
    if "error" in params:
        return ErrorResponse(params["error"], params.get("error_description"), params.get("error_uri"), state)
    if not params.get("code"):
        raise MalformedResponse("The sign-in response carries no authorization code.", state)
    return CodeResponse(Secret(params["code"]), state)


def parse_expires_in(raw: object) -> int | None:
    """A lifetime in whole seconds, 1 to MAX_EXPIRES_IN_S; None when absent. ValueError for anything else
    (a Unicode digit such as '²', a sign, a fraction, a number too long to be a lifetime)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError("expires_in")
    text = str(raw) if isinstance(raw, int) else raw if isinstance(raw, str) else None
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise ValueError("expires_in")
    value = int(text)
    if not 1 <= value <= MAX_EXPIRES_IN_S:
        raise ValueError("expires_in")
    return value


def is_authorization_response(fragment: str) -> bool:
    keys = {key for key, _ in parse_qsl(fragment.lstrip("#?"), keep_blank_values=True)}
    return bool(keys & RESPONSE_MARKERS)


def split_response(text: str) -> tuple[str, str]:
    """A query or fragment split into (the authorization response's parameters, everything else), both raw:
    the first goes to the session, the second may stay in the address bar. ("", text) when it holds none."""
    pairs = [part for part in text.lstrip("#?").split("&") if part]
    names = [unquote(part.partition("=")[0].replace("+", " ")) for part in pairs]
    if not RESPONSE_MARKERS & set(names):
        return "", text.lstrip("#?")
    response = "&".join(part for part, name in zip(pairs, names, strict=True) if name in RESPONSE_PARAMS)
    rest = "&".join(part for part, name in zip(pairs, names, strict=True) if name not in RESPONSE_PARAMS)
    return response, rest


def response_state(text: str) -> str | None:
    """The state a response names, when it names exactly one (to use it up even when the response is refused)."""
    states = [value for key, value in parse_qsl(text.lstrip("#?"), keep_blank_values=True) if key == "state"]
    return states[0] if len(states) == 1 and states[0] else None


def _single_params(text: str) -> dict[str, str]:
    """Parameters of a fragment or query; unknown ones are ignored (RFC 6749 §4.2.2), repeated ones refused."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(text.lstrip("#?"), keep_blank_values=True):
        if key in params:
            shown = key if key in RESPONSE_PARAMS else "an unknown one"
            raise MalformedResponse(f"The sign-in response repeats a parameter ({shown}), so it was ignored.")
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
        raise MalformedResponse("The sign-in response carries no access token.", state)
    token_type = params.get("token_type", "")
    if token_type.lower() != "bearer":  # RFC 6749 §7.1: the type name is case-insensitive
        shown = token_type[:20] if token_type.isprintable() else "unreadable"
        raise MalformedResponse(f"The sign-in response has token type {shown or 'none'!r}; only Bearer is used.", state)
    try:
        expires_in = parse_expires_in(params.get("expires_in"))
    except ValueError:
        raise MalformedResponse("The sign-in response has an invalid expires_in.", state) from None
    return TokenResponse(Secret(token), "Bearer", expires_in, params.get("scope") or None, state)


__all__ = [
    "CodeResponse",
    "ErrorResponse",
    "MAX_EXPIRES_IN_S",
    "RESPONSE_MARKERS",
    "RESPONSE_PARAMS",
    "TokenResponse",
    "build_authorize_url",
    "is_authorization_response",
    "parse_authorization_response",
    "parse_code_response",
    "parse_expires_in",
    "response_state",
    "split_response",
]
