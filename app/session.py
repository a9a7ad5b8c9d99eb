"""The signed-in session: start a sign-in, accept or refuse its response, keep the token and its expiry.

Pure: storage, clock and randomness are injected. Navigation is the caller's (it gets a URL back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .config import ClientConfig
from .errors import CallbackError, MalformedResponse
from .oauth import ErrorResponse, build_authorize_url, parse_authorization_response
from .ports import Clock, NewState, Storage
from .redact import REDACTOR, Secret, log
from .states import LoopBreaker, PendingStates

TOKEN_KEY = "placeos.token"
AUTO_RESTART_KEY = "placeos.auto-restart"


@dataclass(frozen=True)
class Token:
    access_token: Secret
    expires_at: float  # absolute wall-clock time, from when the response arrived (immune to server clock skew)
    scope: str

    def remaining(self, now: float) -> float:
        return self.expires_at - now

    def to_json(self) -> str:
        return json.dumps(
            {"access_token": self.access_token.reveal(), "expires_at": self.expires_at, "scope": self.scope}
        )

    @classmethod
    def from_json(cls, raw: str) -> Token | None:
        try:
            data = json.loads(raw)
            token = cls(Secret(str(data["access_token"])), float(data["expires_at"]), str(data.get("scope", "")))
        except (ValueError, KeyError, TypeError):
            return None
        REDACTOR.register(token.access_token.reveal())
        return token


@dataclass(frozen=True)
class SignedIn:
    token: Token
    return_to: str
    scope_warning: str | None  # RFC 6749 §3.3: the server may grant less than asked


class AuthSession:
    def __init__(
        self,
        config: ClientConfig,
        *,
        session_storage: Storage,
        token_storage: Storage,
        clock: Clock,
        new_state: NewState,
    ) -> None:
        self.config = config
        self._session_storage = session_storage
        self._token_storage = token_storage
        self._clock = clock
        self.states = PendingStates(session_storage, clock, new_state, config.state_ttl_s)
        self.loop = LoopBreaker(session_storage, clock, config.loop_limit, config.loop_window_s)

    def sign_in_url(self, return_to: str) -> str:
        """A new pending sign-in and the authorize URL to send the browser to. Raises SignInLoop."""
        self.loop.record()
        state = self.states.create(return_to, self.config.client_id)
        return build_authorize_url(self.config, state)

    def complete(self, fragment: str, received_at: float) -> SignedIn:
        """Check an authorization response (RFC 6749 §4.2.2) and keep its token. Raises a CallbackError."""
        response = parse_authorization_response(fragment)
        if isinstance(response, ErrorResponse):
            # The state is checked on errors too: a forged error is refused like a forged token (RFC 6749 §10.12).
            self.states.consume(response.state, self.config.client_id)
            log.info("sign-in refused by the server: %s", response.error)
            raise response.exception()
        REDACTOR.register(response.access_token.reveal())
        pending = self.states.consume(response.state, self.config.client_id)
        expires_in = response.expires_in or self.config.default_expires_in_s
        if expires_in < 1:
            raise MalformedResponse("The sign-in response has an invalid expires_in.")
        granted = response.scope or self.config.scope
        token = Token(response.access_token, received_at + expires_in, granted)
        self._token_storage.set(TOKEN_KEY, token.to_json())
        warning = None
        if set(granted.split()) != set(self.config.scope.split()):
            warning = f"PlaceOS granted the scopes '{granted}' instead of '{self.config.scope}'; some views may fail."
        log.info(
            "signed in, token %s, expires in %d s%s",
            response.access_token,
            expires_in,
            "" if response.expires_in else " (no expires_in from the server: short default)",
        )
        self._session_storage.remove(AUTO_RESTART_KEY)
        return SignedIn(token, pending.return_to, warning)

    def may_restart_automatically(self, error: CallbackError) -> bool:
        """A stale or state-less response restarts sign-in by itself, but only once in a while."""
        if not error.retry_sign_in:
            return False
        last = self._session_storage.get(AUTO_RESTART_KEY)
        now = self._clock()
        if last is not None and now - float(last) < self.config.loop_window_s:
            return False
        self._session_storage.set(AUTO_RESTART_KEY, str(now))
        return True

    def token(self) -> Token | None:
        """The kept token, expired or not (the UI says which); None when signed out."""
        raw = self._token_storage.get(TOKEN_KEY)
        return Token.from_json(raw) if raw else None

    def valid_token(self) -> Token | None:
        token = self.token()
        return token if token and token.remaining(self._clock()) > 0 else None

    def forget(self) -> None:
        token = self.token()
        self._token_storage.remove(TOKEN_KEY)
        if token:
            log.info("token %s forgotten", token.access_token)

    def signed_in_ok(self) -> None:
        """The API accepted the token: the sign-in loop, if any, is over."""
        self.loop.reset()


__all__ = ["AuthSession", "CallbackError", "SignedIn", "Token"]
