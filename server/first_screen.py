"""A first visit's screen in index.html: the sign-in card, exactly as Python renders it (app.view.first_screen), written
as HTML by the server so that it is on screen with the page's first paint instead of after the ~1.7 s a cold start
of Python takes. static/boot.js shows it only when that is certain to be the screen (no token, no sign-in response,
no other tab signed in); a click on its button before Python is ready is kept and carried out when it is.

The tree is the app's own, built by the app's code: text is escaped as text and attributes pass the app's
allow-list, so this is the same "can only make text" renderer as the DOM's (app.browser.dom), in HTML.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape

from app.shell.view import first_screen
from app.ui.elements import El, allowed_attr

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
TAG = re.compile(r"[a-z][a-z0-9]*\Z")
ATTR = re.compile(r"[a-z][a-z0-9-]*\Z")


def to_html(node: El | str) -> str:
    """One node as HTML: strings become escaped text; a tag or attribute name that HTML could misread is refused."""
    if isinstance(node, str):
        return escape(node, quote=False)
    if not TAG.match(node.tag):
        raise ValueError(f"not a tag name: {node.tag!r}")
    attrs = "".join(
        f' {name}="{escape(value, quote=True)}"' for name, value in node.attrs.items() if allowed_attr(name)
    )
    if any(not ATTR.match(name) for name in node.attrs if allowed_attr(name)):
        raise ValueError(f"not an attribute name in {sorted(node.attrs)!r}")
    if node.tag in VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{''.join(to_html(child) for child in node.children)}</{node.tag}>"


@cache  # the same card for every request: the page is rendered on each one (server/static.py)
def first_screen_html() -> str:
    return "".join(to_html(node) for node in first_screen())


__all__ = ["first_screen_html", "to_html"]
