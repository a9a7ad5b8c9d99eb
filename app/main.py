"""Composition root: called once by static/boot.js with what the loader captured, it builds the real ports,
wires them to the controller and the page's events, and starts the app.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import time
from typing import Any

from .api import PlaceOSClient
from .config import ClientConfig
from .controller import App, default_spawn
from .errors import ConfigError
from .oauth import split_response
from .redact import log
from .session import TOKEN_KEY, AuthSession
from .view import centered

app: App | None = None  # the running app, for developers poking at it from the console: pyodide.pyimport


def new_state() -> str:
    return secrets.token_urlsafe(32)  # 256 bits from crypto.getRandomValues (RFC 6749 §10.10)


def bytecode_archive() -> Any:
    """The app's compiled modules as a zip in a JS Uint8Array, for the loader to keep (see app.bytecode)."""
    from pathlib import Path

    from pyodide.ffi import to_js

    from .bytecode import compiled_archive

    return to_js(compiled_archive(Path(__file__).parent))


async def start(handoff: Any) -> None:
    global app
    from . import browser

    # A start-up snapshot freezes the random module's state: every restored visit would repeat the same
    # sequence. Reseed from crypto.getRandomValues (the secrets module never used that state).
    random.seed()
    log.setLevel(logging.INFO)
    if not any(isinstance(handler, browser.ConsoleHandler) for handler in log.handlers):
        log.addHandler(browser.ConsoleHandler())  # once, though the loader's "Try again" may call start again
    import js
    from pyodide.ffi import jsnull

    root = js.document.getElementById("app")
    screen = browser.DomScreen(root)
    try:
        config = ClientConfig.from_mapping(json.loads(str(handoff.config)), str(js.location.href))
    except (ConfigError, ValueError) as error:
        screen.render([centered("The app is misconfigured", str(error), ())], "screen-title")
        return
    # The fragment was captured by the loader before Python started; expiry counts from that moment.
    received_at = float(handoff.capturedAt) / 1000 if handoff.capturedAt else time.time()
    session_storage = browser.web_storage("session")
    token_storage = browser.web_storage("local") if config.storage == "local" else session_storage
    session = AuthSession(
        config, session_storage=session_storage, token_storage=token_storage, clock=time.time, new_state=new_state
    )
    transport = browser.FetchTransport()
    api = PlaceOSClient(config, transport, session.token, clock=time.time, sleep=asyncio.sleep)
    channel = browser.Channel("placeos-auth")
    app = App(
        config, session, api, transport, browser.LocationNavigator(), screen, time.time, default_spawn, channel.post
    )
    running = app
    channel.on_message(running.message_from_other_tab)

    def on_click(event: Any) -> None:
        target = browser.closest_action(event)
        if target is None or str(target.tagName) == "FORM":
            return
        event.preventDefault()
        running.dispatch(*browser.action_of(target))

    def on_submit(event: Any) -> None:
        target = browser.closest_action(event)
        if target is None:
            return
        event.preventDefault()
        running.dispatch(browser.action_of(target)[0], "", browser.form_values(target))

    browser.listen(root, "click", on_click)
    browser.listen(root, "submit", on_submit)
    browser.listen(js.document, "visibilitychange", lambda event: running.tick())
    browser.listen(js.window, "pageshow", lambda event: running.tick())
    browser.listen(js.window, "online", lambda event: running.online())
    browser.listen(js.window, "popstate", lambda event: running.history_moved(browser.LocationNavigator().current()))

    def on_hash_change(event: Any) -> None:
        # A sign-in response can arrive without a page load (a pasted or replayed callback URL): it leaves the
        # address bar and history at once, like one captured by the loader.
        response, _ = split_response(str(js.location.hash))
        if response:
            js.history.replaceState(jsnull, "", str(js.location.pathname) + str(js.location.search))
            running.receive_callback(response, time.time())

    browser.listen(js.window, "hashchange", on_hash_change)

    def on_storage(event: Any) -> None:
        # Fired only in the other tabs, and only for localStorage: a kiosk tab renewed or dropped the token.
        if str(event.key or "") == TOKEN_KEY and config.storage == "local":
            running.token_changed_elsewhere()

    browser.listen(js.window, "storage", on_storage)
    browser.every(1.0, running.tick)
    await running.start(str(handoff.fragment or ""), received_at, str(handoff.query or ""))
