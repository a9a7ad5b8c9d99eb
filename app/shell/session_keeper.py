"""Keeping a signed-in app signed in (the session keeper). On every tick the expiry watch says what is due (warn,
renew silently, sign in again ahead of time on a kiosk, or expired); the renewal guard spaces renewals; kiosk
recovery retries a stuck display by itself. It owns the expiry notice, and gets the flow, the session, the frame and
the few callbacks it acts through (app.shell.controller composes it); nothing else of the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from app.api.reach import Reachable
from app.auth.expiry import Expired, ExpiryWatch, RenewByRedirect, RenewInFrame, RenewSilently, Warn
from app.auth.flows import Flow
from app.auth.recovery import KioskRecovery
from app.auth.renewal import RenewalGuard
from app.auth.session import AuthSession, Token
from app.core.config import ClientConfig
from app.core.ports import Exclusive, Frame
from app.core.redact import log
from app.shell.frame_renewal import (
    NO_ANSWER,
    NO_SESSION,
    RENEWAL_LOCK,
    RENEWED,
    FrameRenewal,
    Outcome,
    renewed_elsewhere,
)
from app.ui.countdown import minutes, spoken
from app.ui.host import Host
from app.ui.screens import Notice

SIGN_IN_NEEDED = "PlaceOS needs a sign-in again. What you see stays here, and this page keeps trying by itself."
OFFLINE = "PlaceOS cannot be reached. What you see stays here, and this page keeps trying by itself."


class SessionKeeper:
    def __init__(
        self,
        host: Host,
        config: ClientConfig,
        *,
        session: AuthSession,
        flow: Flow,
        frame: Frame | None,
        exclusive: Exclusive,
        sign_in: Callable[[], None],
        renewed: Callable[[], Awaitable[None]],
        reload: Callable[[], Coroutine[Any, Any, None]],
        place_path: Callable[[], str],
        stuck: Callable[[], bool],
        callback_failed: Callable[[], bool],
        reachable: Reachable,
    ) -> None:
        self._host = host
        self._config = config
        self._session = session
        self._flow = flow
        self._frame = frame  # renewals in a hidden frame (implicit flow); None: renewal leaves the page
        self._exclusive = exclusive  # one tab at a time renews a token they share
        self._sign_in = sign_in
        self._renewed = renewed  # the socket moves to the new token
        self._reload = reload  # what is on screen, read again
        self._place_path = place_path  # where a sign-in returns to
        self._stuck = stuck  # a kiosk with nothing moving: an error screen, or a failed read not being retried
        self._callback_failed = callback_failed
        self.notice: Notice | None = None  # the expiry notice: "stay signed in?", or "sign in again"
        self.expiry = ExpiryWatch(config.expiry_warning_s, kiosk=config.kiosk, in_frame=frame is not None)
        self.renewal = RenewalGuard(host.clock)
        self.kiosk = KioskRecovery(host.clock) if config.kiosk else None
        self.frames = FrameRenewal(
            host.clock,
            session=session,
            flow=flow,
            frame=frame,
            exclusive=exclusive,
            guard=self.renewal,
            expiry=self.expiry,
            reachable=reachable,
            place_path=place_path,
        )

    def _notify(self, notice: Notice | None) -> None:
        self.notice = notice
        self._host.show()

    async def renew_in_frame(self) -> Outcome:
        """A new token in a hidden frame (app.shell.frame_renewal), and the notice that says how it went: none,
        PlaceOS out of reach (it mends itself), or a sign-in PlaceOS refuses."""
        outcome = await self.frames.attempt()
        if outcome == RENEWED:
            self._notify(None)
            await self._renewed()
        elif outcome == NO_ANSWER:
            self._notify(Notice("offline", OFFLINE))
        elif outcome == NO_SESSION:
            self._notify(Notice("error", SIGN_IN_NEEDED, (("Sign in", "sign_in"),)))
        return outcome

    def next_try_at(self) -> float | None:
        return self.frames.next_try_at()

    def act(self, action: str) -> bool:
        """The expiry notice's buttons; False for any other action."""
        if action == "stay_signed_in":
            self._host.spawn(self.stay_signed_in())
        elif action == "dismiss_expiry":
            self.expiry.dismiss(self._session.token())
            self._notify(None)
        else:
            return False
        return True

    async def stay_signed_in(self) -> None:
        """The person said yes to "stay signed in?": renew in place, or by a redirect where that cannot work."""
        if await self.renew_in_frame() != RENEWED:
            self._sign_in()

    def _may_renew(self) -> bool:
        return self._flow.renews_silently(self._session.token()) and self.renewal.may_start()

    async def renew(self, reason: str, reload: bool) -> None:
        """Silent renewal with the refresh token; if it is refused, the ordinary sign-in path takes over. One tab
        at a time: two tabs spending the same rotating refresh token would look like a replay and lose both."""
        before = self._session.token()
        result: list[Token | None] = []
        offline = False

        async def alone() -> None:
            nonlocal offline
            if renewed_elsewhere(self._session, self.expiry, self._host.clock(), before):
                result.append(self._session.token())
                return
            self.renewal.start()
            try:
                result.append(await self._flow.renew())
            except OSError:
                offline = True
            finally:
                self.renewal.finish()

        if not await self._exclusive(RENEWAL_LOCK, alone):
            return  # another tab is renewing
        if offline:
            # Offline: what renews is kept; tick() tries again once the guard's spacing has passed.
            if self._session.valid_token() is None:
                self._notify(
                    Notice(
                        "error",
                        "Your session has ended and PlaceOS cannot be reached to renew it; the app keeps trying.",
                    )
                )
            return
        if not result or result[0] is None:
            self._sign_in_needed(reason)
            return
        self._notify(None)
        await self._renewed()
        if reload:
            await self._reload()

    def auth_required(self, reason: str) -> None:
        """Expired or refused: renew silently where the flow can, else say so and keep what is on screen."""
        if self._may_renew():
            self._host.spawn(self.renew(reason, reload=True))
        else:
            self._sign_in_needed(reason)

    def _sign_in_needed(self, reason: str) -> None:
        self._session.forget()
        if self._config.kiosk and self._frame is not None:
            self._host.spawn(self.renew_in_frame())  # a display keeps its data and keeps trying, spaced
            return
        if self._config.kiosk:
            self._sign_in()
            return
        self._notify(
            Notice(
                "error",
                f"{reason} Sign in again to continue; what you see stays here.",
                (("Sign in again", "sign_in"),),
            )
        )

    def tick(self) -> None:
        """Re-checked every second and on wake (visibilitychange, online, pageshow): wall-clock time decides, and
        each of the expiry watch's decisions has one action here."""
        if self.kiosk is not None and self.kiosk.due(self._stuck()):
            self._kiosk_retry()
        if not self._host.working:
            return
        decision = self.expiry.decide(self._session.token(), self._host.clock())
        if isinstance(decision, RenewSilently):
            if self._may_renew():  # spaced by the guard: offline, it keeps trying with what renews
                self._host.spawn(self.renew("Your session has ended.", reload=decision.reload))
        elif isinstance(decision, RenewInFrame):
            self._host.spawn(self.renew_in_frame())  # a display keeps its data and keeps trying, spaced
        elif isinstance(decision, RenewByRedirect):
            self._sign_in()  # renew ahead of expiry while the sign-in service still has a session
        elif isinstance(decision, Expired):
            if not (self.notice and self.notice.kind in ("error", "offline")):
                self.auth_required("Your session has ended.")
        elif isinstance(decision, Warn):
            warning = Notice(
                "warn",
                f"Your session ends in {minutes(decision.remaining)}. Stay signed in?",
                (("Stay signed in", "stay_signed_in"), ("Dismiss", "dismiss_expiry")),
                spoken=spoken(decision.remaining),
            )
            if warning != self.notice:
                self._notify(warning)
        elif self.notice is not None:
            self._notify(None)

    def _kiosk_retry(self) -> None:
        """A kiosk must never need a person: whatever stopped it, it tries again by itself."""
        log.info("kiosk: retrying by itself (attempt %d)", self.kiosk.retries if self.kiosk else 0)
        if self._callback_failed():
            self._session.loop.reset()
            self._sign_in()
        else:
            self._host.spawn(self._reload())


__all__ = ["SessionKeeper"]
