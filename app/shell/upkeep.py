"""The token's upkeep: keeping a signed-in app signed in. On every tick the expiry watch says what is due (warn,
renew silently, sign in again ahead of time on a kiosk, or expired); the renewal guard spaces renewals; kiosk
recovery retries a stuck display by itself. The App is the host: this acts through its flow, session and screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from app.auth.expiry import Expired, ExpiryWatch, Quiet, RenewByRedirect, RenewSilently, Warn
from app.auth.recovery import KioskRecovery
from app.auth.renewal import RenewalGuard
from app.auth.session import Token
from app.core.errors import AuthorizationDenied, CallbackError, SignInLoop
from app.core.redact import log
from app.ui.screens import CallbackFailed, Notice

if TYPE_CHECKING:
    from app.shell.controller import App


Outcome = Literal["renewed", "no-session", "no-answer", "not-tried"]
RENEWED: Outcome = "renewed"
NO_SESSION: Outcome = "no-session"  # PlaceOS answered: it has no session to renew from (login_required)
NO_ANSWER: Outcome = "no-answer"  # nothing in time: offline, PlaceOS down, or its login page in the frame
NOT_TRIED: Outcome = "not-tried"  # too soon, no frame, or another tab is renewing
RENEWAL_LOCK = "placeos-renewal"
FRAME_TIMEOUT_S = 10.0
FRAME_BACKOFF_S = (10, 20, 40, 80, 160, 300)  # after failed renewals in a frame; then every 5 minutes
SIGN_IN_NEEDED = "PlaceOS needs a sign-in again. What you see stays here, and this page keeps trying by itself."


def minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, int(seconds))} s"
    return f"{int(seconds // 60)} min"


class Upkeep:
    def __init__(self, app: App) -> None:
        self._app = app
        self.expiry = ExpiryWatch(app.config.expiry_warning_s, kiosk=app.config.kiosk)
        self.renewal = RenewalGuard(app.clock)
        self.kiosk = KioskRecovery(app.clock) if app.config.kiosk else None
        self._frame_failures = 0
        self.frame_retry_at = 0.0  # no frame renewal before this (back-off after failures)

    async def renew_in_frame(self) -> Outcome:
        """A new token from PlaceOS's existing session, in a hidden frame, without leaving the page. Its response
        is checked exactly as a top-level callback's; each attempt counts against the loop breaker. With a token
        shared between tabs, one tab renews (a Web Lock) and the others adopt what it got."""
        app = self._app
        if app.frame is None or app.clock() < self.frame_retry_at or not self.renewal.may_start():
            return NOT_TRIED
        outcome: Outcome = NOT_TRIED
        before = app.session.token()

        async def alone() -> None:
            nonlocal outcome
            outcome = RENEWED if self._renewed_elsewhere(before) else await self._frame_round()

        if not await app.exclusive(RENEWAL_LOCK, alone):
            return NOT_TRIED  # another tab is renewing: its token arrives here through storage
        if outcome == RENEWED:
            self._frame_failures, self.frame_retry_at = 0, 0.0
            app.model.expiry_notice = None
            app.show()
            await app.live.renewed()
        elif outcome != NOT_TRIED:
            self._frame_failures += 1
            wait = FRAME_BACKOFF_S[min(self._frame_failures, len(FRAME_BACKOFF_S)) - 1]
            self.frame_retry_at = app.clock() + wait
            app.model.expiry_notice = Notice("error", SIGN_IN_NEEDED, (("Sign in", "sign_in"),))
            app.show()
        return outcome

    def _renewed_elsewhere(self, before: Token | None) -> bool:
        """Whether another tab renewed while this one waited for the lock: then its token is the one to use."""
        now = self._app.session.token()
        if now is None or (before is not None and now.access_token == before.access_token):
            return False
        return isinstance(self.expiry.decide(now, self._app.clock()), Quiet)

    async def _frame_round(self) -> Outcome:
        app = self._app
        try:
            url = app.flow.frame_sign_in_url(app.model.place.path(app.config.base_path))
        except SignInLoop:
            url = None
        if url is None:
            return NOT_TRIED
        self.renewal.start()
        try:
            response = await app.frame(url, FRAME_TIMEOUT_S) if app.frame else None
            if not response:
                return NO_ANSWER
            await app.flow.complete(response, app.clock())
        except AuthorizationDenied as error:
            log.info("renewal in a frame refused: %s", error.error)
            return NO_SESSION
        except (CallbackError, OSError) as error:
            log.info("renewal in a frame failed: %s", type(error).__name__)
            return NO_ANSWER
        finally:
            self.renewal.finish()
        log.info("token renewed in a hidden frame, without leaving the page")
        return RENEWED

    def act(self, action: str) -> bool:
        """The expiry notice's buttons; False for any other action."""
        if action == "stay_signed_in":
            self._app.spawn(self.stay_signed_in())
        elif action == "dismiss_expiry":
            self.expiry.dismiss(self._app.session.token())
            self._app.model.expiry_notice = None
            self._app.show()
        else:
            return False
        return True

    async def stay_signed_in(self) -> None:
        """The person said yes to "stay signed in?": renew in place, or by a redirect where that cannot work."""
        if await self.renew_in_frame() != RENEWED:
            self._app.sign_in()

    def _may_renew(self) -> bool:
        return self._app.flow.renews_silently(self._app.session.token()) and self.renewal.may_start()

    async def renew(self, reason: str, reload: bool) -> None:
        """Silent renewal with the refresh token; if it is refused, the ordinary sign-in path takes over. One tab
        at a time: two tabs spending the same rotating refresh token would look like a replay and lose both."""
        app, before = self._app, self._app.session.token()
        result: list[Token | None] = []
        offline = False

        async def alone() -> None:
            nonlocal offline
            if self._renewed_elsewhere(before):
                result.append(app.session.token())
                return
            self.renewal.start()
            try:
                result.append(await app.flow.renew())
            except OSError:
                offline = True
            finally:
                self.renewal.finish()

        if not await app.exclusive(RENEWAL_LOCK, alone):
            return  # another tab is renewing
        if offline:
            # Offline: what renews is kept; tick() tries again once the guard's spacing has passed.
            if app.session.valid_token() is None:
                app.model.expiry_notice = Notice(
                    "error", "Your session has ended and PlaceOS cannot be reached to renew it; the app keeps trying."
                )
                app.show()
            return
        if not result or result[0] is None:
            self._sign_in_needed(reason)
            return
        app.model.expiry_notice = None
        app.show()
        await app.live.renewed()
        if reload:
            await app.load()

    def auth_required(self, reason: str) -> None:
        """Expired or refused: renew silently where the flow can, else say so and keep what is on screen."""
        if self._may_renew():
            self._app.spawn(self.renew(reason, reload=True))
        else:
            self._sign_in_needed(reason)

    def _sign_in_needed(self, reason: str) -> None:
        self._app.session.forget()
        if self._app.config.kiosk and self._app.frame is not None:
            self._app.spawn(self.renew_in_frame())  # a display keeps its data and keeps trying, spaced
            return
        if self._app.config.kiosk:
            self._app.sign_in()
            return
        self._app.model.expiry_notice = Notice(
            "error", f"{reason} Sign in again to continue; what you see stays here.", (("Sign in again", "sign_in"),)
        )
        self._app.show()

    def tick(self) -> None:
        """Re-checked every second and on wake (visibilitychange, online, pageshow): wall-clock time decides."""
        if self.kiosk is not None and self.kiosk.due(self._stuck()):
            self._kiosk_retry()
        if not self._app.working:
            return
        token = self._app.session.token()
        decision = self.expiry.decide(token, self._app.clock())
        notice = self._app.model.expiry_notice
        if isinstance(decision, RenewSilently):
            if self._may_renew():
                self._app.spawn(self.renew("Your session has ended.", reload=False))  # ahead of expiry, no prompt
        elif isinstance(decision, Expired) and self._app.flow.renews_silently(token):
            if self._may_renew():  # expired while offline: keep trying with what renews, spaced by the guard
                self._app.spawn(self.renew("Your session has ended.", reload=True))
        elif isinstance(decision, Expired) and self._app.config.kiosk and self._app.frame is not None:
            self._app.spawn(self.renew_in_frame())  # a display keeps its data and keeps trying, spaced
        elif isinstance(decision, Expired):
            if not (notice and notice.kind == "error"):
                self.auth_required("Your session has ended.")
        elif isinstance(decision, RenewByRedirect) and self._app.frame is not None:
            self._app.spawn(self.renew_in_frame())  # ahead of expiry, while PlaceOS still has a session
        elif isinstance(decision, RenewByRedirect):
            self._app.sign_in()  # renew ahead of expiry while the sign-in service still has a session
        elif isinstance(decision, Warn):
            warning = Notice(
                "warn",
                f"Your session ends in {minutes(decision.remaining)}. Stay signed in?",
                (("Stay signed in", "stay_signed_in"), ("Dismiss", "dismiss_expiry")),
                spoken=spoken(decision.remaining),
            )
            if warning != notice:
                self._app.model.expiry_notice = warning
                self._app.show()
        elif notice is not None:
            self._app.model.expiry_notice = None
            self._app.show()

    def _stuck(self) -> bool:
        if isinstance(self._app.model.screen, CallbackFailed):
            return True
        return self._app.working and bool(self._app.model.list_error) and not self._app.model.loading

    def _kiosk_retry(self) -> None:
        """A kiosk must never need a person: whatever stopped it, it tries again by itself."""
        log.info("kiosk: retrying by itself (attempt %d)", self.kiosk.retries if self.kiosk else 0)
        if isinstance(self._app.model.screen, CallbackFailed):
            self._app.session.loop.reset()
            self._app.sign_in()
        else:
            self._app.spawn(self._app.load())


def spoken(seconds: float) -> str:
    """The countdown as a screen reader hears it: changed at a few thresholds, not every second."""
    for limit, words in ((10, "10 seconds"), (30, "30 seconds"), (60, "a minute")):
        if seconds <= limit:
            return f"Your session ends in less than {words}."
    whole = -(-int(seconds) // 60)
    return f"Your session ends in {whole} minutes."


__all__ = ["NOT_TRIED", "NO_ANSWER", "NO_SESSION", "RENEWAL_LOCK", "RENEWED", "Outcome", "Upkeep", "minutes", "spoken"]
