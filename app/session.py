"""The signed-in session: start a sign-in, accept or refuse its response, keep the token and its expiry.

Pure: storage, clock, randomness and (for the code flow's token endpoint) transport are injected. Navigation is
the caller's: it gets a URL back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from .config import ClientConfig
from .errors import CallbackError, MalformedResponse, MisplacedResponse, UnknownState
from .oauth import (
    CodeResponse,
    ErrorResponse,
    TokenEndpointResponse,
    TokenResponse,
    build_authorize_url,
    code_exchange_body,
    parse_authorization_response,
    parse_code_response,
    parse_token_endpoint_response,
    refresh_body,
    response_state,
)
from .ports import Clock, HttpRequest, NewState, Storage, Transport
from .redact import REDACTOR, Secret, log
from .states import LoopBreaker, PendingStates

TOKEN_KEY = "placeos.token"
AUTO_RESTART_KEY = "placeos.auto-restart"
SIGNED_OUT_KEY = "placeos.signed-out"  # set just before leaving for PlaceOS's logout, read when it sends us back


@dataclass(frozen=True)
class Token:
    access_token: Secret
    expires_at: float  # absolute wall-clock time, from when the response arrived (immune to server clock skew)
    scope: str
    refresh_token: Secret | None = None  # code flow only: renews without a redirect (rotated on every use)

    def remaining(self, now: float) -> float:
        return self.expires_at - now

    def to_json(self) -> str:
        data = {"access_token": self.access_token.reveal(), "expires_at": self.expires_at, "scope": self.scope}
        if self.refresh_token:
            data["refresh_token"] = self.refresh_token.reveal()
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> Token | None:
        try:
            data = json.loads(raw)
            refresh = data.get("refresh_token")
            token = cls(
                Secret(str(data["access_token"])),
                float(data["expires_at"]),
                str(data.get("scope", "")),
                Secret(str(refresh)) if refresh else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        if not math.isfinite(token.expires_at):
            return None
        REDACTOR.register(token.access_token.reveal())
        if token.refresh_token:
            REDACTOR.register(token.refresh_token.reveal())
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
        self._new_state = new_state
        self.states = PendingStates(session_storage, clock, new_state, config.state_ttl_s)
        self.loop = LoopBreaker(session_storage, clock, config.loop_limit, config.loop_window_s)

    def sign_in_url(self, return_to: str) -> str:
        """A new pending sign-in and the authorize URL to send the browser to. Raises SignInLoop."""
        self.loop.record()
        # RFC 7636 §4.1: 43–128 characters; two 256-bit draws give 86.
        verifier = self._new_state() + self._new_state() if self.config.flow == "code" else None
        state = self.states.create(return_to, self.config.client_id, verifier)
        return build_authorize_url(self.config, state, verifier)

    def _refuse(self, response: ErrorResponse) -> NoReturn:
        # The state is checked on errors too: a forged error is refused like a forged token (RFC 6749 §10.12).
        self.states.consume(response.state, self.config.client_id)
        log.info("sign-in refused by the server: %s", response.error)
        raise response.exception()

    @property
    def response_place(self) -> str:
        """Where this flow's authorization response arrives: the fragment (implicit) or the query (code)."""
        return "query" if self.config.flow == "code" else "fragment"

    def refuse_misplaced(self, text: str, place: str) -> NoReturn:
        """A response that arrived where this flow never asks for one (a token in a query) is refused whole,
        and the state it names is used up, so that it cannot be replayed where it would be accepted."""
        state = response_state(text)
        if state:
            try:
                self.states.consume(state, self.config.client_id)
            except CallbackError:
                pass  # refused for where it came, whatever its state
        log.warning(
            "sign-in response in the %s refused: this app's %s flow never asks for it there", place, self.config.flow
        )
        raise MisplacedResponse(
            f"A sign-in response arrived in the page address's {place}, where this app never asks for one, so it "
            "was refused and removed from the address. If you followed a link to get here, it did not come from "
            "this app's sign-in."
        )

    def _parse(
        self, parse: Callable[[str], TokenResponse | CodeResponse | ErrorResponse], text: str
    ) -> TokenResponse | CodeResponse | ErrorResponse:
        """The response, or MalformedResponse after using up the state it named: every return uses its state."""
        try:
            return parse(text)
        except MalformedResponse as error:
            if error.state:
                self.states.consume(error.state, self.config.client_id)  # an unknown state is the worse news
            raise

    def complete(self, fragment: str, received_at: float) -> SignedIn:
        """Check an authorization response (RFC 6749 §4.2.2) and keep its token. Raises a CallbackError."""
        response = self._parse(parse_authorization_response, fragment)
        if isinstance(response, ErrorResponse):
            self._refuse(response)
        assert isinstance(response, TokenResponse)
        REDACTOR.register(response.access_token.reveal())
        pending = self.states.consume(response.state, self.config.client_id)
        expires_in = response.expires_in or self.config.default_expires_in_s
        granted = response.scope or self.config.scope
        token = Token(response.access_token, received_at + expires_in, granted)
        self._token_storage.set(TOKEN_KEY, token.to_json())
        warning = self._scope_warning(granted)
        log.info(
            "signed in, token %s, expires in %d s%s",
            response.access_token,
            expires_in,
            "" if response.expires_in else " (no expires_in from the server: short default)",
        )
        self._session_storage.remove(AUTO_RESTART_KEY)
        return SignedIn(token, pending.return_to, warning)

    async def complete_code(self, query: str, transport: Transport) -> SignedIn:
        """The code flow's return (RFC 6749 §4.1.2): check the state, then exchange the code with the verifier."""
        response = self._parse(parse_code_response, query)
        if isinstance(response, ErrorResponse):
            self._refuse(response)
        assert isinstance(response, CodeResponse)
        REDACTOR.register(response.code.reveal())
        pending = self.states.consume(response.state, self.config.client_id)
        if not pending.verifier:
            raise UnknownState("This sign-in response does not match how the sign-in was started; it was ignored.")
        sent_at = self._clock()
        answer = await self._token_request(transport, code_exchange_body(self.config, response.code, pending.verifier))
        token = self._keep(answer, sent_at)
        log.info("signed in (code flow), token %s", token.access_token)
        self._session_storage.remove(AUTO_RESTART_KEY)
        return SignedIn(token, pending.return_to, self._scope_warning(token.scope))

    async def refresh(self, transport: Transport) -> Token | None:
        """Renew with the refresh token, without a redirect (RFC 6749 §6). None when there is none or it is
        refused; a network failure raises OSError and keeps the refresh token for the next try."""
        token = self.token()
        if token is None or token.refresh_token is None:
            return None
        sent_at = self._clock()
        try:
            answer = await self._token_request(transport, refresh_body(self.config, token.refresh_token))
        except CallbackError as error:
            log.info("refresh refused (%s); a sign-in is needed", type(error).__name__)
            self._token_storage.set(TOKEN_KEY, Token(token.access_token, token.expires_at, token.scope).to_json())
            return None
        renewed = self._keep(answer, sent_at)
        log.info("token renewed without a redirect, %s", renewed.access_token)
        return renewed

    async def _token_request(self, transport: Transport, body: str) -> TokenEndpointResponse:
        response = await transport.send(
            HttpRequest(
                "POST", self.config.token_url, {"Content-Type": "application/x-www-form-urlencoded"}, body, "omit"
            )
        )
        return parse_token_endpoint_response(response.status, response.body)

    def _keep(self, answer: TokenEndpointResponse, sent_at: float) -> Token:
        REDACTOR.register(answer.access_token.reveal())
        if answer.refresh_token:
            REDACTOR.register(answer.refresh_token.reveal())
        expires_in = answer.expires_in or self.config.default_expires_in_s
        # Counted from when the request left: the token cannot have been issued before that.
        token = Token(
            answer.access_token, sent_at + expires_in, answer.scope or self.config.scope, answer.refresh_token
        )
        self._token_storage.set(TOKEN_KEY, token.to_json())
        return token

    def _scope_warning(self, granted: str) -> str | None:
        if set(granted.split()) == set(self.config.scope.split()):
            return None
        return f"PlaceOS granted the scopes '{granted}' instead of '{self.config.scope}'; some views may fail."

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

    def note_signed_out(self) -> None:
        self._session_storage.set(SIGNED_OUT_KEY, "1")

    def take_signed_out(self) -> bool:
        """Whether this tab has just come back from signing out (once)."""
        signed_out = self._session_storage.get(SIGNED_OUT_KEY) is not None
        self._session_storage.remove(SIGNED_OUT_KEY)
        return signed_out

    def signed_in_ok(self) -> None:
        """The API accepted the token: the sign-in loop, if any, is over."""
        self.loop.reset()


__all__ = ["AuthSession", "CallbackError", "SignedIn", "Token"]
