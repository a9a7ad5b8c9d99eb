"""This app's other tabs: a sign-out in one signs out all (BroadcastChannel); a new tab gets its token from a
signed-in one (with the per-tab sessionStorage token, every new tab would otherwise ask to sign in again); and with
a shared (localStorage) token a tab adopts the token another renewed or signed in with."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from app.auth.session import Token
from app.core.redact import log
from app.ui.screens import Loading, Working

if TYPE_CHECKING:
    from app.shell.controller import App

SIGNED_OUT = "signed-out"
TOKEN_WANTED = "token-wanted"  # {type, nonce}: a new tab with no token asks
TOKEN_OFFERED = "token-offered"  # {type, nonce, token}: a signed-in tab answers that nonce
BORROW_WAIT_S = 0.5  # a signed-in tab answers within milliseconds; past this, nobody will


class OtherTabs:
    def __init__(self, app: App) -> None:
        self._app = app
        self._wanted: dict[str, asyncio.Future[Token | None]] = {}

    async def borrow(self) -> bool:
        """A tab with no token of its own takes a signed-in tab's, if one answers at once: the person opened a
        link in a new tab, and should not meet a "Sign in" screen. Asked only while a tab may have one."""
        app = self._app
        if not app.session.others_may_be_signed_in():
            return False
        nonce = app.session.new_nonce()
        answer: asyncio.Future[Token | None] = asyncio.get_running_loop().create_future()
        self._wanted[nonce] = answer
        app.broadcast(json.dumps({"type": TOKEN_WANTED, "nonce": nonce}))
        try:
            token = await asyncio.wait_for(answer, BORROW_WAIT_S)
        except TimeoutError:
            return False
        finally:
            self._wanted.pop(nonce, None)
        if token is None or token.remaining(app.clock()) <= 0:
            return False
        log.info("signed in with the token of another tab, %s", token.access_token)
        app.session.keep(token)
        return True

    async def renew_quietly(self) -> bool:
        """No tab answered, but one held a token not long ago: PlaceOS's session likely still stands, so ask it
        in a hidden frame, as a renewal does, before showing "Sign in"."""
        app = self._app
        if app.frame is None or not app.session.others_may_be_signed_in():
            return False
        from app.shell.upkeep import RENEWED

        return await app.upkeep.renew_in_frame() == RENEWED

    def _offer(self, nonce: str) -> None:
        app, token = self._app, self._app.session.valid_token()
        if token is None or not app.working or not 0 < len(nonce) <= 64:
            return
        # Never the refresh token: it rotates on use, and two tabs spending it would look like a replay.
        shared = Token(token.access_token, token.expires_at, token.scope, None, token.lifetime_s)
        app.broadcast(json.dumps({"type": TOKEN_OFFERED, "nonce": nonce, "token": shared.to_json()}))

    def _offered(self, nonce: str, raw: object) -> None:
        answer = self._wanted.get(nonce)
        if answer is not None and not answer.done():
            answer.set_result(Token.from_json(raw) if isinstance(raw, str) else None)

    def message(self, message: str) -> None:
        """Another tab signed out: this one's token died with the logout, so say so now, not at the next 401.
        Or a new tab asks for a token, or answers this one's asking."""
        app = self._app
        if message.startswith("{"):
            try:
                data = json.loads(message)
            except ValueError:
                return
            if isinstance(data, dict) and data.get("type") == TOKEN_WANTED:
                self._offer(str(data.get("nonce", "")))
            elif isinstance(data, dict) and data.get("type") == TOKEN_OFFERED:
                self._offered(str(data.get("nonce", "")), data.get("token"))
        elif message == SIGNED_OUT and isinstance(app.model.screen, Working | Loading):
            app.session.forget()
            app.session.forget_view()
            app.model = app.fresh_model(place=app.model.place)
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


__all__ = ["BORROW_WAIT_S", "SIGNED_OUT", "TOKEN_OFFERED", "TOKEN_WANTED", "OtherTabs"]
