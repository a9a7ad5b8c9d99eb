"""The app's behaviour, over the ports, so every story runs under CPython in tests (app.main wires the real ones).

Decisions live in their own units: the flow (app.flows), the sign-in's return (app.arrival), the token's upkeep
(app.upkeep), live state (app.live), what a person reads (app.browse). This class dispatches and shows screens."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from app.api.client import PlaceOSClient
from app.api.realtime import Connect, Realtime
from app.auth.flows import Flow
from app.auth.session import AuthSession
from app.auth.signout import sign_out
from app.browse.place import Place, place_from
from app.browse.rooms import Browse
from app.core.config import ClientConfig
from app.core.errors import SignInLoop
from app.core.ports import Clock, Exclusive, Frame, Navigator, Screen, Transport, ZoneTime, run_alone
from app.core.redact import log
from app.core.urls import origin_of
from app.shell.arrival import Arrival
from app.shell.live import Live
from app.shell.model import Model
from app.shell.tabs import SIGNED_OUT, OtherTabs
from app.shell.upkeep import NO_ANSWER, RENEWED, Upkeep
from app.shell.view import render, title
from app.ui.elements import El
from app.ui.screens import Actions, CallbackFailed, Leaving, SignedOut, Working
from app.ui.words import local_zone_time

if TYPE_CHECKING:  # the board, the console and the doctor load when first needed: most pages use none of them
    from app.console.repl import PythonConsole
    from app.doctor.runner import CopyText, Doctor
    from app.kiosk.board import Board, Viewport

Spawn = Callable[[Coroutine[Any, Any, object]], object]


class App:
    def __init__(
        self,
        *,
        config: ClientConfig,
        session: AuthSession,
        flow: Flow,
        api: PlaceOSClient,
        transport: Transport,
        navigator: Navigator,
        screen: Screen,
        clock: Clock,
        spawn: Spawn,
        broadcast: Callable[[str], None] = lambda message: None,
        realtime: Realtime | None = None,
        frame: Frame | None = None,
        exclusive: Exclusive = run_alone,
        viewport: Viewport = lambda: (1920.0, 1080.0),
        console: PythonConsole | None = None,
        copy_text: CopyText | None = None,
        connect: Connect | None = None,
        zone_time: ZoneTime = local_zone_time,
    ) -> None:
        self.config = config
        self.session = session
        self.flow = flow
        self.api = api
        self.transport = transport
        self.navigator = navigator
        self.screen = screen
        self.clock = clock
        self.zone_time = zone_time  # a time as it is read in a room's time zone (Intl in the browser)
        self.spawn = spawn
        self.broadcast = broadcast  # tells this app's other tabs (BroadcastChannel in the browser)
        self.live = Live(self, realtime)
        self.frame = frame  # renewals in a hidden frame (implicit flow); None: renewal leaves the page
        self.exclusive = exclusive  # one tab at a time renews a token they share
        self.model = self.fresh_model()
        self.upkeep = Upkeep(self)
        self.board: Board | None = None
        if config.kiosk:  # a kiosk shows the board, not the browser
            from app.kiosk.board import Board

            self.board = Board(self, viewport)
        self.browse = Browse(self)
        self.tabs = OtherTabs(self)
        self.console = console  # the developers' Python console, where the configuration has it
        self._doctor_ports = (copy_text, connect)
        self._doctor: Doctor | None = None
        self.sign_in_outcome = "no sign-in returned to this tab yet"  # for the doctor's report
        self.arrival = Arrival(self)
        self.shown: list[El] | None = None  # the screen as last rendered
        self.painted = False  # the loader drew this tab's last page (app.browse keeps it until fresh data)

    def fresh_model(self, **values: Any) -> Model:
        origins = tuple(dict.fromkeys(origin_of(u) for u in (self.config.placeos_base, self.config.redirect_uri)))
        return Model(base_path=self.config.base_path, image_origins=origins, **values)

    @property
    def doctor(self) -> Doctor:
        """The auth doctor ("Why?"), made when first asked for."""
        if self._doctor is None:
            from app.doctor.runner import Doctor

            self._doctor = Doctor(self, *self._doctor_ports)
        return self._doctor

    # -- screens --------------------------------------------------------------------------------------------------
    def show(self, focus: str | None = None) -> None:
        self.model.console = self.console.state if self.console else None
        self.model.doctor = self._doctor.state if self._doctor and self._doctor.state.open else None
        if self.browse.keeps_painted():
            return
        nodes = render(self.model)
        if nodes != self.shown or focus:  # the same screen again (a tick) leaves the page alone
            self.shown = nodes
            self.screen.render(nodes, focus)
            self.screen.set_title(title(self.model))

    @property
    def working(self) -> bool:
        return isinstance(self.model.screen, Working)

    def show_signed_out(self, message: str = "") -> None:
        self.model.screen = SignedOut(message) if message else SignedOut()
        self.show("screen-title")

    def show_callback_error(self, title: str, message: str, actions: Actions) -> None:
        kiosk = " This display will try again by itself." if self.config.kiosk else ""
        self.sign_in_outcome = f"{title}: {message}"
        self.model.screen = CallbackFailed(title, message + kiosk, (*actions, ("Why?", "doctor")))
        self.show("screen-title")

    def enter_app(self) -> None:
        self.model.expiry_notice = None
        self.model.screen = Working()
        if self.board is not None:
            self.board.enter()
        self.show()
        self.spawn(self.load())
        self.live.start()

    # -- start and the sign-in's return ---------------------------------------------------------------------------
    async def start(self, fragment: str, received_at: float, query: str = "") -> None:
        """`fragment` and `query` hold only the authorization-response parameters the loader took from the
        address bar (nothing else of the URL)."""
        self.model.place = place_from(self.navigator.current())
        signed_out_here = self.session.take_signed_out()
        saved = self.board is not None and self.board.paint_saved()  # a kiosk's last state, at once
        if not await self.arrival.receive({"fragment": fragment, "query": query}, received_at):
            return
        token = self.session.token()
        if token is None and not self.config.kiosk and (await self.tabs.borrow() or await self.tabs.renew_quietly()):
            token = self.session.token()  # a new tab, opened from a signed-in one
        if token is not None and token.remaining(self.clock()) > 0:
            self.enter_app()
            return
        if token is not None:
            self.session.forget()
        if saved and await self.upkeep.renew_in_frame() in (RENEWED, NO_ANSWER):
            self.enter_app()  # renewed, or PlaceOS unreachable: the board stays, says so, and keeps trying
        elif self.config.kiosk:
            self.sign_in()  # PlaceOS has no session: a person signs in (what a rebooted kiosk may need)
        elif signed_out_here:
            self.show_signed_out("You have signed out.")
        else:
            expired = "Your session has ended. Sign in again to pick up where you left off."
            self.show_signed_out(expired if token is not None else "")

    def receive_callback(self, fragment: str, received_at: float) -> None:
        """An authorization response that arrived while the app runs (a same-document hash change)."""

        async def arrive() -> None:
            if await self.arrival.receive({"fragment": fragment}, received_at) and self.session.valid_token():
                self.enter_app()

        self.spawn(arrive())

    # -- sign-in and sign-out -------------------------------------------------------------------------------------
    def sign_in(self, message: str = "Taking you to PlaceOS sign-in…") -> None:
        try:
            url = self.flow.sign_in_url(self.model.place.path(self.config.base_path))
        except SignInLoop as error:
            self.show_callback_error("Sign-in stopped", str(error), (("Try again", "reset_loop"),))
            return
        over_app = self.working
        self.model.screen = Leaving("Signing in…", message, over_app=over_app)
        if not over_app:  # from the app, its data stays on screen until the page goes
            self.show()
        self.navigator.assign(url)

    async def sign_out(self) -> None:
        token = self.session.token()
        self.session.forget_everywhere()
        self.session.forget_view()
        self.model = self.fresh_model(screen=Leaving("Signing out…", "Signing you out of PlaceOS…"))
        self.show()
        self.broadcast(SIGNED_OUT)
        await self.live.stop()
        logout_url = await sign_out(self.config, self.transport, self.flow.revocations(token) if token else [])
        self.session.note_signed_out()
        self.navigator.assign(logout_url)

    # -- data -----------------------------------------------------------------------------------------------------
    async def load(self) -> None:
        """Read what the screen shows from PlaceOS: the board's rooms, or the person's list or system."""
        await (self.board or self.browse).refresh()

    def tick(self) -> None:
        """Re-checked every second and on wake (visibilitychange, online, pageshow): wall-clock time decides."""
        self.upkeep.tick()
        if self.board is not None and self.working:
            self.board.tick()

    def online(self) -> None:
        self.tick()
        if self.working and self.model.list_error:
            self.spawn(self.load())

    # -- navigation -----------------------------------------------------------------------------------------------
    def go(self, place: Place, focus_back: str | None = None, replace_entry: bool = False) -> None:
        self.model.place = place
        path = place.path(self.config.base_path)
        self.navigator.replace(path) if replace_entry else self.navigator.push(path)
        self.spawn(self._load_then_focus(focus_back))

    async def _load_then_focus(self, focus: str | None) -> None:
        await self.load()
        if focus:
            self.show(focus)

    def history_moved(self, path: str) -> None:
        if not self.working:
            return
        self.model.place = place_from(path)
        self.spawn(self.load())

    def dispatch(self, action: str, arg: str = "", form: dict[str, str] | None = None) -> None:
        if action == "sign_in":
            self.sign_in()
        elif action == "reset_loop":
            self.session.loop.reset()
            self.sign_in()
        elif action == "sign_out":
            self.spawn(self.sign_out())
        elif self.browse.act(action, arg, form or {}) or self.upkeep.act(action):
            pass
        elif action == "reload":
            self.spawn(self.load())
        elif action == "dismiss_notice":
            self.model.notice = None
            self.show()
        elif action.startswith("doctor"):
            self.doctor.act(action)
        elif action.startswith("console_") and self.console is not None:
            self.console.act(action, (form or {}).get("source", ""), self.spawn)
        else:
            log.warning("unknown action %r", action)


__all__ = ["App", "Navigator", "SIGNED_OUT", "Screen", "Spawn", "place_from"]
