"""The sign-in's return, decided as a value: an authorization response, wherever it arrived, checked by the flow and
turned into a decision the controller applies (as app.auth.expiry's decisions are): go on signed in, back at the
person's place; show what went wrong; or start a fresh sign-in by itself. A response where this flow never asks for
one is refused whole. Nothing here draws or navigates."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.flows import Flow
from app.auth.oauth import is_authorization_response
from app.auth.session import AuthSession
from app.core.errors import CallbackError, UnknownState
from app.core.redact import log
from app.ui.screens import Actions, Notice


@dataclass(frozen=True)
class Proceed:
    """Signed in (or nothing arrived): the app goes on, at `back` when the sign-in said where it started."""

    back: str | None = None
    outcome: str = ""  # for the doctor's report
    notice: Notice | None = None  # said over the app, dismissible


@dataclass(frozen=True)
class Failed:
    title: str
    message: str
    actions: Actions


@dataclass(frozen=True)
class Restart:
    """Start the sign-in again by itself, saying why (the loop breaker allows it)."""

    message: str


Decision = Proceed | Failed | Restart
IGNORED_LINK = "A sign-in link that was not started in this tab was ignored. You are still signed in."
NOTHING = Proceed()
UNREACHABLE = Failed(
    "Sign-in did not complete",
    "PlaceOS could not be reached to finish signing in. Check your connection, then try again.",
    (("Try again", "sign_in"),),
)


class SignInReturn:
    def __init__(self, flow: Flow, session: AuthSession, base_path: str) -> None:
        self._flow = flow
        self._session = session
        self._base_path = base_path

    def response_in(self, arrived: dict[str, str]) -> str | Decision:
        """The authorization response to complete, from what arrived in the fragment and the query; or, without
        one to complete, the decision already: nothing arrived, or a response in a place this flow never uses."""
        expected = self._flow.response_place
        for place, text in arrived.items():
            if place != expected and text and is_authorization_response(text):
                return self.refused(self._session.refuse_misplaced(text, place))
        response = arrived.get(expected, "")
        return response if response and is_authorization_response(response) else NOTHING

    async def complete(self, response: str, received_at: float) -> Decision:
        try:
            signed_in = await self._flow.complete(response, received_at)
        except CallbackError as error:
            return self.refused(error)
        except OSError:
            return UNREACHABLE
        base = self._base_path
        back = signed_in.return_to if signed_in.return_to.startswith(base) else base  # never out of the app
        outcome = "signed in" + (f" ({signed_in.scope_warning})" if signed_in.scope_warning else "")
        warning = signed_in.scope_warning
        return Proceed(back, outcome, Notice("warn", warning, (("Dismiss", "dismiss_notice"),)) if warning else None)

    def refused(self, error: CallbackError) -> Decision:
        log.info("sign-in response not used: %s", type(error).__name__)
        if self._session.valid_token() is not None:
            # Refused as strictly as ever (its state was checked and is spent), but a tab already signed in keeps
            # the app and the person's place: a stray or crafted link is no reason to look signed out.
            notice = Notice("warn", IGNORED_LINK, (("Why?", "doctor"), ("Dismiss", "dismiss_notice")))
            return Proceed(None, f"a link was ignored: {error}", notice)
        if self._session.may_restart_automatically(error):
            return Restart(f"{error} Starting sign-in again…")
        if isinstance(error, UnknownState):
            return Failed("This sign-in was not started here", str(error), (("Sign in", "sign_in"),))
        return Failed("Sign-in did not complete", str(error), (("Try again", "sign_in"),))


__all__ = ["IGNORED_LINK", "NOTHING", "UNREACHABLE", "SignInReturn", "Decision", "Failed", "Proceed", "Restart"]
