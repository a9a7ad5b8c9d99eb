"""The only module that touches the browser (`js`, `pyodide`): the ports of app.ports and app.controller over
web storage, fetch, history and the DOM, the loader's hand-over, and the page's events wired to the controller.
Imported only inside Pyodide; tests/stubs/js.pyi types the `js` names it uses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import JsException, create_proxy, jsnull, to_js

from .oauth import split_response
from .ports import HttpRequest, HttpResponse, MemoryStorage, Storage
from .redact import REDACTOR, log
from .session import TOKEN_KEY
from .view import El

if TYPE_CHECKING:
    from .controller import App


@dataclass(frozen=True)
class Handoff:
    """What static/boot.js captured before Python started: only the authorization-response parameters of the
    fragment and the query, when they arrived, and the served configuration's text."""

    fragment: str
    query: str
    received_at: float  # expiry counts from the moment the loader captured the response
    config: str

    @classmethod
    def read(cls, handoff: Any) -> Handoff:
        captured = float(handoff.capturedAt or 0)
        return cls(
            str(handoff.fragment or ""),
            str(handoff.query or ""),
            captured / 1000 if captured else time.time(),
            str(handoff.config),
        )


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
ALLOWED_ATTRS = {
    "id",
    "class",
    "type",
    "name",
    "value",
    "placeholder",
    "role",
    "href",
    "rel",
    "target",
    "tabindex",
    "disabled",
    "hidden",
    "autocomplete",
    "for",
    "title",
    "data-action",
    "data-arg",
}


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
        if request.credentials == "include":
            options["redirect"] = "manual"  # logout answers with a redirect we do not follow
        from pyodide.http import pyfetch  # 18 ms to import: paid at the first request, not at start-up

        try:
            response = await pyfetch(request.url, **options)
            body = await response.string() if response.status not in (0, 204) else ""
        except (JsException, OSError) as exc:
            raise OSError(f"fetch failed: {type(exc).__name__}") from None
        headers = {str(k).lower(): str(v) for k, v in response.headers.items()}
        return HttpResponse(int(response.status), headers, body)


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


class DomScreen:
    def __init__(self, root: Any) -> None:
        self._root = root
        self._document = js.document

    @classmethod
    def of_app(cls) -> DomScreen:
        return cls(js.document.getElementById("app"))

    @property
    def root(self) -> Any:
        return self._root

    def _build(self, node: El | str) -> Any:
        if isinstance(node, str):
            return self._document.createTextNode(node)
        element = self._document.createElement(node.tag)
        for name, value in node.attrs.items():
            if name in ALLOWED_ATTRS or name.startswith("aria-"):
                element.setAttribute(name, value)
        for child in node.children:
            element.appendChild(self._build(child))
        return element

    def render(self, nodes: list[El], focus: str | None = None) -> None:
        active = self._document.activeElement
        active_id = str(active.id) if active is not None and active is not jsnull and active.id else ""
        selection = None
        if active_id and str(active.tagName) == "INPUT":
            selection = (active.selectionStart, active.selectionEnd, str(active.value))
        fragment = self._document.createDocumentFragment()
        for node in nodes:
            fragment.appendChild(self._build(node))
        self._root.replaceChildren(fragment)
        target_id = focus or active_id
        if target_id:
            target = self._document.getElementById(target_id)
            if target is not None and target is not jsnull:
                if selection and not focus:
                    target.value = selection[2]  # keep what was typed but not yet searched
                target.focus()
                if selection and not focus:
                    target.setSelectionRange(selection[0], selection[1])


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


_proxies: list[Any] = []  # kept alive for the page's lifetime; the listeners never go away


def listen(target: Any, event: str, handler: Callable[[Any], None]) -> None:
    proxy = create_proxy(handler)
    _proxies.append(proxy)
    target.addEventListener(event, proxy)


def every(seconds: float, handler: Callable[[], None]) -> None:
    proxy = create_proxy(handler)
    _proxies.append(proxy)
    js.setInterval(proxy, int(seconds * 1000))


def closest_action(event: Any) -> Any:
    target = event.target
    if target is None or target is jsnull or not hasattr(target, "closest"):
        return None
    found = target.closest("[data-action]")
    return None if found is None or found is jsnull else found


def action_of(element: Any) -> tuple[str, str]:
    """The data-action and data-arg of an element ("" for a missing one)."""
    values = []
    for name in ("data-action", "data-arg"):
        value = element.getAttribute(name)
        values.append("" if value is None or value is jsnull else str(value))
    return values[0], values[1]


def form_values(form: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for element in form.elements:
        name = str(element.name or "")
        if name:
            values[name] = str(element.value)
    return values


def wire(app: App, channel: Channel, *, shared_token: bool) -> None:
    """The page's events, to the controller: clicks and forms by their data-action, wake-ups, history, a
    same-document sign-in response, and the other tabs."""
    root = app.screen.root if isinstance(app.screen, DomScreen) else js.document

    def on_click(event: Any) -> None:
        target = closest_action(event)
        if target is None or str(target.tagName) == "FORM":
            return
        event.preventDefault()
        app.dispatch(*action_of(target))

    def on_submit(event: Any) -> None:
        target = closest_action(event)
        if target is None:
            return
        event.preventDefault()
        app.dispatch(action_of(target)[0], "", form_values(target))

    def on_hash_change(event: Any) -> None:
        # A sign-in response can arrive without a page load (a pasted or replayed callback URL): it leaves the
        # address bar and history at once, like one captured by the loader.
        response, _ = split_response(str(js.location.hash))
        if response:
            js.history.replaceState(jsnull, "", str(js.location.pathname) + str(js.location.search))
            app.receive_callback(response, time.time())

    def on_storage(event: Any) -> None:
        # Fired only in the other tabs, and only for localStorage: a kiosk tab renewed or dropped the token.
        if shared_token and str(event.key or "") == TOKEN_KEY:
            app.token_changed_elsewhere()

    channel.on_message(app.message_from_other_tab)
    listen(root, "click", on_click)
    listen(root, "submit", on_submit)
    listen(js.document, "visibilitychange", lambda event: app.tick())
    listen(js.window, "pageshow", lambda event: app.tick())
    listen(js.window, "online", lambda event: app.online())
    listen(js.window, "popstate", lambda event: app.history_moved(LocationNavigator().current()))
    listen(js.window, "hashchange", on_hash_change)
    listen(js.window, "storage", on_storage)
    every(1.0, app.tick)


__all__ = [
    "Channel",
    "ConsoleHandler",
    "DomScreen",
    "FetchTransport",
    "Handoff",
    "LocationNavigator",
    "WebStorage",
    "log_to_console",
    "page_url",
    "to_js_bytes",
    "web_storage",
    "wire",
]
