"""Which unit gets what. The ports app.main wires to the browser (and tests to fakes), and the app's units, each
built with the host and its own named collaborators and callbacks, nothing else of the app, as the server's route
classes are. The controller (app.shell.controller) composes them once and applies what they decide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from app.api.client import PlaceOSClient
from app.api.live import Live
from app.api.reach import reachability
from app.api.realtime import OpenWith
from app.auth.flows import Flow
from app.auth.session import AuthSession
from app.browse.rooms import Browse
from app.core.config import ClientConfig
from app.core.ports import Clock, Exclusive, Frame, Navigator, Spawn, Transport, ZoneClock, ZoneTime, run_alone
from app.shell.frame_renewal import RENEWED
from app.shell.model import Model
from app.shell.registration import RegistrationCheck
from app.shell.session_keeper import SessionKeeper
from app.shell.sign_in_return import SignInReturn
from app.shell.tabs import OtherTabs
from app.ui.elements import Display
from app.ui.host import Host
from app.ui.screens import Actions, CallbackFailed, Notice, SignedOut
from app.ui.words import local_zone_clock, local_zone_time

if TYPE_CHECKING:  # the board and the doctor load when first needed: most pages use neither
    from app.console.repl import PythonConsole
    from app.doctor.runner import CopyText
    from app.kiosk.board import Board, Viewport
    from app.pages.runner import OwnPages


def _full_hd() -> tuple[float, float]:
    return 1920.0, 1080.0


@dataclass
class Ports:
    """Everything the app reaches the world through: the real browser's in the page, fakes in tests."""

    config: ClientConfig
    session: AuthSession
    flow: Flow
    api: PlaceOSClient
    transport: Transport
    navigator: Navigator
    screen: Display
    clock: Clock
    spawn: Spawn
    broadcast: Callable[[str], None] = lambda message: None  # to this app's other tabs (BroadcastChannel)
    live: Live | None = None  # the page's socket; None: an app without live state
    frame: Frame | None = None  # renewals in a hidden frame (implicit flow); None: renewal leaves the page
    exclusive: Exclusive = run_alone  # one tab at a time renews a token they share (Web Locks)
    viewport: Viewport = field(default=_full_hd)
    copy_text: CopyText | None = None
    connect: OpenWith | None = None
    zone_time: ZoneTime = local_zone_time  # a time as it is read in a room's time zone (Intl in the browser)
    zone_clock: ZoneClock = local_zone_clock  # … and its time of day alone, with the zone's abbreviation
    reload_page: Callable[[], None] = lambda: None  # load the page again, at the same address (serve.py --reload)


class Controls(Host, Protocol):
    """What the units' callbacks reach in the controller."""

    model: Model
    console: PythonConsole | None  # the developers' console, where the configuration has one

    def sign_in(self, message: str = ...) -> None: ...

    async def load(self) -> None: ...

    def tick(self) -> None: ...

    def keep_page(self, requested: list[str]) -> None: ...

    def stuck(self) -> bool: ...

    def signed_out_elsewhere(self) -> None: ...

    def show_callback_error(self, title: str, message: str, actions: Actions) -> None: ...

    def token_arrived(self) -> None: ...


@dataclass
class Units:
    live: Live
    keeper: SessionKeeper
    board: Board | None
    browse: Browse
    tabs: OtherTabs
    sign_in_return: SignInReturn
    registration: RegistrationCheck


def compose(app: Controls, ports: Ports) -> Units:
    """The one list of every unit and what it gets (long on purpose: split, it could not be read whole)."""
    config, session = ports.config, ports.session
    live = ports.live or Live(None, spawn=ports.spawn, clock=ports.clock, on_connected=session.signed_in_ok)
    keeper = SessionKeeper(
        app,
        config,
        session=session,
        flow=ports.flow,
        frame=ports.frame,
        exclusive=ports.exclusive,
        sign_in=app.sign_in,
        renewed=live.renewed,
        reload=app.load,
        place_path=lambda: app.model.browse.place.path(config.base_path),
        stuck=app.stuck,
        callback_failed=lambda: isinstance(app.model.screen, CallbackFailed),
        reachable=reachability(ports.transport, config.placeos_base),
    )
    board = None
    if config.kiosk:  # a kiosk shows the board, not the browser
        from app.kiosk.board import Board

        board = Board(
            app,
            config,
            api=ports.api,
            live=live,
            session=session,
            viewport=ports.viewport,
            auth_required=keeper.auth_required,
            sign_in_retry_at=keeper.next_try_at,
        )
    browse = Browse(
        app,
        app.model.browse,
        api=ports.api,
        live=live,
        session=session,
        navigator=ports.navigator,
        zone_time=ports.zone_time,
        zone_clock=ports.zone_clock,
        auth_required=keeper.auth_required,
        keep_page=app.keep_page,
        pages=own_pages(app, ports, live, keeper.auth_required) if config.pages or config.reload else None,
    )

    async def renew_quietly() -> bool:
        return await keeper.renew_in_frame() == RENEWED

    tabs = OtherTabs(
        app,
        session,
        broadcast=ports.broadcast,
        renew_in_frame=renew_quietly if ports.frame is not None else None,
        signed_out_elsewhere=app.signed_out_elsewhere,
        token_arrived=app.token_arrived,
        token_gone=app.tick,
    )
    registration = RegistrationCheck(
        config,
        transport=ports.transport,
        signed_out=lambda: isinstance(app.model.screen, SignedOut),
        failed=app.show_callback_error,
    )
    return Units(live, keeper, board, browse, tabs, SignInReturn(ports.flow, session, config.base_path), registration)


def own_pages(app: Controls, ports: Ports, live: Live, auth_required: Callable[[str], None]) -> OwnPages:
    """A developer's own pages (serve.py --pages), with the console's `api` over the app's client and socket, and
    the app's own modules swapped in on save (serve.py --reload)."""
    from app.api.developer import DeveloperApi
    from app.browse.rooms import SESSION_ENDED, STALE_SIGN_IN
    from app.pages.app_modules import AppModules
    from app.pages.runner import OwnPages

    config = ports.config
    base = config.redirect_uri[: config.redirect_uri.rfind("/") + 1]

    def report(text: str) -> None:
        if app.console is not None:
            app.console.report(text)

    def notify(notice: Notice | None, replacing: Notice | None) -> None:
        if notice is not None or app.model.notice is replacing:  # never takes away a notice of another's
            app.model.notice = notice

    modules = AppModules(
        app,
        source_url=base + "_dev/",
        transport=ports.transport,
        reload_page=ports.reload_page,
        notify=notify,
        report=report,
    )
    return OwnPages(
        app,
        lambda: app.model.own,
        folder_url=base + config.pages if config.pages else "",
        transport=ports.transport,
        api=DeveloperApi(ports.api, live),
        app_saved=modules.saved,
        auth_required=lambda error: auth_required(SESSION_ENDED if error.expired else STALE_SIGN_IN),
        report=report,
    )


__all__ = ["Controls", "Ports", "Units", "compose", "own_pages"]
