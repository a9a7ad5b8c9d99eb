"""What a page of one's own draws with: the app's own elements, whose strings can only become text (no HTML), and
buttons whose press goes to the page's `act(api, action, arg)`.

    from app.pages.kit import h, button, badge, link
"""

from __future__ import annotations

from typing import Any

from app.browse.place import Place
from app.ui.elements import El, h, status_badge
from app.ui.words import STATUS_SHAPES

PAGE_ACT = "page_act"  # the data-action of a page's buttons (app.pages.runner.OwnPages.act)


def button(label: str, action: str, arg: str = "", *, primary: bool = False) -> El:
    """A button that calls the page's `act(api, action, arg)`; the page loads again once it returns."""
    return h(
        "button",
        {
            "type": "button",
            "class": "primary" if primary else None,
            "data-action": PAGE_ACT,
            "data-arg": f"{action}:{arg}",
        },
        label,
    )


def badge(status: str, words: str = "") -> El:
    """A room's state as a shape and words (free, pending, busy or unknown), as the app's lists show it."""
    known = status if status in STATUS_SHAPES else "unknown"
    return status_badge(known, words or known.capitalize())


def link(label: str, page: str = "", system: str = "", *, current: bool = False, **filters: Any) -> El:
    """A link within the app: a page of one's own (`page=`, with the filters it reads from its place, e.g.
    `building=`), a room's detail (`system=`), or the rooms list (neither, with its filters: `capacity=`, …);
    `current` marks the one on screen."""
    address = Place(page=page, system=system, **filters).path("./")  # relative: right under any base path
    attrs = {
        "href": address,
        "data-action": "to_place",
        "data-arg": address,
        "aria-current": "page" if current else None,
    }
    return h("a", attrs, label)


__all__ = ["PAGE_ACT", "El", "badge", "button", "h", "link"]
