"""The page's events, to the controller: clicks and forms by their data-action, wake-ups, history, a same-document
sign-in response, and the other tabs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import jsnull

from app.auth.oauth import split_response
from app.auth.session import TOKEN_KEY
from app.browser.window import every, listen
from app.console.state import key_action

if TYPE_CHECKING:
    from app.browser.ports import Channel
    from app.shell.controller import App


def wire(app: App, channel: Channel, *, shared_token: bool) -> None:
    """The page's events, to the controller: clicks and forms by their data-action, wake-ups, history, a
    same-document sign-in response, and the other tabs.

    Long on purpose: it is the one list of everything the page listens to, each handler a few lines."""
    from app.browser.dom import DomScreen, action_of, closest_action, form_values

    screen = app.ports.screen
    root = screen.root if isinstance(screen, DomScreen) else js.document

    def on_click(event: Any) -> None:
        target = closest_action(event)
        if target is None or str(target.tagName) == "FORM":
            return
        modified = bool(event.ctrlKey or event.metaKey or event.shiftKey or event.altKey) or int(event.button) != 0
        if str(target.tagName) == "A" and modified:
            return  # a real link: open in a new tab or window, as the person asked
        event.preventDefault()
        app.dispatch(*action_of(target))

    def on_change(event: Any) -> None:
        # The filters apply as they are chosen; the form's button does the same for who prefers it.
        form = getattr(event.target, "form", None)
        if form is None or form is jsnull or str(form.getAttribute("data-action") or "") != "filter":
            return
        if str(event.target.type) != "number":  # a number applies on Enter or leaving the field, not per digit
            app.dispatch("filter", "", form_values(form))

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
            app.tabs.token_changed()

    def on_key(event: Any) -> None:
        # Ctrl+` anywhere opens and closes the console; in its input, the keys app.console.key_action names.
        if app.console is None:
            return
        if bool(event.ctrlKey) and str(event.code) == "Backquote":
            event.preventDefault()
            app.dispatch("console_toggle")
            return
        target = event.target
        if target is None or target is jsnull or str(getattr(target, "id", "")) != "console-input":
            return
        value, start, end = str(target.value), int(target.selectionStart), int(target.selectionEnd)
        ctrl = bool(event.ctrlKey) or bool(event.metaKey)
        action = key_action(str(event.key), shift=bool(event.shiftKey), ctrl=ctrl, value=value, start=start, end=end)
        if action is not None:
            event.preventDefault()
            caret = app.console.key(action, value, (start, end), app.spawn)
            if caret is not None:
                field = js.document.getElementById("console-input")
                field.setSelectionRange(caret, caret)

    channel.on_message(app.tabs.message)
    listen(js.document, "keydown", on_key)
    listen(root, "click", on_click)
    listen(root, "submit", on_submit)
    listen(root, "change", on_change)
    listen(js.document, "visibilitychange", lambda event: app.tick())
    listen(js.window, "pageshow", lambda event: app.tick())
    listen(js.window, "online", lambda event: app.online())
    listen(js.window, "popstate", lambda event: app.history_moved(str(js.location.pathname) + str(js.location.search)))
    listen(js.window, "hashchange", on_hash_change)
    listen(js.window, "storage", on_storage)
    listen(js.window, "resize", lambda event: app.board.resized() if app.board else None)
    every(1.0, app.tick)


__all__ = ["wire"]
