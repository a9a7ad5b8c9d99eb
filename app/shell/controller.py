"""The app's behaviour, over the ports, so every story runs under CPython in tests (app.main wires the real ones).
It holds the units app.shell.units composes, dispatches the page's actions to them, applies what they decide (the
sign-in's return is a value from app.shell.sign_in_return), and shows the screen they share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.api.early_answers import MAX_EARLY
from app.auth.signout import sign_out
from app.browse.place import place_from
from app.browse.state import BrowseState
from app.core.errors import SignInLoop
from app.core.redact import log
from app.shell.frame_renewal import NO_ANSWER, RENEWED
from app.shell.model import Model
from app.shell.sign_in_return import Decision, Failed, Proceed, Restart
from app.shell.tabs import SIGNED_OUT
from app.shell.units import Ports, compose
from app.shell.view import render, title
from app.ui.elements import El, to_data
from app.ui.screens import Actions, CallbackFailed, Leaving, Loading, SignedOut, Working

if TYPE_CHECKING:  # the console and the doctor load when first needed: most pages use neither
    from app.console.repl import PythonConsole
    from app.doctor.runner import Doctor


class App:
    def __init__(self, ports: Ports) -> None:
        self.ports = ports
        self.config, self.session, self.api, self.navigator = ports.config, ports.session, ports.api, ports.navigator
        self.clock, self.spawn = ports.clock, ports.spawn
        self.model = Model(browse=BrowseState.for_config(ports.config))
        self.shown: list[El] | None = None  # the screen as last rendered
        self.console: PythonConsole | None = None  # the developers' Python console, where the configuration has it
        self._doctor: Doctor | None = None
        self.sign_in_outcome = "no sign-in returned to this tab yet"  # for the doctor's report
        units = self.units = compose(self, ports)
        self.live, self.keeper, self.board = units.live, units.keeper, units.board
        self.browse, self.tabs, self.sign_in_return = units.browse, units.tabs, units.sign_in_return

    @property
    def doctor(self) -> Doctor:
        """The auth doctor ("Why?"), made when first asked for."""
        if self._doctor is None:
            from app.doctor.runner import Doctor

            ports = self.ports
            self._doctor = Doctor(
                self,
                self.config,
                transport=ports.transport,
                session=self.session,
                api=self.api,
                sign_in_outcome=lambda: self.sign_in_outcome,
                copy_text=ports.copy_text,
                connect=ports.connect,
            )
        return self._doctor

    # -- screens --------------------------------------------------------------------------------------------------
    def show(self, focus: str | None = None) -> None:
        model = self.model
        model.expiry_notice = self.keeper.notice
        model.board = self.board.state if self.board is not None and self.board.drawn else None
        if self.browse.keeps_painted(said=model.notice is not None or model.expiry_notice is not None):
            return
        doctor = self._doctor.state if self._doctor and self._doctor.state.open else None
        nodes = render(model, doctor, self.console.state if self.console else None)
        if nodes != self.shown or focus:  # the same screen again (a tick) leaves the page alone
            self.shown = nodes
            self.ports.screen.render(nodes, focus)
            self.ports.screen.set_title(title(model))

    @property
    def working(self) -> bool:
        return isinstance(self.model.screen, Working)

    def show_signed_out(self, message: str = "") -> None:
        self.model.screen = SignedOut(message) if message else SignedOut()
        self.show("screen-title")
        self.spawn(self.units.registration.check())  # does PlaceOS know this app? (app.shell.registration)

    def show_callback_error(self, title: str, message: str, actions: Actions) -> None:
        kiosk = " This display will try again by itself." if self.config.kiosk else ""
        self.sign_in_outcome = f"{title}: {message}"
        self.model.screen = CallbackFailed(title, message + kiosk, (*actions, ("Why?", "doctor")))
        self.show("screen-title")

    def enter_app(self) -> None:
        self.keeper.notice = None
        self.model.screen = Working()
        if self.board is not None:
            self.board.enter()
        self.show()
        self.spawn(self.load())
        self.live.start()

    def keep_page(self, requested: list[str]) -> None:
        """The page as drawn, for this tab's next load of its address: never after sign-out, where answers land."""
        if self.shown is not None and self.board is None and self.working:
            nodes, features = [to_data(node) for node in self.shown], self.model.browse.features_seen
            self.session.keep_page(self.navigator.current(), nodes, requested[:MAX_EARLY], features)

    def stuck(self) -> bool:
        failed, browse = isinstance(self.model.screen, CallbackFailed), self.model.browse
        return failed or (self.working and bool(browse.list_error) and not browse.loading)

    # -- start and the sign-in's return ---------------------------------------------------------------------------
    async def start(self, fragment: str, received_at: float, query: str = "") -> None:
        """`fragment` and `query` hold only the authorization-response parameters the loader took from the
        address bar (nothing else of the URL)."""
        self.model.browse.place = place_from(self.navigator.current())
        self.model.browse.features_seen.update(self.session.kept_features())  # a reload offers the same filters
        signed_out_here = self.session.take_signed_out()
        saved = self.board is not None and self.board.paint_saved()  # a kiosk's last state, at once
        if not await self._arrive({"fragment": fragment, "query": query}, received_at):
            return
        token = self.session.token()
        if token is None and not self.config.kiosk and (await self.tabs.borrow() or await self.tabs.renew_quietly()):
            token = self.session.token()  # a new tab, opened from a signed-in one
        if token is not None and token.remaining(self.clock()) > 0:
            self.enter_app()
            return
        if token is not None:
            self.session.forget()
        if saved and await self.keeper.renew_in_frame() in (RENEWED, NO_ANSWER):
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
            if await self._arrive({"fragment": fragment}, received_at) and self.session.valid_token():
                self.enter_app()

        self.spawn(arrive())

    async def _arrive(self, arrived: dict[str, str], received_at: float) -> bool:
        """What arrived, checked and applied: True when the app may go on (signed in, or nothing arrived)."""
        found = self.sign_in_return.response_in(arrived)
        if isinstance(found, str):
            self.model.screen = Loading(message="Finishing sign-in…")
            self.show()
            found = await self.sign_in_return.complete(found, received_at)
        return self._apply(found)

    def _apply(self, decision: Decision) -> bool:
        if isinstance(decision, Restart):
            self.sign_in(decision.message)
        elif isinstance(decision, Failed):
            self.show_callback_error(decision.title, decision.message, decision.actions)
        elif decision.back is not None:
            self.navigator.replace(decision.back)
            self.model.browse.place = place_from(decision.back)
        if isinstance(decision, Proceed):
            self.sign_in_outcome = decision.outcome or self.sign_in_outcome
            self.model.notice = decision.notice or self.model.notice
        return isinstance(decision, Proceed)

    # -- sign-in and sign-out -------------------------------------------------------------------------------------
    def sign_in(self, message: str = "Taking you to PlaceOS sign-in…") -> None:
        try:
            url = self.ports.flow.sign_in_url(self.model.browse.place.path(self.config.base_path))
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
        self._forget_screen(Leaving("Signing out…", "Signing you out of PlaceOS…"), keep_place=False)
        self.show()
        self.tabs.broadcast(SIGNED_OUT)
        await self.live.stop()
        logout_url = await sign_out(
            self.config, self.ports.transport, self.ports.flow.revocations(token) if token else []
        )
        self.session.note_signed_out()
        self.navigator.assign(logout_url)

    def _forget_screen(self, screen: Working | Leaving | SignedOut, keep_place: bool) -> None:
        """Nothing of what was on screen stays: a new model, and the rooms list's state with it."""
        place = self.model.browse.place if keep_place else None
        self.model = Model(screen=screen, browse=BrowseState.for_config(self.config, place))
        self.browse.state = self.model.browse
        self.keeper.notice = None

    def signed_out_elsewhere(self) -> None:
        """Another tab signed out: this one's token died with the logout, so say so now, not at the next 401."""
        if isinstance(self.model.screen, Working | Loading):
            self.session.forget()
            self.session.forget_view()
            self._forget_screen(SignedOut(), keep_place=True)
            self.show_signed_out("You signed out in another tab.")

    def token_arrived(self) -> None:
        if not self.working or self.keeper.notice is not None:
            self.enter_app()
            self.spawn(self.live.renewed())

    # -- data -----------------------------------------------------------------------------------------------------
    async def load(self) -> None:
        """Read what the screen shows from PlaceOS: the board's rooms, or the person's list or system."""
        await (self.board or self.browse).refresh()

    def tick(self) -> None:
        """Re-checked every second and on wake (visibilitychange, online, pageshow): wall-clock time decides."""
        self.keeper.tick()
        if self.board is not None and self.working:
            self.board.tick()

    def online(self) -> None:
        self.tick()
        if self.working and self.model.browse.list_error:
            self.spawn(self.load())

    def history_moved(self, path: str) -> None:
        if self.working:
            self.model.browse.place = place_from(path)
            self.spawn(self.load())

    def dispatch(self, action: str, arg: str = "", form: dict[str, str] | None = None) -> None:
        if action == "sign_in":
            self.sign_in()
        elif action == "reset_loop":
            self.session.loop.reset()
            self.sign_in()
        elif action == "sign_out":
            self.spawn(self.sign_out())
        elif self.browse.act(action, arg, form or {}) or self.keeper.act(action):
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


__all__ = ["App"]
