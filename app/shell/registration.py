"""The sign-in screen's check that PlaceOS knows this app (app.auth.preflight), once per page, in the background:
where it does not, the screen says so in plain words, with "Why?", instead of sending the person to a PlaceOS error
page with no way back. Nobody waits for it: "Sign in" goes at once, whether or not it has answered."""

from __future__ import annotations

from collections.abc import Callable

from app.auth.preflight import ask, in_words
from app.core.config import ClientConfig
from app.core.ports import Transport
from app.ui.screens import Actions

Failed = Callable[[str, str, Actions], None]  # the controller's show_callback_error: title, message, actions


class RegistrationCheck:
    def __init__(
        self, config: ClientConfig, *, transport: Transport, signed_out: Callable[[], bool], failed: Failed
    ) -> None:
        self._config = config
        self._transport = transport
        self._signed_out = signed_out  # still on the sign-in screen: the person has not left for PlaceOS
        self._failed = failed
        self._asked = False

    async def check(self) -> None:
        # A kiosk signs in by itself (its badge and its doctor say why); PlaceOS on another origin sends no CORS from
        # its authorize endpoint (nor should it), so there the browser would only log a refusal: the doctor says so.
        if self._asked or self._config.kiosk or not self._config.placeos_on_page_origin:
            return
        self._asked = True
        found, status = await ask(self._config, self._transport)
        title, fix = in_words(found, self._config, status)
        if title and self._signed_out():
            self._failed(
                title, f"Signing in would end on PlaceOS's error page. {fix}", (("Sign in anyway", "sign_in"),)
            )


__all__ = ["RegistrationCheck"]
