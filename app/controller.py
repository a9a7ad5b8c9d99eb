"""The app's behaviour: screens, sign-in and its return, loading data, expiry, sign-out.

Plain Python over the ports (Navigator, Screen, Transport, storage, clock), so every story here runs under
CPython in tests; app.browser provides the real ports and app.main wires them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from .api import PlaceOSClient
from .config import ClientConfig
from .errors import ApiError, AuthRequired, CallbackError, SignInLoop, UnknownState
from .oauth import is_authorization_response, revocation_requests
from .ports import Clock, HttpRequest, HttpResponse, Transport
from .redact import log
from .session import AuthSession, SignedIn
from .urls import ascii_int, parse_qsl, urlencode
from .urls import split as urlsplit
from .view import MAX_OFFSET_DIGITS, PAGE_SIZE, El, Model, Notice, Place, render

Spawn = Callable[[Coroutine[Any, Any, None]], object]
SIGNED_OUT = "signed-out"
REFRESH_SPACING_S = 10  # at most one silent renewal in this long: a 401 storm must not become a refresh loop
KIOSK_RETRY_S = (30, 60, 120, 300)  # an unattended display retries by itself, backing off to every 5 minutes


class Navigator(Protocol):
    def assign(self, url: str) -> None: ...  # leave the page (to the authorization server)

    def replace(self, path: str) -> None: ...  # history.replaceState: no new history entry

    def push(self, path: str) -> None: ...  # history.pushState

    def current(self) -> str: ...  # path and query of the page


class Screen(Protocol):
    def render(self, nodes: list[El], focus: str | None = None) -> None: ...


def place_from(path: str) -> Place:
    return Place.from_query(dict(parse_qsl(urlsplit(path).query)))


def minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, int(seconds))} s"
    return f"{int(seconds // 60)} min"


class App:
    def __init__(
        self,
        config: ClientConfig,
        session: AuthSession,
        api: PlaceOSClient,
        transport: Transport,
        navigator: Navigator,
        screen: Screen,
        clock: Clock,
        spawn: Spawn,
        broadcast: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.config = config
        self.broadcast = broadcast  # tells this app's other tabs (BroadcastChannel in the browser)
        self.session = session
        self.api = api
        self.transport = transport
        self.navigator = navigator
        self.screen = screen
        self.clock = clock
        self.spawn = spawn
        self.model = Model()
        self._generation = 0  # drops answers to requests the person has since moved away from
        self._expiry_dismissed_at: float | None = None
        self._kiosk_stuck_since: float | None = None
        self._refreshing = False
        self._last_refresh_at: float | None = None
        self._kiosk_retries = 0
        self._leaving = False

    # -- screens --------------------------------------------------------------------------------------------------
    def show(self, focus: str | None = None) -> None:
        self.screen.render(render(self.model), focus)

    def show_signed_out(self, message: str = "") -> None:
        self.model.screen = "signed_out"
        self.model.title = "Sign in to PlaceOS"
        self.model.message = message or "Sign in with your PlaceOS account to see your building's systems."
        self.model.screen_actions = (("Sign in", "sign_in"),)
        self.show("screen-title")

    def show_callback_error(self, title: str, message: str, actions: tuple[tuple[str, str], ...]) -> None:
        self.model.screen = "callback_error"
        self.model.title = title
        self.model.message = message + (" This display will try again by itself." if self.config.kiosk else "")
        self.model.screen_actions = actions
        self.show("screen-title")

    # -- start ----------------------------------------------------------------------------------------------------
    async def start(self, fragment: str, received_at: float, query: str = "") -> None:
        """`fragment` and `query` hold only the authorization-response parameters the loader took from the
        address bar (nothing else of the URL)."""
        self.model.place = place_from(self.navigator.current())
        signed_out_here = self.session.take_signed_out()
        arrived = {"fragment": fragment, "query": query}
        expected = self.session.response_place
        for place, text in arrived.items():
            if place != expected and text and is_authorization_response(text):
                self._refuse_misplaced(text, place)
                return
        response = arrived[expected]
        if response and is_authorization_response(response):
            done = (
                await self._complete_code(response)
                if expected == "query"
                else self._complete_sign_in(response, received_at)
            )
            if not done:
                return
        token = self.session.token()
        expired = token is not None and token.remaining(self.clock()) <= 0
        if token is None or expired:
            if expired:
                self.session.forget()
            if self.config.kiosk:
                self.sign_in()
            else:
                self.show_signed_out(
                    "You have signed out."
                    if signed_out_here
                    else "Your session has ended. Sign in again to pick up where you left off."
                    if expired
                    else ""
                )
            return
        self.model.screen = "app"
        self.show()
        self.spawn(self.load())

    def receive_callback(self, fragment: str, received_at: float) -> None:
        """An authorization response that arrived while the app runs (a same-document hash change)."""
        if self.session.response_place != "fragment":
            self._refuse_misplaced(fragment, "fragment")
            return
        if self._complete_sign_in(fragment, received_at):
            self._leaving = False
            self.model.expiry_notice = None
            self.model.screen = "app"
            self.show()
            self.spawn(self.load())

    def _refuse_misplaced(self, text: str, place: str) -> None:
        try:
            self.session.refuse_misplaced(text, place)
        except CallbackError as error:
            self._callback_failed(error)

    def _complete_sign_in(self, fragment: str, received_at: float) -> bool:
        try:
            signed_in = self.session.complete(fragment, received_at)
        except CallbackError as error:
            self._callback_failed(error)
            return False
        self._arrive(signed_in)
        return True

    async def _complete_code(self, query: str) -> bool:
        self.model.screen = "loading"
        self.model.message = "Finishing sign-in…"
        self.show()
        try:
            signed_in = await self.session.complete_code(query, self.transport)
        except CallbackError as error:
            self._callback_failed(error)
            return False
        except OSError:
            self.show_callback_error(
                "Sign-in did not complete",
                "PlaceOS could not be reached to finish signing in. Check your connection, then try again.",
                (("Try again", "sign_in"),),
            )
            return False
        self._arrive(signed_in)
        return True

    def _arrive(self, signed_in: SignedIn) -> None:
        self.navigator.replace(signed_in.return_to)
        self.model.place = place_from(signed_in.return_to)
        if signed_in.scope_warning:
            self.model.notice = Notice("warn", signed_in.scope_warning, (("Dismiss", "dismiss_notice"),))

    def _callback_failed(self, error: CallbackError) -> None:
        log.info("sign-in response not used: %s", type(error).__name__)
        if self.session.may_restart_automatically(error):
            self.sign_in(f"{error} Starting sign-in again…")
            return
        if isinstance(error, UnknownState):
            self.show_callback_error("This sign-in was not started here", str(error), (("Sign in", "sign_in"),))
        else:
            title = "Sign-in did not complete"
            self.show_callback_error(title, str(error), (("Try again", "sign_in"),))

    # -- sign-in and sign-out -------------------------------------------------------------------------------------
    def sign_in(self, message: str = "Taking you to PlaceOS sign-in…") -> None:
        try:
            url = self.session.sign_in_url(self.model.place.path())
        except SignInLoop as error:
            self.show_callback_error("Sign-in stopped", str(error), (("Try again", "reset_loop"),))
            return
        self._leaving = True
        if self.model.screen != "app":
            self.model.screen = "loading"
            self.model.message = message
            self.show()
        self.navigator.assign(url)

    async def sign_out(self) -> None:
        """Revoke (RFC 7009), then send the browser to PlaceOS's logout_url, as PlaceOS's own client does: only a
        top-level navigation carries the PlaceOS session cookie to a PlaceOS on another origin (which sends no
        CORS headers), and without it the next "Sign in" on a shared computer would need no password."""
        token = self.session.token()
        self.session.forget()
        self.model = Model(screen="loading", message="Signing you out of PlaceOS…")
        self.show()
        self.broadcast(SIGNED_OUT)
        if token is not None:
            for request in revocation_requests(self.config, token):
                await self._send_quietly(request, "sign-out")
        logout_url = await self._logout_url()
        self.session.note_signed_out()
        self._leaving = True
        self.navigator.assign(logout_url)

    async def _send_quietly(self, request: HttpRequest, purpose: str) -> HttpResponse | None:
        """Best effort: a PlaceOS that cannot be reached (or refuses CORS) must not stop a sign-out."""
        try:
            response = await self.transport.send(request)
        except OSError:
            log.info("%s: %s not reachable from this page", purpose, urlsplit(request.url).path)
            return None
        log.info("%s: %s %s -> %d", purpose, request.method, urlsplit(request.url).path, response.status)
        return response

    async def _logout_url(self) -> str:
        """The authority's logout_url (PlaceOS may point it at its SSO), with `continue` back to this app."""
        base = self.config.placeos_base
        target = base + "/auth/logout"
        response = await self._send_quietly(HttpRequest("GET", base + "/auth/authority"), "sign-out")
        if response is not None and response.status == 200:
            try:
                value = json.loads(response.body).get("logout_url")
            except (ValueError, AttributeError, RecursionError):
                value = None
            if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
                target = base + value
            elif isinstance(value, str) and value.startswith("https://"):
                target = value
        return target + ("&" if "?" in target else "?") + urlencode({"continue": self.config.redirect_uri})

    # -- data -----------------------------------------------------------------------------------------------------
    async def load(self) -> None:
        self._generation += 1
        generation = self._generation
        place = self.model.place
        self.model.loading = True
        self.model.list_error = ""
        self.show()
        try:
            if self.model.user is None:
                self.model.user = await self.api.current_user()
            if place.system:
                self.model.detail = None
                detail = await self.api.system(place.system)
                if generation != self._generation:
                    return
                self.model.detail = detail
            else:
                page = await self.api.systems(q=place.q, offset=place.offset, limit=PAGE_SIZE)
                if generation != self._generation:
                    return
                self.model.systems, self.model.total = page.items, page.total
                self.model.has_next = page.next_url is not None
            self.session.signed_in_ok()
        except AuthRequired:
            if generation == self._generation:
                self.auth_required("PlaceOS no longer accepts your sign-in.")
        except ApiError as error:
            if generation == self._generation:
                reference = f" (reference {error.request_id})" if error.request_id else ""
                self.model.list_error = f"{error}{reference}"
        finally:
            if generation == self._generation:
                self.model.loading = False
                self.show("detail-title" if place.system and self.model.detail else None)

    def _may_refresh(self) -> bool:
        token = self.session.token()
        recently = self._last_refresh_at is not None and self.clock() - self._last_refresh_at < REFRESH_SPACING_S
        return bool(token and token.refresh_token) and not self._refreshing and not recently

    async def refresh(self, reason: str, reload: bool) -> None:
        """The code flow's silent renewal; if it is refused, the ordinary sign-in path takes over."""
        self._refreshing = True
        self._last_refresh_at = self.clock()
        try:
            renewed = await self.session.refresh(self.transport)
        except OSError:
            # Offline: keep the refresh token; tick() tries again every REFRESH_SPACING_S.
            if self.session.valid_token() is None:
                self.model.expiry_notice = Notice(
                    "error", "Your session has ended and PlaceOS cannot be reached to renew it; the app keeps trying."
                )
                self.show()
            return
        finally:
            self._refreshing = False
        if renewed is None:
            self.auth_required(reason)
            return
        self.model.expiry_notice = None
        self.show()
        if reload:
            await self.load()

    def auth_required(self, reason: str) -> None:
        """Expired or refused: say so and keep what is on screen; a kiosk signs in again by itself."""
        if self._may_refresh():
            self.spawn(self.refresh(reason, reload=True))
            return
        self.session.forget()
        if self.config.kiosk:
            self.sign_in()
            return
        self.model.expiry_notice = Notice(
            "error", f"{reason} Sign in again to continue; what you see stays here.", (("Sign in again", "sign_in"),)
        )
        self.show()

    # -- expiry ---------------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Re-checked every second and on wake (visibilitychange, online, pageshow): wall-clock time decides."""
        if self.config.kiosk:
            self._kiosk_watchdog()
        if self.model.screen != "app" or self._leaving:
            return
        token = self.session.token()
        if token is None:
            if not (self.model.expiry_notice and self.model.expiry_notice.kind == "error"):
                self.auth_required("Your session has ended.")
            return
        remaining = token.remaining(self.clock())
        if token.refresh_token and 0 < remaining <= max(self.config.expiry_warning_s, 60) and self._may_refresh():
            self.spawn(self.refresh("Your session has ended.", reload=False))  # ahead of expiry, no prompt
        elif remaining <= 0:
            self.auth_required("Your session has ended.")
        elif token.refresh_token:
            return  # renewal is under way or will be retried; no prompt to stay signed in
        elif remaining <= self.config.expiry_warning_s:
            if self.config.kiosk:
                self.sign_in()  # renew ahead of expiry while the sign-in service still has a session
                return
            if self._expiry_dismissed_at is not None:
                return
            notice = Notice(
                "warn",
                f"Your session ends in {minutes(remaining)}. Stay signed in?",
                (("Stay signed in", "sign_in"), ("Dismiss", "dismiss_expiry")),
            )
            if notice != self.model.expiry_notice:
                self.model.expiry_notice = notice
                self.show()
        elif self.model.expiry_notice is not None:
            self.model.expiry_notice = None
            self.show()

    def _kiosk_watchdog(self) -> None:
        """A kiosk must never need a person: whatever stopped it (no network, a refused sign-in, the loop
        breaker), it tries again by itself, backing off."""
        stuck = self.model.screen == "callback_error" or (
            self.model.screen == "app" and bool(self.model.list_error) and not self.model.loading
        )
        now = self.clock()
        if not stuck:
            self._kiosk_stuck_since, self._kiosk_retries = None, 0
            return
        if self._kiosk_stuck_since is None:
            self._kiosk_stuck_since = now
            return
        if now - self._kiosk_stuck_since < KIOSK_RETRY_S[min(self._kiosk_retries, len(KIOSK_RETRY_S) - 1)]:
            return
        self._kiosk_retries += 1
        self._kiosk_stuck_since = None
        log.info("kiosk: retrying by itself (attempt %d)", self._kiosk_retries)
        if self.model.screen == "callback_error":
            self.session.loop.reset()
            self.sign_in()
        else:
            self.spawn(self.load())

    def online(self) -> None:
        self.tick()
        if self.model.screen == "app" and self.model.list_error:
            self.spawn(self.load())

    # -- other tabs ---------------------------------------------------------------------------------------------
    def message_from_other_tab(self, message: str) -> None:
        """Another tab signed out: this one's token died with the logout, so say so now, not at the next 401."""
        if message == SIGNED_OUT and self.model.screen in ("app", "loading"):
            self.session.forget()
            self.model = Model(place=self.model.place)
            self.show_signed_out("You signed out in another tab.")

    def token_changed_elsewhere(self) -> None:
        """With a shared (localStorage) token, another tab signed in again or signed out."""
        token = self.session.valid_token()
        if token is not None and (self.model.screen != "app" or self.model.expiry_notice is not None):
            log.info("adopting the token another tab received, %s", token.access_token)
            self._leaving = False
            self.model.expiry_notice = None
            self.model.screen = "app"
            self.show()
            self.spawn(self.load())
        elif token is None:
            self.tick()

    # -- navigation -----------------------------------------------------------------------------------------------
    def go(self, place: Place, focus_back: str | None = None) -> None:
        self.model.place = place
        self.navigator.push(place.path())
        self.spawn(self._load_then_focus(focus_back))

    async def _load_then_focus(self, focus: str | None) -> None:
        await self.load()
        if focus:
            self.show(focus)

    def history_moved(self, path: str) -> None:
        if self.model.screen != "app":
            return
        self.model.place = place_from(path)
        self.spawn(self.load())

    def dispatch(self, action: str, arg: str = "", form: dict[str, str] | None = None) -> None:
        place = self.model.place
        if action == "sign_in":
            self.sign_in()
        elif action == "reset_loop":
            self.session.loop.reset()
            self.sign_in()
        elif action == "sign_out":
            self.spawn(self.sign_out())
        elif action == "search":
            self.go(Place(q=(form or {}).get("q", "").strip()[:200]))
        elif action == "page" and (offset := ascii_int(arg, MAX_OFFSET_DIGITS)) is not None:
            self.go(Place(q=place.q, offset=offset))
        elif action == "open" and arg:
            self.go(Place(q=place.q, offset=place.offset, system=arg))
        elif action == "back":
            self.go(Place(q=place.q, offset=place.offset), focus_back=f"row-{place.system}")
        elif action == "reload":
            self.spawn(self.load())
        elif action == "dismiss_expiry":
            self._expiry_dismissed_at = self.clock()
            self.model.expiry_notice = None
            self.show()
        elif action == "dismiss_notice":
            self.model.notice = None
            self.show()
        else:
            log.warning("unknown action %r", action)


def default_spawn(coroutine: Coroutine[Any, Any, None]) -> object:
    return asyncio.ensure_future(coroutine)


__all__ = ["App", "Navigator", "Screen"]
