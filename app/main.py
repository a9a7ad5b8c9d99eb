"""Composition root: called once by static/boot.js with what the loader captured, it builds the real ports,
picks the flow, wires them to the controller and the page's events (app.browser), and starts the app.

No `js` here: app.browser is the only module that touches the page.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import TYPE_CHECKING, Any

from app.api.client import PlaceOSClient
from app.api.early_answers import EarlyAnswers
from app.api.live import Live
from app.api.realtime import Address, Connect, Realtime, opener
from app.api.socket_auth import CookieAuth, NoToken, socket_token
from app.auth.flows import CodeFlow, Flow, ImplicitFlow
from app.auth.session import AuthSession
from app.core.config import ClientConfig
from app.core.errors import ApiError, ConfigError
from app.core.ports import Storage, Transport
from app.shell.controller import App
from app.shell.units import Ports
from app.shell.view import centered
from app.ui.screens import SignedOut

if TYPE_CHECKING:
    from app.console.repl import PythonConsole

app: App | None = None  # the running app, for developers poking at it from the console: pyodide.pyimport


def new_state() -> str:
    return secrets.token_urlsafe(32)  # 256 bits from crypto.getRandomValues (RFC 6749 §10.10)


def new_verifier() -> str:
    return secrets.token_urlsafe(64)  # RFC 7636 §4.1: 86 characters, 512 bits


def default_spawn(coroutine: Coroutine[Any, Any, object]) -> object:
    return asyncio.ensure_future(coroutine)


def make_flow(config: ClientConfig, session: AuthSession, transport: Transport) -> Flow:
    """The one place that reads which flow the configuration asks for."""
    if config.flow == "code":
        return CodeFlow(config, session, transport=transport, clock=time.time, new_verifier=new_verifier)
    return ImplicitFlow(config, session)


def answers_over_http(api: PlaceOSClient) -> Callable[[], Awaitable[bool]]:
    """Whether PlaceOS answers the kept token over HTTP now: asked before a websocket opens again after a failure
    (app.api.realtime), so that the browser has no failed socket's URL, token included, to print."""

    async def answers() -> bool:
        try:
            await api.current_user()
        except (ApiError, OSError):
            return False
        return True

    return answers


def browser_console() -> Any:
    """app.browser.console, imported when the console is first used (it imports pyodide.console, which the
    start-up path does without)."""
    from app.browser import console

    return console


def bytecode_archive() -> Any:
    """The app's compiled modules as a zip in a JS Uint8Array, for the loader to keep (see app.core.bytecode)."""
    from pathlib import Path  # not at start-up: pathlib is needed only here, in idle time

    from app import browser
    from app.core.bytecode import compiled_archive

    return browser.to_js_bytes(compiled_archive(Path(__file__).parent))


def import_all() -> None:
    """Every module of the app (but app.core.bytecode, which is for idle time), for the start-up snapshot the loader
    makes (static/boot-cache.mjs): a start restored from it imports nothing, and what loads later (the doctor, the
    console) is in memory already. Importing them runs no code that holds a browser object, which a snapshot
    could not keep: app.browser touches `js` only when called."""
    import importlib
    import pkgutil

    package = importlib.import_module(__package__ or "app")
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if module.name != f"{package.__name__}.core.bytecode":
            importlib.import_module(module.name)


async def start(handoff: Any) -> None:
    """Build the real ports from what the loader captured, compose the app over them, and start it."""
    global app
    from app import browser

    # A start-up snapshot freezes the random module's state: every restored visit would repeat the same
    # sequence. Reseed from crypto.getRandomValues (the secrets module never used that state).
    random.seed()
    browser.log_to_console()
    captured = browser.Handoff.read(handoff)
    screen = browser.DomScreen.of_app()
    try:
        config = ClientConfig.from_mapping(json.loads(captured.config), browser.page_url())
    except (ConfigError, ValueError) as error:
        screen.render([centered("The app is misconfigured", str(error), ())], "screen-title")
        return
    session_storage = browser.web_storage("session")
    session = _session(config, session_storage, browser.web_storage("local"))
    transport = browser.FetchTransport()
    channel = browser.Channel("placeos-auth")
    early = browser.Early.read(handoff)
    kept = session.token()
    answers = early.answers if early and kept and kept.expires_at == early.token_expires_at else {}
    early_answers = EarlyAnswers(transport, answers, time.time, early.asked_at if early else 0.0)
    api = PlaceOSClient(config, early_answers, session.token, clock=time.time, sleep=asyncio.sleep)
    connect, auth = live_transport(config, api, browser.BrowserSocket.open, browser.set_cookie, browser.cookies_written)
    live = _live(config, session, connect, auth, api)
    running = App(
        Ports(
            config=config,
            session=session,
            flow=make_flow(config, session, transport),
            api=api,
            transport=transport,
            navigator=browser.LocationNavigator(),
            screen=screen,
            clock=time.time,
            spawn=default_spawn,
            broadcast=channel.post,
            live=live,
            frame=browser.frame_response,
            exclusive=browser.exclusive,
            viewport=browser.viewport,
            copy_text=browser.copy_text,
            connect=opener(config.realtime_url, connect, auth),  # the doctor opens none where PlaceOS is elsewhere
            zone_time=browser.zone_time,
            zone_clock=browser.zone_clock,
            reload_page=browser.reload_page,
        )
    )
    if config.console:  # a developer's build; nothing of the console loads in one without it
        running.console = developers_console(running, session_storage)
    app = running
    running.browse.painted = captured.painted and not config.kiosk
    browser.wire(running, channel, shared_token=config.storage == "local")
    if config.reload and (pages := running.browse.pages) is not None:  # serve.py --reload: each save shows here
        browser.watch_changes(config.base_path + "_dev/changes", pages.saved)
    await running.start(captured.fragment, captured.received_at, captured.query)
    if browser.action_wanted(handoff) == "sign_in" and isinstance(running.model.screen, SignedOut):
        running.dispatch("sign_in")  # pressed on the first visit's card (server/first_screen.py) before Python was up


def _session(config: ClientConfig, session_storage: Storage, local_storage: Storage) -> AuthSession:
    token_storage = local_storage if config.storage == "local" else session_storage
    return AuthSession(
        config,
        session_storage=session_storage,
        token_storage=token_storage,
        clock=time.time,
        new_state=new_state,
        shared_storage=local_storage,
    )


def live_transport(
    config: ClientConfig,
    api: PlaceOSClient,
    connect: Connect,
    set_cookie: Callable[[str], None],
    written: Callable[[], Awaitable[None]],
) -> tuple[Connect, Address]:
    """How live state reaches the page, with no token in any URL (app.api.socket_auth): PlaceOS's websocket with a
    cookie on its path where PlaceOS serves this origin, else rest-api's module state over HTTP."""
    if config.placeos_on_page_origin:
        return connect, CookieAuth(set_cookie, written)
    from app.api.http_socket import http_connect

    state = partial(api.get_object, what="a module's state")
    return http_connect(state, asyncio.sleep, default_spawn), NoToken()


def _live(config: ClientConfig, session: AuthSession, connect: Connect, auth: Address, api: PlaceOSClient) -> Live:
    """The page's one live connection, its values published to whoever subscribes (the board, a room's detail)."""
    live = Live(None, spawn=default_spawn, clock=time.time, on_connected=session.signed_in_ok)
    live.realtime = Realtime(
        config.realtime_url,
        lambda: socket_token(session.token(), time.time()),
        connect,
        auth,
        sleep=asyncio.sleep,
        rng=random.Random(),
        on_value=live.value,
        on_state=live.connection,
        on_retry=live.retrying,
        on_missing=live.missing,
        answers=answers_over_http(api),
        speaks_exec=config.placeos_on_page_origin,  # elsewhere the "socket" is rest-api over HTTP
    )
    return live


def developers_console(running: App, storage: Storage) -> PythonConsole:
    """The in-page Python console, its namespace the running app's: `api`, `app`, `config` and `doctor()`."""
    from app.api.developer import DeveloperApi
    from app.console.repl import PythonConsole

    async def doctor() -> None:
        """`await doctor()` in the console: the auth doctor's report, printed."""
        print(await running.doctor.report())

    return PythonConsole(
        storage,
        lambda namespace, out, err: browser_console().pyodide_engine(namespace, out, err),
        lambda: {
            "api": DeveloperApi(running.api, running.live),
            "app": running,
            "config": running.config,
            "doctor": doctor,
        },
        running.show,
        prepare=lambda source: browser_console().local_micropip(source),
    )


__all__ = [
    "answers_over_http",
    "app",
    "bytecode_archive",
    "developers_console",
    "import_all",
    "make_flow",
    "new_state",
    "new_verifier",
    "start",
]
