"""The signed-in session: the token and its expiry, the pending sign-ins, and the markers that outlive a redirect.

Pure: storage and the clock are injected. How a token is obtained is a flow's job (app.flows); this module keeps
what the flows produce and answers "who is signed in, until when".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from app.auth.oauth import response_state
from app.auth.states import LoopBreaker, PendingSignIn, PendingStates
from app.core.config import ClientConfig
from app.core.errors import CallbackError, MisplacedResponse
from app.core.ports import Clock, NewState, Storage
from app.core.redact import REDACTOR, Secret, log

TOKEN_KEY = "placeos.token"
AUTO_RESTART_KEY = "placeos.auto-restart"
VIEW_KEY = "placeos.board"  # a kiosk board's last known state, painted at once on a reload or reboot
PAINTED_KEY = "placeos.board.painted"  # … and as drawn, for static/boot.js to show before Python is up
SIGNED_OUT_KEY = "placeos.signed-out"  # set just before leaving for PlaceOS's logout, read when it sends us back
PAGE_KEY = "placeos.page.painted"  # a person's last list or detail as drawn, with its address (this tab only)
# In localStorage, no secret in it: until when a tab of this origin holds a token, so that a new tab asks the others
# for one (app.tabs) only when one may answer, and a first visit waits for nobody.
SIGNED_IN_KEY = "placeos.signed-in-until"
MAX_FEATURES = 200  # features kept for a tab's filters: more is not a list anyone reads


@dataclass(frozen=True)
class Token:
    access_token: Secret
    expires_at: float  # absolute wall-clock time, from when the response arrived (immune to server clock skew)
    scope: str
    refresh_token: Secret | None = None  # code flow only: renews without a redirect (rotated on every use)
    lifetime_s: float | None = None  # what the server granted (expires_in); None for tokens kept by older builds

    def remaining(self, now: float) -> float:
        return self.expires_at - now

    def to_json(self) -> str:
        data: dict[str, object] = {
            "access_token": self.access_token.reveal(),
            "expires_at": self.expires_at,
            "scope": self.scope,
        }
        if self.refresh_token:
            data["refresh_token"] = self.refresh_token.reveal()
        if self.lifetime_s:
            data["lifetime_s"] = self.lifetime_s
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> Token | None:
        try:
            data = json.loads(raw)
            refresh, lifetime = data.get("refresh_token"), data.get("lifetime_s")
            token = cls(
                Secret(str(data["access_token"])),
                float(data["expires_at"]),
                str(data.get("scope", "")),
                Secret(str(refresh)) if refresh else None,
                float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        if not math.isfinite(token.expires_at):
            return None
        token.register_secrets()
        return token

    def register_secrets(self) -> None:
        """Tell the log's redactor: from now on this token and its refresh token print as fingerprints only."""
        REDACTOR.register(self.access_token.reveal())
        if self.refresh_token:
            REDACTOR.register(self.refresh_token.reveal())


@dataclass(frozen=True)
class SignedIn:
    token: Token
    return_to: str
    scope_warning: str | None  # RFC 6749 §3.3: the server may grant less than asked


class AuthSession:
    def __init__(
        self,
        config: ClientConfig,
        *,
        session_storage: Storage,
        token_storage: Storage,
        clock: Clock,
        new_state: NewState,
        shared_storage: Storage | None = None,
    ) -> None:
        self.config = config
        self._session_storage = session_storage
        self._token_storage = token_storage
        self._shared = shared_storage if shared_storage is not None else token_storage
        self.new_nonce = new_state
        self._clock = clock
        self.states = PendingStates(session_storage, clock, new_state, config.state_ttl_s)
        self.loop = LoopBreaker(session_storage, clock, config.loop_limit, config.loop_window_s)

    # -- sign-ins under way -----------------------------------------------------------------------------------------
    def begin(self, return_to: str, verifier: str | None = None) -> str:
        """A new pending sign-in and its state. Raises SignInLoop when sign-in keeps bouncing."""
        self.loop.record()
        return self.states.create(return_to, self.config.client_id, verifier)

    def consume(self, state: str | None) -> PendingSignIn:
        """The pending sign-in a response names, used up; or a typed refusal (RFC 6749 §10.12)."""
        return self.states.consume(state, self.config.client_id)

    def refuse_misplaced(self, text: str, place: str) -> MisplacedResponse:
        """A response that arrived where this flow never asks for one (a token in a query) is refused whole, and
        the state it names is used up, so that it cannot be replayed where it would be accepted."""
        state = response_state(text)
        if state:
            try:
                self.consume(state)
            except CallbackError:
                pass  # refused for where it came, whatever its state
        log.warning("sign-in response in the %s refused: this app never asks for one there", place)
        return MisplacedResponse(
            f"A sign-in response arrived in the page address's {place}, where this app never asks for one, so it "
            "was refused and removed from the address. If you followed a link to get here, it did not come from "
            "this app's sign-in."
        )

    def arrived(self, pending: PendingSignIn, token: Token) -> SignedIn:
        """Keep the token a checked response brought, and say where the person goes back to."""
        self.keep(token)
        self._session_storage.remove(AUTO_RESTART_KEY)
        return SignedIn(token, pending.return_to, self._scope_warning(token.scope))

    def _scope_warning(self, granted: str) -> str | None:
        if set(granted.split()) == set(self.config.scope.split()):
            return None
        return f"PlaceOS granted the scopes '{granted}' instead of '{self.config.scope}'; some views may fail."

    def may_restart_automatically(self, error: CallbackError) -> bool:
        """A stale or state-less response restarts sign-in by itself, but only once in a while."""
        if not error.retry_sign_in:
            return False
        last = self._session_storage.get(AUTO_RESTART_KEY)
        now = self._clock()
        if last is not None and now - float(last) < self.config.loop_window_s:
            return False
        self._session_storage.set(AUTO_RESTART_KEY, str(now))
        return True

    # -- the token ----------------------------------------------------------------------------------------------------
    def keep(self, token: Token) -> None:
        token.register_secrets()
        self._token_storage.set(TOKEN_KEY, token.to_json())
        self._shared.set(SIGNED_IN_KEY, str(int(token.expires_at)))

    def others_may_be_signed_in(self) -> bool:
        """Whether a tab of this origin has held a token that has not yet run out (a hint, never a token)."""
        until = self._shared.get(SIGNED_IN_KEY) or ""
        return until.isascii() and until.isdigit() and len(until) < 12 and int(until) > self._clock()

    def forget_everywhere(self) -> None:
        """Signed out: this tab's token, and the hint that any tab has one."""
        self.forget()
        self._shared.remove(SIGNED_IN_KEY)

    def token(self) -> Token | None:
        """The kept token, expired or not (the UI says which); None when signed out."""
        raw = self._token_storage.get(TOKEN_KEY)
        return Token.from_json(raw) if raw else None

    def valid_token(self) -> Token | None:
        token = self.token()
        return token if token and token.remaining(self._clock()) > 0 else None

    def forget(self) -> None:
        token = self.token()
        self._token_storage.remove(TOKEN_KEY)
        if token:
            log.info("token %s forgotten", token.access_token)

    # -- what was on screen, for a kiosk to paint at once after a reload: kept beside the token, and as long --------
    def keep_view(self, text: str, painted: str) -> None:
        self._token_storage.set(VIEW_KEY, text)
        self._token_storage.set(PAINTED_KEY, painted)

    def saved_view(self) -> str | None:
        return self._token_storage.get(VIEW_KEY)

    def forget_view(self) -> None:
        self._token_storage.remove(VIEW_KEY)
        self._token_storage.remove(PAINTED_KEY)
        self._session_storage.remove(PAGE_KEY)

    def keep_page(
        self, path: str, painted: list[object], requests: list[str] | None = None, features: Iterable[str] = ()
    ) -> None:
        """What a person last saw at `path`, as drawn, for static/boot.js to show at once when this tab loads that
        address again (beside the token: per tab, gone at sign-out), the GET requests that drew it, which the
        loader then sends early (app.api.early_answers), and the features the tab's lists have shown, so that a
        reload offers the same filters."""
        page = {"path": path, "nodes": painted, "requests": requests or [], "features": sorted(features)}
        self._session_storage.set(PAGE_KEY, json.dumps(page, separators=(",", ":")))

    def kept_features(self) -> list[str]:
        """The features kept with this tab's page; [] for none or for anything that is not a list of them."""
        try:
            page = json.loads(self._session_storage.get(PAGE_KEY) or "null")
        except ValueError:
            return []
        features = page.get("features") if isinstance(page, dict) else None
        return [str(f)[:40] for f in features[:MAX_FEATURES]] if isinstance(features, list) else []

    def signed_in_ok(self) -> None:
        """The API accepted the token: the sign-in loop, if any, is over."""
        self.loop.reset()

    # -- signing out --------------------------------------------------------------------------------------------------
    def note_signed_out(self) -> None:
        self._session_storage.set(SIGNED_OUT_KEY, "1")

    def take_signed_out(self) -> bool:
        """Whether this tab has just come back from signing out (once)."""
        signed_out = self._session_storage.get(SIGNED_OUT_KEY) is not None
        self._session_storage.remove(SIGNED_OUT_KEY)
        return signed_out


__all__ = ["PAGE_KEY", "PAINTED_KEY", "SIGNED_IN_KEY", "AuthSession", "SignedIn", "Token", "TOKEN_KEY", "VIEW_KEY"]
