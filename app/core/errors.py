"""Every failure the client can meet, as one tree. Messages are for people; none carries a secret.

ClientError
├── ConfigError                  the app's configuration is unusable
├── CallbackError                an authorization response that must not be used (RFC 6749 §4.2.2, §10.12)
│   ├── NoState                  no state in the response: a bookmark, or an old link
│   ├── ExpiredState             the sign-in was started too long ago
│   ├── UnknownState             a state this tab never issued, or one already used: possible CSRF
│   ├── MalformedResponse        missing token, wrong token_type, bad expires_in
│   │   └── MisplacedResponse    a response where this app's flow never asks for one (a token in a query)
│   └── AuthorizationDenied      the server's error=… (access_denied, invalid_scope, …)
├── SignInLoop                   too many sign-in redirects in a short time
└── ApiError                     the PlaceOS API answered with an error
    ├── AuthRequired             401: a (new) sign-in is needed
    ├── Forbidden                403: signed in, but not allowed
    ├── NotFound                 404
    ├── ServerError              5xx, after retries
    ├── UnexpectedAnswer         an answer of a shape the app cannot use (a list for an object, …)
    └── NetworkError             no answer at all, after retries
"""

from __future__ import annotations


class ClientError(Exception):
    """Base class; str() is a sentence a person can act on."""


class ConfigError(ClientError):
    pass


class CallbackError(ClientError):
    retry_sign_in = False  # whether starting a new sign-in at once is the right response


class NoState(CallbackError):
    retry_sign_in = True


class ExpiredState(CallbackError):
    retry_sign_in = True


class UnknownState(CallbackError):
    pass


class MalformedResponse(CallbackError):
    def __init__(self, message: str, state: str | None = None) -> None:
        super().__init__(message)
        self.state = state  # the state the response named, if any: it is used up all the same


class MisplacedResponse(MalformedResponse):
    pass


class AuthorizationDenied(CallbackError):
    def __init__(self, error: str, description: str | None, uri: str | None) -> None:
        self.error = error
        self.description = description
        self.uri = uri
        super().__init__(ERROR_MESSAGES.get(error, f"The sign-in service refused the request ({error})."))


ERROR_MESSAGES = {
    "access_denied": "Sign-in was cancelled or refused, so the app has no access to PlaceOS.",
    "invalid_request": "The sign-in request was not accepted. The app's configuration may be wrong.",
    "unauthorized_client": "This app is not allowed to sign in this way. Ask your PlaceOS administrator.",
    "unsupported_response_type": "This PlaceOS does not offer the sign-in method this app uses (implicit flow).",
    "invalid_scope": "The app asked for permissions this PlaceOS does not grant.",
    "server_error": "The sign-in service had an internal error. Try again in a moment.",
    "temporarily_unavailable": "The sign-in service is busy or down for maintenance. Try again in a moment.",
    "login_required": "PlaceOS needs you to sign in again.",
}


class SignInLoop(ClientError):
    pass


class ApiError(ClientError):
    def __init__(self, message: str, status: int = 0, request_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.method = ""  # what was asked, set by the client that asked (app.api.client)
        self.path = ""
        self.detail = ""  # PlaceOS's own words for it, where it sent some

    @property
    def technical(self) -> str:
        """For a developer: "404 GET /api/engine/v2/systems/sys-x — not found (request 1a2b…)"; the person's
        sentence where nothing was asked (no answer at all)."""
        if not self.method:
            return str(self)
        status = f"{self.status} " if self.status else "no answer: "
        words = self.detail or str(self).rstrip(".")
        request = f" (request {self.request_id})" if self.request_id else ""
        return f"{status}{self.method} {self.path} — {words}{request}"


class AuthRequired(ApiError):
    def __init__(self, message: str, status: int = 0, request_id: str | None = None, *, expired: bool = False) -> None:
        super().__init__(message, status, request_id)
        self.expired = expired  # the token's time ran out (here, or as PlaceOS said), not a refusal of a live one


class NotSignedIn(AuthRequired):
    """A call with no token at all (a developer at the console before signing in), not an ended session."""


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class ServerError(ApiError):
    pass


class NetworkError(ApiError):
    pass


class UnexpectedAnswer(ApiError):
    pass


__all__ = [
    "ApiError",
    "AuthRequired",
    "AuthorizationDenied",
    "CallbackError",
    "ClientError",
    "ConfigError",
    "ERROR_MESSAGES",
    "ExpiredState",
    "Forbidden",
    "MalformedResponse",
    "MisplacedResponse",
    "NetworkError",
    "NoState",
    "NotFound",
    "NotSignedIn",
    "ServerError",
    "SignInLoop",
    "UnexpectedAnswer",
    "UnknownState",
]
