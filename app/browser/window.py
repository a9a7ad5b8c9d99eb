"""The window's own ports: its size (the kiosk board's grid), a lock shared with this origin's other tabs (Web
Locks, so one tab renews a shared token), the clipboard (the auth doctor's report), and the listeners and timers
the page keeps for its lifetime, and the one cookie the page sets (the websocket's token, on its path)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import js
from pyodide.ffi import JsException, create_once_callable, create_proxy, jsnull, to_js

_proxies: list[Any] = []  # kept alive for the page's lifetime; the listeners never go away


def listen(target: Any, event: str, handler: Callable[[Any], None]) -> None:
    proxy = create_proxy(handler)
    _proxies.append(proxy)
    target.addEventListener(event, proxy)


def every(seconds: float, handler: Callable[[], None]) -> None:
    proxy = create_proxy(handler)
    _proxies.append(proxy)
    js.setInterval(proxy, int(seconds * 1000))


async def copy_text(text: str) -> bool:
    """The clipboard (the auth doctor's "Copy report"); False where the browser refuses it."""
    try:
        await js.navigator.clipboard.writeText(text)
    except (JsException, AttributeError):
        return False
    return True


def set_cookie(text: str) -> None:
    """One cookie of this origin (app.api.socket_auth: the websocket's token, on the socket's path only)."""
    js.document.cookie = text


async def cookies_written() -> None:
    """After document.cookie was set: once the browser's cookie store (which the websocket's handshake reads) has it.
    A read through the Cookie Store API goes to that store after the write (Chromium; elsewhere there is no such
    API, and this returns at once)."""
    store = getattr(js, "cookieStore", None)
    if store is None or store is jsnull:
        return
    try:
        await store.get("bearer_token")
    except JsException:
        return


def reload_page() -> None:
    """The page again, at the same address (serve.py --reload: a saved app module that cannot be swapped in)."""
    js.location.reload()


def watch_changes(url: str, on_change: Callable[[str], None]) -> None:
    """serve.py --reload's stream of saved files (server/devpages.py): each event's data, as it arrives."""
    source = js.EventSource.new(url)
    _proxies.append(source)
    listen(source, "change", lambda event: on_change(str(event.data)))


def viewport() -> tuple[float, float]:
    return float(js.window.innerWidth), float(js.window.innerHeight)


async def exclusive(name: str, work: Callable[[], Awaitable[None]]) -> bool:
    """app.core.ports.Exclusive over Web Locks: the work runs only if no other tab of this origin holds the lock, and
    the lock is held until it ends. A browser without Web Locks runs it (each tab then renews by itself)."""
    locks = getattr(js.navigator, "locks", None)
    if locks is None or locks is jsnull:
        await work()
        return True
    granted: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    release: list[Any] = []
    held = js.Promise.new(create_once_callable(lambda resolve, reject: release.append(resolve)))

    def on_lock(lock: Any) -> Any:
        if not granted.done():
            granted.set_result(lock is not None and lock is not jsnull)
        return held  # the lock is kept until this promise settles

    options = to_js({"ifAvailable": True}, dict_converter=js.Object.fromEntries)
    locks.request(name, options, create_once_callable(on_lock))
    try:
        if not await granted:
            return False
        await work()
        return True
    finally:
        release[0]()


def zone_time(moment: float, zone: str | None) -> str | None:
    """app.core.ports.ZoneTime over Intl (Pyodide's Python has no zone data): a moment as read in an IANA time zone,
    or the viewer's own; None for a zone the browser does not know."""
    # Field by field: dateStyle and timeStyle may not be combined with timeZoneName.
    return _intl(
        moment, zone, {"year": "numeric", "month": "short", "day": "numeric", "hour": "2-digit", "minute": "2-digit"}
    )


def zone_clock(moment: float, zone: str | None) -> str | None:
    """app.core.ports.ZoneClock over Intl: "15:26 AEDT" (or "15:26 GMT+11", as the browser's locale names it)."""
    return _intl(moment, zone, {"hour": "2-digit", "minute": "2-digit", "hourCycle": "h23"})


def _intl(moment: float, zone: str | None, fields: dict[str, str]) -> str | None:
    options = {**fields, "timeZoneName": "short"}
    if zone is not None:
        options["timeZone"] = zone
    try:
        formatter = js.Intl.DateTimeFormat.new(None, to_js(options, dict_converter=js.Object.fromEntries))
        return str(formatter.format(moment * 1000))
    except JsException:  # RangeError: no such time zone
        return None


__all__ = ["every", "listen", "copy_text", "exclusive", "viewport", "zone_clock", "zone_time"]
