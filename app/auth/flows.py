"""How this app obtains and renews a token: the implicit grant (RFC 6749 §4.2), or the authorization code grant
with PKCE (§4.1, RFC 7636) for a PlaceOS without implicit. One interface, picked once in app.main from the
configuration; nothing else in the app asks which flow is in use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, Protocol, TypeVar

from app.auth.oauth import (
    CodeResponse,
    ErrorResponse,
    TokenResponse,
    build_authorize_url,
    parse_authorization_response,
    parse_code_response,
)
from app.auth.session import AuthSession, SignedIn, Token
from app.auth.token_endpoint import (
    TokenEndpointResponse,
    code_exchange_body,
    parse_token_endpoint_response,
    pkce_challenge,
    refresh_body,
    revocation_requests,
)
from app.core.config import ClientConfig
from app.core.errors import CallbackError, MalformedResponse, UnknownState
from app.core.ports import Clock, HttpRequest, Transport
from app.core.redact import REDACTOR, log

NewVerifier = Callable[[], str]  # an RFC 7636 §4.1 code verifier: 43–128 characters from a CSPRNG


class Flow(Protocol):
    @property
    def response_place(self) -> str:
        """Where the authorization response arrives: "fragment" (implicit) or "query" (code)."""
        ...

    def sign_in_url(self, return_to: str) -> str:
        """A new pending sign-in and the authorize URL to send the browser to. Raises SignInLoop."""
        ...

    async def complete(self, response: str, received_at: float) -> SignedIn:
        """Check an authorization response and keep its token. Raises a CallbackError; OSError when the
        token endpoint cannot be reached."""
        ...

    def renews_silently(self, token: Token | None) -> bool:
        """Whether renew() can work for this token, with no redirect."""
        ...

    def frame_sign_in_url(self, return_to: str) -> str | None:
        """An authorize URL for a hidden frame that returns to the callback page, or None where the flow renews
        otherwise. Raises SignInLoop: renewals in a frame count against the loop breaker too."""
        ...

    async def renew(self) -> Token | None:
        """A new token without leaving the page; None when refused (a sign-in is needed). OSError when
        PlaceOS cannot be reached, and what could renew later is kept."""
        ...

    def revocations(self, token: Token) -> list[HttpRequest]:
        """The RFC 7009 requests that end this token's life at PlaceOS."""
        ...


R = TypeVar("R", TokenResponse, CodeResponse)


def _parse(session: AuthSession, parse: Callable[[str], R | ErrorResponse], text: str) -> R:
    """The response, after its state is checked: an error response (RFC 6749 §4.1.2.1, §4.2.2.1) is refused like a
    forged token would be, and a malformed one still uses up the state it names. Every response uses its state."""
    try:
        response = parse(text)
    except MalformedResponse as error:
        if error.state:
            session.consume(error.state)  # an unknown state is the worse news, and wins
        raise
    if isinstance(response, ErrorResponse):
        _refuse(session, response)
    return response


def _refuse(session: AuthSession, response: ErrorResponse) -> NoReturn:
    session.consume(response.state)
    log.info("sign-in refused by the server: %s", response.error)
    raise response.exception()


class ImplicitFlow:
    response_place = "fragment"

    def __init__(self, config: ClientConfig, session: AuthSession) -> None:
        self._config = config
        self._session = session

    def sign_in_url(self, return_to: str) -> str:
        return build_authorize_url(self._config, self._session.begin(return_to), "token")

    async def complete(self, response: str, received_at: float) -> SignedIn:
        answer: TokenResponse = _parse(self._session, parse_authorization_response, response)
        REDACTOR.register(answer.access_token.reveal())  # redacted in the log even if the state is refused
        pending = self._session.consume(answer.state)
        expires_in = answer.expires_in or self._config.default_expires_in_s
        token = Token(
            answer.access_token, received_at + expires_in, answer.scope or self._config.scope, lifetime_s=expires_in
        )
        log.info(
            "signed in, token %s, expires in %d s%s",
            answer.access_token,
            expires_in,
            "" if answer.expires_in else " (no expires_in from the server: short default)",
        )
        return self._session.arrived(pending, token)

    def renews_silently(self, token: Token | None) -> bool:
        return False  # implicit grants carry no refresh token (RFC 6749 §4.2.2): renewal is a new sign-in

    def frame_sign_in_url(self, return_to: str) -> str | None:
        state = self._session.begin(return_to)
        # prompt=none: where the server knows it, no session means an error at once, not an unframeable login page.
        silent = self._config.silent_redirect_uri
        return build_authorize_url(self._config, state, "token", redirect_uri=silent, prompt="none")

    async def renew(self) -> Token | None:
        return None

    def revocations(self, token: Token) -> list[HttpRequest]:
        return revocation_requests(self._config, token)


class CodeFlow:
    response_place = "query"

    def __init__(
        self,
        config: ClientConfig,
        session: AuthSession,
        *,
        transport: Transport,
        clock: Clock,
        new_verifier: NewVerifier,
    ) -> None:
        self._config = config
        self._session = session
        self._transport = transport
        self._clock = clock
        self._new_verifier = new_verifier

    def sign_in_url(self, return_to: str) -> str:
        verifier = self._new_verifier()
        state = self._session.begin(return_to, verifier)  # the verifier stays with its state, in this tab only
        return build_authorize_url(self._config, state, "code", pkce_challenge(verifier))

    async def complete(self, response: str, received_at: float) -> SignedIn:
        answer: CodeResponse = _parse(self._session, parse_code_response, response)
        REDACTOR.register(answer.code.reveal())
        pending = self._session.consume(answer.state)
        if not pending.verifier:
            raise UnknownState("This sign-in response does not match how the sign-in was started; it was ignored.")
        sent_at = self._clock()
        body = code_exchange_body(self._config, answer.code, pending.verifier)
        token = self._token(await self._token_request(body), sent_at)
        log.info("signed in (code flow), token %s", token.access_token)
        return self._session.arrived(pending, token)

    def renews_silently(self, token: Token | None) -> bool:
        return token is not None and token.refresh_token is not None

    def frame_sign_in_url(self, return_to: str) -> str | None:
        return None  # the refresh token renews without a frame

    async def renew(self) -> Token | None:
        token = self._session.token()
        if token is None or token.refresh_token is None:
            return None
        sent_at = self._clock()
        try:
            answer = await self._token_request(refresh_body(self._config, token.refresh_token))
        except CallbackError as error:
            log.info("refresh refused (%s); a sign-in is needed", type(error).__name__)
            dead = Token(token.access_token, token.expires_at, token.scope, lifetime_s=token.lifetime_s)
            self._session.keep(dead)  # the refresh token is dead: what is left is the access token
            return None
        renewed = self._token(answer, sent_at)
        self._session.keep(renewed)
        log.info("token renewed without a redirect, %s", renewed.access_token)
        return renewed

    def revocations(self, token: Token) -> list[HttpRequest]:
        return revocation_requests(self._config, token)

    async def _token_request(self, body: str) -> TokenEndpointResponse:
        response = await self._transport.send(
            HttpRequest(
                "POST", self._config.token_url, {"Content-Type": "application/x-www-form-urlencoded"}, body, "omit"
            )
        )
        return parse_token_endpoint_response(response.status, response.body)

    def _token(self, answer: TokenEndpointResponse, sent_at: float) -> Token:
        # Counted from when the request left: the token cannot have been issued before that.
        expires_in = answer.expires_in or self._config.default_expires_in_s
        scope = answer.scope or self._config.scope
        return Token(answer.access_token, sent_at + expires_in, scope, answer.refresh_token, expires_in)


__all__ = ["CodeFlow", "Flow", "ImplicitFlow", "NewVerifier"]
