"""The screen port over the DOM: the element tree (app.elements) built with createElement and text nodes only, and
attributes from an allow-list, so data can never run; each render patched onto the last (app.patch), so what did
not change stays the same element; plus reading actions back from the page."""

from __future__ import annotations

import asyncio
from typing import Any

import js
from pyodide.ffi import JsException, create_proxy, jsnull, to_js

from app.ui.elements import El, allowed_attr
from app.ui.patch import Append, Op, Replace, SetAttrs, SetText, Truncate, diff


class DomScreen:
    def __init__(self, root: Any) -> None:
        self._root = root
        self._document = js.document
        self._shown: list[El] | None = None  # what the root holds, as the tree last rendered

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
            if allowed_attr(name):
                element.setAttribute(name, value)
        for child in node.children:
            element.appendChild(self._build(child))
        return element

    def set_title(self, text: str) -> None:
        if str(self._document.title) != text:
            self._document.title = text

    def _at(self, path: tuple[int, ...]) -> Any:
        node = self._root
        for index in path:
            node = node.childNodes[index]
        return node

    def _apply(self, op: Op, active: Any) -> None:
        node = self._at(op.path)
        if isinstance(op, Replace):
            node.replaceWith(self._build(op.node))
        elif isinstance(op, SetText):
            node.data = op.text
        elif isinstance(op, SetAttrs):
            for name, value in op.changed:
                if allowed_attr(name):
                    node.setAttribute(name, value)
                    # A field's shown value follows the app's, except in the field the person is typing in.
                    if name == "value" and str(node.tagName) == "INPUT" and node is not active:
                        node.value = value
                    if name in ("checked", "selected"):  # the shown state, which the attribute alone is not
                        setattr(node, name, True)
            for name in op.removed:
                node.removeAttribute(name)
                if name in ("checked", "selected"):
                    setattr(node, name, False)
        elif isinstance(op, Append):
            node.appendChild(self._build(op.node))
        elif isinstance(op, Truncate):
            while node.childNodes.length > op.length:
                node.lastChild.remove()

    def render(self, nodes: list[El], focus: str | None = None) -> None:
        active = self._document.activeElement
        active_id = str(active.id) if active is not None and active is not jsnull and active.id else ""
        selection = None
        if active_id and str(active.tagName) in ("INPUT", "TEXTAREA"):
            selection = (active.selectionStart, active.selectionEnd, str(active.value))
        shown = self._shown
        if shown is None or self._root.childNodes.length != len(shown):  # first render, or not ours any more
            fragment = self._document.createDocumentFragment()
            for node in nodes:
                fragment.appendChild(self._build(node))
            self._root.replaceChildren(fragment)
        else:
            for op in diff(shown, nodes):
                self._apply(op, active)
        self._shown = list(nodes)
        self._settle_focus(focus, active, active_id, selection)
        for log in self._root.querySelectorAll("[role=log]"):
            log.scrollTop = log.scrollHeight  # a log shows its newest lines

    def _settle_focus(self, focus: str | None, active: Any, active_id: str, selection: Any) -> None:
        """Focus where the app asks; else where the person was, if a render replaced that element (without
        scrolling to it); an element still in the page keeps its focus untouched."""
        if not focus and (not active_id or self._root.contains(active)):
            return
        target = self._document.getElementById(focus or active_id)
        if target is None or target is jsnull:
            return
        if focus:
            if str(target.tagName) == "TEXTAREA":  # text the app put there: shown, with the caret at its end
                target.value = str(target.textContent)
                end = len(str(target.value))
                target.focus()
                target.setSelectionRange(end, end)
            else:  # a new view or page: it starts at its top, wherever the person had scrolled to
                target.focus(to_js({"preventScroll": True}, dict_converter=js.Object.fromEntries))
                block = "start" if str(target.tagName) in ("H1", "H2", "UL") else "nearest"  # a row: just in view
                target.scrollIntoView(to_js({"block": block}, dict_converter=js.Object.fromEntries))
            return
        if selection:
            target.value = selection[2]  # keep what was typed but not yet searched
        target.focus(to_js({"preventScroll": True}, dict_converter=js.Object.fromEntries))
        if selection:
            target.setSelectionRange(selection[0], selection[1])


RESPONSE_MESSAGE = "placeos-authorization-response"  # what static/callback.js posts
LOADED_GRACE_S = 1.0  # after the frame's page loaded, how long its answer may still take


def at_callback(frame: Any) -> bool:
    """Whether a frame shows this origin's callback page (a page of another origin cannot be looked into)."""
    try:
        where = frame.contentWindow.location
        return str(where.origin) == str(js.location.origin) and str(where.pathname).endswith("/callback.html")
    except (JsException, AttributeError):
        return False


async def frame_response(url: str, timeout_s: float) -> str | None:
    """app.core.ports.Frame over a hidden iframe: the response static/callback.html hands back, from this origin and
    this frame only; None when nothing comes in time (PlaceOS's login page may not be framed, so it never does)."""
    frame = js.document.createElement("iframe")
    for name, value in (("hidden", ""), ("aria-hidden", "true"), ("tabindex", "-1"), ("title", "sign-in renewal")):
        frame.setAttribute(name, value)
    answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    origin = str(js.location.origin)

    def on_message(event: Any) -> None:
        if str(event.origin) != origin or not getattr(js.Object, "is")(event.source, frame.contentWindow):
            return
        data = event.data
        kind = getattr(data, "type", None) if data is not None and data is not jsnull else None
        if str(kind) == RESPONSE_MESSAGE and not answer.done():
            answer.set_result(str(getattr(data, "response", "") or ""))

    def on_load(event: Any) -> None:
        # The frame's page has loaded. Another page than the callback (PlaceOS's login: no session left) will never
        # answer: no need to wait out the timeout. The callback page itself is waited for: on a busy display its
        # answer may come well after its load, and taking it for a refusal would show "Sign-in needed" for nothing.
        if not at_callback(frame):
            loop.call_later(LOADED_GRACE_S, lambda: None if answer.done() else answer.set_result(""))

    loop = asyncio.get_running_loop()
    handler, loaded = create_proxy(on_message), create_proxy(on_load)
    js.window.addEventListener("message", handler)
    frame.addEventListener("load", loaded)
    frame.setAttribute("src", url)
    js.document.body.appendChild(frame)
    try:
        return await asyncio.wait_for(answer, timeout_s) or None
    except TimeoutError:
        return None
    finally:
        js.window.removeEventListener("message", handler)
        frame.removeEventListener("load", loaded)
        handler.destroy()
        loaded.destroy()
        frame.remove()


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
        if name and (str(element.type) not in ("checkbox", "radio") or bool(element.checked)):
            values[name] = str(element.value)
    return values


__all__ = ["DomScreen", "action_of", "closest_action", "form_values", "frame_response"]
