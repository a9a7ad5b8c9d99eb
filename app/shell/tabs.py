"""This app's other tabs: a sign-out in one signs out all (BroadcastChannel); a new tab gets its token from a
signed-in one (with the per-tab sessionStorage token, every new tab would otherwise ask to sign in again); and with
a shared (localStorage) token a tab adopts the token another renewed or signed in with."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from app.auth.session import AuthSession, Token
from app.core.redact import log
from app.ui.host import Host

SIGNED_OUT = "signed-out"
TOKEN_WANTED = "token-wanted"  # {type, nonce}: a new tab with no token asks
TOKEN_OFFERED = "token-offered"  # {type, nonce, token}: a signed-in tab answers that nonce
BORROW_WAIT_S = 0.5  # a signed-in tab answers within milliseconds; past this, nobody will


class OtherTabs:
    def __init__(
        self,
        host: Host,
        session: AuthSession,
        *,
        broadcast: Callable[[str], None],
        renew_in_frame: Callable[[], Awaitable[bool]] | None,
        signed_out_elsewhere: Callable[[], None],
        token_arrived: Callable[[], None],
        token_gone: Callable[[], None],
    ) -> None:
        self._host = host
        self._session = session
        self.broadcast = broadcast  # to this app's other tabs (BroadcastChannel in the browser)
        self._renew_in_frame = renew_in_frame  # True if renewed; None where this page has no frame to renew in
        self._signed_out_elsewhere = signed_out_elsewhere
        self._token_arrived = token_arrived  # a shared token another tab renewed or signed in with
        self._token_gone = token_gone
        self._wanted: dict[str, asyncio.Future[Token | None]] = {}

    async def borrow(self) -> bool:
        """A tab with no token of its own takes a signed-in tab's, if one answers at once: the person opened a
        link in a new tab, and should not meet a "Sign in" screen. Asked only while a tab may have one."""
        session = self._session
        if not session.others_may_be_signed_in():
            return False
        nonce = session.new_nonce()
        answer: asyncio.Future[Token | None] = asyncio.get_running_loop().create_future()
        self._wanted[nonce] = answer
        self.broadcast(json.dumps({"type": TOKEN_WANTED, "nonce": nonce}))
        try:
            token = await asyncio.wait_for(answer, BORROW_WAIT_S)
        except TimeoutError:
            return False
        finally:
            self._wanted.pop(nonce, None)
        if token is None or token.remaining(self._host.clock()) <= 0:
            return False
        log.info("signed in with the token of another tab, %s", token.access_token)
        session.keep(token)
        return True

    async def renew_quietly(self) -> bool:
        """No tab answered, but one held a token not long ago: PlaceOS's session likely still stands, so ask it
        in a hidden frame, as a renewal does, before showing "Sign in"."""
        if self._renew_in_frame is None or not self._session.others_may_be_signed_in():
            return False
        return await self._renew_in_frame()

    def _offer(self, nonce: str) -> None:
        token = self._session.valid_token()
        if token is None or not self._host.working or not 0 < len(nonce) <= 64:
            return
        # Never the refresh token: it rotates on use, and two tabs spending it would look like a replay.
        shared = Token(token.access_token, token.expires_at, token.scope, None, token.lifetime_s)
        self.broadcast(json.dumps({"type": TOKEN_OFFERED, "nonce": nonce, "token": shared.to_json()}))

    def _offered(self, nonce: str, raw: object) -> None:
        answer = self._wanted.get(nonce)
        if answer is not None and not answer.done():
            answer.set_result(Token.from_json(raw) if isinstance(raw, str) else None)

    def message(self, message: str) -> None:
        """Another tab signed out: this one's token died with the logout, so say so now, not at the next 401.
        Or a new tab asks for a token, or answers this one's asking."""
        if message.startswith("{"):
            try:
                data = json.loads(message)
            except ValueError:
                return
            if isinstance(data, dict) and data.get("type") == TOKEN_WANTED:
                self._offer(str(data.get("nonce", "")))
            elif isinstance(data, dict) and data.get("type") == TOKEN_OFFERED:
                self._offered(str(data.get("nonce", "")), data.get("token"))
        elif message == SIGNED_OUT:
            self._signed_out_elsewhere()

    def token_changed(self) -> None:
        """With a shared (localStorage) token, another tab signed in again or signed out."""
        token = self._session.valid_token()
        if token is not None:
            log.info("another tab's token arrived, %s", token.access_token)
            self._token_arrived()
        else:
            self._token_gone()


__all__ = ["BORROW_WAIT_S", "SIGNED_OUT", "TOKEN_OFFERED", "TOKEN_WANTED", "OtherTabs"]
