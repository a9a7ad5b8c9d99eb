"""The only code that touches the browser (`js`, `pyodide`): the ports of app.ports over web storage, fetch, history
and the DOM (ports, dom), the loader's hand-over, and the page's events wired to the controller (events). Imported
only inside Pyodide; stubs/ types the `js` and `pyodide` names it uses.
"""

from __future__ import annotations

from app.browser.dom import DomScreen, action_of, closest_action, form_values, frame_response
from app.browser.events import wire
from app.browser.ports import (
    BrowserSocket,
    Channel,
    ConsoleHandler,
    Early,
    FetchTransport,
    Handoff,
    LocationNavigator,
    WebStorage,
    action_wanted,
    log_to_console,
    page_url,
    to_js_bytes,
    web_storage,
)
from app.browser.window import (
    cookies_written,
    copy_text,
    every,
    exclusive,
    listen,
    reload_page,
    set_cookie,
    viewport,
    watch_changes,
    zone_clock,
    zone_time,
)

__all__ = [
    "BrowserSocket",
    "Channel",
    "ConsoleHandler",
    "Early",
    "DomScreen",
    "FetchTransport",
    "Handoff",
    "LocationNavigator",
    "WebStorage",
    "action_of",
    "action_wanted",
    "exclusive",
    "set_cookie",
    "cookies_written",
    "reload_page",
    "watch_changes",
    "zone_clock",
    "zone_time",
    "closest_action",
    "copy_text",
    "every",
    "form_values",
    "frame_response",
    "listen",
    "log_to_console",
    "page_url",
    "to_js_bytes",
    "viewport",
    "web_storage",
    "wire",
]
