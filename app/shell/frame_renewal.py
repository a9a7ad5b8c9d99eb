"""Renewing a token in a hidden frame, and telling an outage from a refusal. A frame that never calls back looks the
same whether PlaceOS is down, the network is gone, or PlaceOS's login page is in the frame; one request that needs
no sign-in (app.api.reach) tells them apart. An outage is asked about cheaply every few seconds, so a display is
fresh again soon after PlaceOS is back; a refusal is spaced out, since only a person can mend it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from app.api.reach import Reachable
from app.auth.expiry import ExpiryWatch, Quiet
from app.auth.flows import Flow
from app.auth.renewal import RenewalGuard
from app.auth.session import AuthSession, Token
from app.core.errors import AuthorizationDenied, CallbackError, SignInLoop
from app.core.ports import Clock, Exclusive, Frame
from app.core.redact import log

Outcome = Literal["renewed", "no-session", "no-answer", "not-tried"]
RENEWED: Outcome = "renewed"
NO_SESSION: Outcome = "no-session"  # PlaceOS answers, and will not sign in here (login_required, its login page)
NO_ANSWER: Outcome = "no-answer"  # nothing in time, and PlaceOS does not answer either: offline or PlaceOS down
NOT_TRIED: Outcome = "not-tried"  # too soon, no frame, or another tab is renewing
RENEWAL_LOCK = "placeos-renewal"
FRAME_TIMEOUT_S = 10.0
FRAME_BACKOFF_S = (10, 20, 40, 80, 160, 300)  # after renewals PlaceOS refused; then every 5 minutes
# While PlaceOS cannot be reached, one small request (the authority) this often: a display is fresh again within
# seconds of PlaceOS coming back, however long it was away.
OFFLINE_RETRY_S = 5.0


def renewed_elsewhere(session: AuthSession, expiry: ExpiryWatch, now: float, before: Token | None) -> bool:
    """Whether another tab renewed while this one waited for the lock: then its token is the one to use."""
    token = session.token()
    if token is None or (before is not None and token.access_token == before.access_token):
        return False
    return isinstance(expiry.decide(token, now), Quiet)


class FrameRenewal:
    def __init__(
        self,
        clock: Clock,
        *,
        session: AuthSession,
        flow: Flow,
        frame: Frame | None,
        exclusive: Exclusive,
        guard: RenewalGuard,
        expiry: ExpiryWatch,
        reachable: Reachable,
        place_path: Callable[[], str],
    ) -> None:
        self._clock = clock
        self._session = session
        self._flow = flow
        self._frame = frame
        self._exclusive = exclusive  # one tab at a time renews a token they share (Web Locks)
        self._guard = guard
        self._expiry = expiry
        self._reachable = reachable
        self._place_path = place_path  # where the sign-in returns to
        self._failures = 0
        self.retry_at = 0.0  # no attempt before this
        self.offline = False  # the last attempt found PlaceOS out of reach (not a refusal)
        self._running = False

    async def attempt(self) -> Outcome:
        """One renewal, unless it is too soon or one is under way. Its response is checked exactly as a top-level
        callback's; each attempt counts against the loop breaker."""
        if self._frame is None or self._running or self._clock() < self.retry_at:
            return NOT_TRIED
        if not self.offline and not self._guard.may_start():  # asking whether PlaceOS is back is not a renewal
            return NOT_TRIED
        self._running = True
        try:
            outcome = await self._attempt()
        finally:
            self._running = False
        if outcome == RENEWED:
            self._failures, self.retry_at, self.offline = 0, 0.0, False
        elif outcome == NO_ANSWER:
            self.offline, self.retry_at = True, self._clock() + OFFLINE_RETRY_S
        elif outcome == NO_SESSION:
            self.offline = False
            self._failures += 1
            self.retry_at = self._clock() + FRAME_BACKOFF_S[min(self._failures, len(FRAME_BACKOFF_S)) - 1]
        return outcome

    def next_try_at(self) -> float | None:
        """When the next attempt runs (now while one is under way), for a display's badge; None when none is due."""
        if self._frame is None or not (self.offline or self._failures):
            return None
        if self._running:
            return self._clock()
        return self.retry_at if self.offline else max(self.retry_at, self._guard.next_start_at())

    async def _attempt(self) -> Outcome:
        if self.offline:
            if not await self._reachable():
                return NO_ANSWER  # still away: no frame (it would wait its whole timeout), ask again soon
            self.offline = False  # back: the frame, as soon as the renewal guard's spacing allows
            if not self._guard.may_start():
                return NOT_TRIED
        outcome: Outcome = NOT_TRIED
        before = self._session.token()

        async def alone() -> None:
            nonlocal outcome
            elsewhere = renewed_elsewhere(self._session, self._expiry, self._clock(), before)
            outcome = RENEWED if elsewhere else await self._frame_round()

        if not await self._exclusive(RENEWAL_LOCK, alone):
            return NOT_TRIED  # another tab is renewing: its token arrives here through storage
        if outcome == NO_ANSWER and await self._reachable():
            return NO_SESSION  # PlaceOS is up, and its frame did not sign us in: its login page
        return outcome

    async def _frame_round(self) -> Outcome:
        try:
            url = self._flow.frame_sign_in_url(self._place_path())
        except SignInLoop:
            url = None
        if url is None or self._frame is None:
            return NOT_TRIED
        self._guard.start()
        try:
            response = await self._frame(url, FRAME_TIMEOUT_S)
            if not response:
                return NO_ANSWER
            await self._flow.complete(response, self._clock())
        except AuthorizationDenied as error:
            log.info("renewal in a frame refused: %s", error.error)
            return NO_SESSION
        except (CallbackError, OSError) as error:
            log.info("renewal in a frame failed: %s", type(error).__name__)
            return NO_ANSWER
        finally:
            self._guard.finish()
        log.info("token renewed in a hidden frame, without leaving the page")
        return RENEWED


__all__ = [
    "FRAME_BACKOFF_S",
    "FRAME_TIMEOUT_S",
    "NOT_TRIED",
    "NO_ANSWER",
    "NO_SESSION",
    "OFFLINE_RETRY_S",
    "RENEWAL_LOCK",
    "RENEWED",
    "FrameRenewal",
    "Outcome",
    "renewed_elsewhere",
]
