"""This app's other tabs: a sign-out in one signs out all (BroadcastChannel), and with a shared (localStorage)
token a tab adopts the token another renewed or signed in with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Model
from .redact import log
from .screens import Loading, Working

if TYPE_CHECKING:
    from .controller import App

SIGNED_OUT = "signed-out"


class OtherTabs:
    def __init__(self, app: App) -> None:
        self._app = app

    def message(self, message: str) -> None:
        """Another tab signed out: this one's token died with the logout, so say so now, not at the next 401."""
        app = self._app
        if message == SIGNED_OUT and isinstance(app.model.screen, Working | Loading):
            app.session.forget()
            app.session.forget_view()
            app.model = Model(place=app.model.place)
            app.show_signed_out("You signed out in another tab.")

    def token_changed(self) -> None:
        """With a shared (localStorage) token, another tab signed in again or signed out."""
        app = self._app
        token = app.session.valid_token()
        if token is not None and (not app.working or app.model.expiry_notice is not None):
            log.info("adopting the token another tab received, %s", token.access_token)
            app.enter_app()
            app.spawn(app.live.renewed())
        elif token is None:
            app.tick()


__all__ = ["SIGNED_OUT", "OtherTabs"]
