"""The sign-in's return: an authorization response, wherever it arrived, checked by the flow and turned into either
a signed-in app back at the person's place, or a screen that says what went wrong (and, once in a while, a fresh
sign-in by itself). A response where this flow never asks for one is refused whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.auth.oauth import is_authorization_response
from app.browse.place import place_from
from app.core.errors import CallbackError, UnknownState
from app.core.redact import log
from app.ui.screens import Loading, Notice

if TYPE_CHECKING:
    from app.shell.controller import App


class Arrival:
    def __init__(self, app: App) -> None:
        self._app = app

    async def receive(self, arrived: dict[str, str], received_at: float) -> bool:
        """Handle what arrived in the fragment and the query; True when the app may go on (signed in, or nothing
        arrived), False when a screen about the response is showing instead."""
        app = self._app
        expected = app.flow.response_place
        for place, text in arrived.items():
            if place != expected and text and is_authorization_response(text):
                self.failed(app.session.refuse_misplaced(text, place))
                return False
        response = arrived.get(expected, "")
        if not (response and is_authorization_response(response)):
            return True
        return await self._complete(response, received_at)

    async def _complete(self, response: str, received_at: float) -> bool:
        app = self._app
        app.model.screen = Loading(message="Finishing sign-in…")
        app.show()
        try:
            signed_in = await app.flow.complete(response, received_at)
        except CallbackError as error:
            self.failed(error)
            return False
        except OSError:
            app.show_callback_error(
                "Sign-in did not complete",
                "PlaceOS could not be reached to finish signing in. Check your connection, then try again.",
                (("Try again", "sign_in"),),
            )
            return False
        app.sign_in_outcome = "signed in" + (f" ({signed_in.scope_warning})" if signed_in.scope_warning else "")
        base = app.config.base_path
        back = signed_in.return_to if signed_in.return_to.startswith(base) else base  # never out of the app
        app.navigator.replace(back)
        app.model.place = place_from(back)
        if signed_in.scope_warning:
            app.model.notice = Notice("warn", signed_in.scope_warning, (("Dismiss", "dismiss_notice"),))
        return True

    def failed(self, error: CallbackError) -> None:
        app = self._app
        log.info("sign-in response not used: %s", type(error).__name__)
        if app.session.may_restart_automatically(error):
            app.sign_in(f"{error} Starting sign-in again…")
        elif isinstance(error, UnknownState):
            app.show_callback_error("This sign-in was not started here", str(error), (("Sign in", "sign_in"),))
        else:
            app.show_callback_error("Sign-in did not complete", str(error), (("Try again", "sign_in"),))


__all__ = ["Arrival"]
