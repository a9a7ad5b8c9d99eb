"""The element tree: what the screen shows, as data whose strings can only ever become text.

There is no way to put HTML here: strings become text nodes, attributes are allow-listed by the renderer
(app.browser), and actions are names in data-action attributes, dispatched by app.controller; no callable lives in
the tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Union

from app.ui.screens import Notice
from app.ui.words import STATUS_SHAPES

# Attributes a renderer will set (the DOM in app.browser, the server's first screen), besides aria-*; anything else
# (on*, style, srcdoc…) is dropped, so data cannot run.
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
    "checked",
    "selected",
    "min",
    "max",
    "src",
    "alt",
}


def allowed_attr(name: str) -> bool:
    return name in ALLOWED_ATTRS or name.startswith("aria-")


Child = Union["El", str, None]


@dataclass(frozen=True)
class El:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: tuple[El | str, ...] = ()


def h(tag: str, attrs: dict[str, Any] | None = None, *children: Child | Sequence[Child]) -> El:
    flat: list[El | str] = []
    for child in children:
        items: Sequence[Child] = child if isinstance(child, list | tuple) else [child]  # type: ignore[list-item]
        for item in items:
            if item is not None and item != "":
                flat.append(item)
    clean = {k: ("" if v is True else str(v)) for k, v in (attrs or {}).items() if v is not None and v is not False}
    return El(tag, clean, tuple(flat))


def to_data(node: El | str) -> Any:
    """The tree as JSON-able lists, [tag, attrs, *children], for static/boot.js to draw before Python starts."""
    if isinstance(node, str):
        return node
    return [node.tag, node.attrs, *(to_data(child) for child in node.children)]


def brand(label: Child) -> El:
    """PlaceOS's mark and a label: the top bar's name, a card's heading, the board's title."""
    return h("div", {"class": "brand"}, h("span", {"class": "brand-mark", "aria-hidden": "true"}), label)


def button(label: str, action: str, arg: str = "", *, primary: bool = False, **attrs: Any) -> El:
    return h(
        "button",
        {
            "type": "button",
            "data-action": action,
            "data-arg": arg or None,
            "class": "primary" if primary else None,
            **attrs,
        },
        label,
    )


def status_badge(status: str, words: str, kind: str = "") -> El:
    """A room's state as words beside a shape, so it never reads by colour alone; `status` is free, pending, busy
    or unknown (app.ui.words status_of), `kind` a class of the screen's own."""
    return h(
        "span",
        {"class": f"{kind + ' ' if kind else ''}status status-{status}"},
        h("span", {"class": "status-shape", "aria-hidden": "true"}, STATUS_SHAPES[status]),
        " ",
        words,
    )


def notice_el(notice: Notice, role: str = "status") -> El:
    live = "alert" if notice.kind == "error" else role
    return h(
        "div",
        {"class": f"notice {notice.kind}", "role": None if notice.spoken else live},
        h("span", {}, notice.text),
        h("span", {"class": "visually-hidden", "role": live}, notice.spoken) if notice.spoken else None,
        h(
            "div",
            {"class": "actions"},
            [button(label, action, primary=i == 0) for i, (label, action) in enumerate(notice.actions)],
        ),
    )


def centered(title: str, message: str, actions: tuple[tuple[str, str], ...], *, error: bool = False) -> El:
    return h(
        "section",
        {"class": "card center-card", "aria-labelledby": "screen-title"},
        brand("PlaceOS"),
        h("h1", {"id": "screen-title", "class": "error-title" if error else None, "tabindex": "-1"}, title),
        h("p", {}, message),
        h(
            "div",
            {"class": "actions"},
            [button(label, action, primary=i == 0, id=f"action-{action}") for i, (label, action) in enumerate(actions)],
        ),
    )


class Display(Protocol):
    """What draws the element tree: the DOM in the page (app.browser), a recorder in tests."""

    def render(self, nodes: list[El], focus: str | None = None) -> None: ...

    def set_title(self, text: str) -> None: ...  # the document's title: the tab, history and bookmarks show it


__all__ = [
    "Display",
    "ALLOWED_ATTRS",
    "Child",
    "El",
    "brand",
    "button",
    "centered",
    "h",
    "notice_el",
    "allowed_attr",
    "to_data",
]
