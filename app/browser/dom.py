"""The screen port over the DOM: the element tree (app.elements) built with createElement and text nodes only, and
attributes from an allow-list, so data can never run; plus reading actions back from the page."""

from __future__ import annotations

import asyncio
from typing import Any

import js
from pyodide.ffi import create_proxy, jsnull

from ..elements import El

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
    "data-room",
    "rows",
    "spellcheck",
    "autocapitalize",
}


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
        if active_id and str(active.tagName) in ("INPUT", "TEXTAREA"):
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
                elif str(target.tagName) == "TEXTAREA":  # text the app put there: the caret goes to its end
                    end = len(str(target.value))
                    target.setSelectionRange(end, end)
        for log in self._root.querySelectorAll("[role=log]"):
            log.scrollTop = log.scrollHeight  # a log shows its newest lines


RESPONSE_MESSAGE = "placeos-authorization-response"  # what static/callback.js posts


async def frame_response(url: str, timeout_s: float) -> str | None:
    """app.ports.Frame over a hidden iframe: the response static/callback.html hands back, from this origin and
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

    handler = create_proxy(on_message)
    js.window.addEventListener("message", handler)
    frame.setAttribute("src", url)
    js.document.body.appendChild(frame)
    try:
        return await asyncio.wait_for(answer, timeout_s)
    except TimeoutError:
        return None
    finally:
        js.window.removeEventListener("message", handler)
        handler.destroy()
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
        if name:
            values[name] = str(element.value)
    return values


__all__ = ["ALLOWED_ATTRS", "DomScreen", "action_of", "closest_action", "form_values", "frame_response"]
