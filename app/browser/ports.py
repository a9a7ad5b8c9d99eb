"""The ports of app.ports over the browser: web storage, fetch, history, BroadcastChannel and the console, and
the loader's hand-over."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import js
from pyodide.ffi import JsException, create_proxy, jsnull, to_js

from app.api.early_answers import Answer
from app.browser.window import listen
from app.core.ports import HttpRequest, HttpResponse, MemoryStorage, Storage
from app.core.redact import REDACTOR, log


@dataclass(frozen=True)
class Handoff:
    """What static/boot.js captured before Python started: only the authorization-response parameters of the
    fragment and the query, when they arrived, and the served configuration's text."""

    fragment: str
    query: str
    received_at: float  # expiry counts from the moment the loader captured the response
    config: str
    painted: bool = False  # the loader drew this tab's saved page

    @classmethod
    def read(cls, handoff: Any) -> Handoff:
        captured = float(handoff.capturedAt or 0)
        return cls(
            str(handoff.fragment or ""),
            str(handoff.query or ""),
            captured / 1000 if captured else time.time(),
            str(handoff.config),
            bool(getattr(handoff, "painted", False)),
        )


def action_wanted(handoff: Any) -> str:
    """What a press on the first visit's card asked for before Python was ready (static/boot.js), or ""."""
    pending = getattr(handoff, "pending", None)
    return "sign_in" if pending is not None and str(getattr(pending, "action", "")) == "sign_in" else ""


@dataclass(frozen=True)
class Early:
    """The loader's early requests (static/boot.js askEarly): when it sent them, the expiry of the token it sent
    them with, and a reader of each one's answer by URL (app.api.early_answers)."""

    asked_at: float
    token_expires_at: float
    answers: dict[str, Answer]

    @classmethod
    def read(cls, handoff: Any) -> Early | None:
        early = getattr(handoff, "early", None)
        if early is None or early is jsnull:
            return None
        answers: dict[str, Answer] = {str(item.url): partial(_early_answer, item.answer) for item in early.answers}
        return cls(float(early.askedAt) / 1000, float(early.expiresAt), answers)


async def _early_answer(promise: Any) -> HttpResponse:
    try:
        answer = await promise
    except JsException:
        raise OSError("early request failed") from None  # app.early then asks the network itself
    headers = {str(name).lower(): str(value) for name, value in answer.headers}
    return HttpResponse(int(answer.status), headers, str(answer.body))


def page_url() -> str:
    return str(js.location.href)


def to_js_bytes(data: bytes) -> Any:
    return to_js(data)


def log_to_console() -> None:
    """The debug log in the browser console, once, though the loader's "Try again" may start the app again."""
    log.setLevel(logging.INFO)
    if not any(isinstance(handler, ConsoleHandler) for handler in log.handlers):
        log.addHandler(ConsoleHandler())


# Attributes the renderer will set; anything else (on*, style, srcdoc…) is dropped, so data cannot run.
class WebStorage:
    def __init__(self, storage: Any) -> None:
        self._storage = storage

    def get(self, key: str) -> str | None:
        value = self._storage.getItem(key)
        return None if value is None or value is jsnull else str(value)

    def set(self, key: str, value: str) -> None:
        self._storage.setItem(key, value)

    def remove(self, key: str) -> None:
        self._storage.removeItem(key)

    def keys(self) -> list[str]:
        return [str(self._storage.key(i)) for i in range(int(self._storage.length))]


def web_storage(kind: str) -> Storage:
    """sessionStorage or localStorage, or memory where the browser refuses storage (some private modes)."""
    try:
        storage = WebStorage(js.localStorage if kind == "local" else js.sessionStorage)
        storage.set("placeos.probe", "1")
        storage.remove("placeos.probe")
        return storage
    except JsException:
        logging.getLogger("placeos").warning("%s storage unavailable; using memory", kind)
        return MemoryStorage()


class FetchTransport:
    async def send(self, request: HttpRequest) -> HttpResponse:
        options: dict[str, Any] = {
            "method": request.method,
            "headers": dict(request.headers),
            "credentials": request.credentials,
            "cache": "no-store",
        }
        if request.body is not None:
            options["body"] = request.body
        if request.credentials == "include" or not request.follow:
            options["redirect"] = "manual"  # logout answers with a redirect we do not follow
        try:
            # The browser's fetch itself: pyodide.http's wrapper adds nothing used here, and importing it cost
            # ~10 ms at the first request, on a returning visit's way to its data.
            response = await js.fetch(request.url, to_js(options, dict_converter=js.Object.fromEntries))
            status = int(response.status)
            body = str(await response.text()) if status not in (0, 204) else ""
            headers = {str(name).lower(): str(value) for name, value in response.headers.entries()}
        except (JsException, OSError) as exc:
            raise OSError(f"fetch failed: {type(exc).__name__}") from None
        return HttpResponse(status, headers, body)


class BrowserSocket:
    """app.api.realtime's Socket over the browser's WebSocket: frames queue up until Python reads them."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._frames: asyncio.Queue[str | None] = asyncio.Queue()
        self._proxies: list[Any] = []

    @classmethod
    async def open(cls, url: str) -> BrowserSocket:
        try:
            socket = cls(js.WebSocket.new(url))
        except JsException as error:
            raise OSError(f"websocket refused: {type(error).__name__}") from None
        opened: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def settle(ok: bool) -> None:
            if not opened.done():
                opened.set_result(ok)

        def closed(event: Any) -> None:
            settle(False)
            socket._frames.put_nowait(None)
            socket._release()

        socket._on("open", lambda event: settle(True))
        socket._on("message", lambda event: socket._frames.put_nowait(str(event.data)))
        socket._on("close", closed)
        if not await opened:
            raise OSError("websocket closed before it opened")  # a 401 at the upgrade looks like this too
        return socket

    def _on(self, event: str, handler: Callable[[Any], Any]) -> None:
        proxy = create_proxy(handler)
        self._proxies.append(proxy)
        self._ws.addEventListener(event, proxy)

    def _release(self) -> None:
        # A socket per renewal would otherwise leave its listeners alive for the page's lifetime.
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()

    async def send(self, text: str) -> None:
        if int(self._ws.readyState) != 1:
            raise OSError("websocket not open")
        self._ws.send(text)

    async def receive(self) -> str | None:
        return await self._frames.get()

    async def close(self) -> None:
        self._ws.close()


class LocationNavigator:
    def assign(self, url: str) -> None:
        js.location.assign(url)

    def replace(self, path: str) -> None:
        js.history.replaceState(jsnull, "", path)

    def push(self, path: str) -> None:
        if path != self.current():
            js.history.pushState(jsnull, "", path)

    def current(self) -> str:
        return str(js.location.pathname) + str(js.location.search)


class Channel:
    """A BroadcastChannel between this app's tabs; a no-op where the browser has none."""

    def __init__(self, name: str) -> None:
        self._channel = js.BroadcastChannel.new(name) if hasattr(js, "BroadcastChannel") else None

    def post(self, message: str) -> None:
        if self._channel is not None:
            self._channel.postMessage(message)

    def on_message(self, handler: Callable[[str], None]) -> None:
        if self._channel is not None:
            listen(self._channel, "message", lambda event: handler(str(event.data)))


class ConsoleHandler(logging.Handler):
    """The debug log in the browser console, after redaction."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.addFilter(REDACTOR)

    def emit(self, record: logging.LogRecord) -> None:
        line = f"[placeos] {record.levelname.lower()}: {record.getMessage()}"
        (js.console.warn if record.levelno >= logging.WARNING else js.console.info)(line)


__all__ = [
    "BrowserSocket",
    "Channel",
    "ConsoleHandler",
    "FetchTransport",
    "Handoff",
    "LocationNavigator",
    "WebStorage",
    "action_wanted",
    "log_to_console",
    "page_url",
    "to_js_bytes",
    "web_storage",
]
