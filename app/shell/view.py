"""What the screen shows, as a pure function of the Model (app.model), built from app.elements: a tree whose
text is always text; and the document's title. Links from API data keep only http(s) URLs (app.detail.safe_href).
The list is app.list_view's, a system's card app.detail's."""

from __future__ import annotations

from typing import Any

from app.browse.detail_view import detail_view, known_name, safe_href
from app.browse.list_view import systems_view
from app.browse.place import MAX_OFFSET_DIGITS, PAGE_SIZE, Place
from app.shell.model import Model
from app.ui.elements import Child, El, brand, button, centered, h, notice_el
from app.ui.screens import CallbackFailed, Leaving, Loading, Notice, SignedOut


def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def topbar(user: dict[str, Any] | None) -> El:
    name = str((user or {}).get("name") or "")
    email = str((user or {}).get("email") or "")
    who = (
        h(
            "div",
            {"class": "user"},
            h("span", {"class": "avatar", "aria-hidden": "true"}, initials(name or email)),
            h(
                "div",
                {},
                h("div", {"class": "user-name", "id": "user-name"}, name or "Signed in"),
                h("div", {"class": "user-email"}, email),
            ),
        )
        if user
        else h("div", {"class": "user"})
    )
    return h(
        "header",
        {"class": "topbar"},
        brand(h("span", {"class": "brand-name"}, "PlaceOS")),
        h("div", {"class": "user"}, who, button("Sign out", "sign_out", id="sign-out")),
    )


def render(model: Model) -> list[El]:
    """The screen, with the auth doctor and the developers' console over it where they are open."""
    nodes = screen_nodes(model)
    if model.doctor is not None:
        from app.doctor.view import doctor_panel  # these three load with what they draw, not at start-up

        nodes.append(h("div", {"class": "doctor-layer"}, doctor_panel(model.doctor)))
    console = model.console
    if console is not None:
        from app.console.view import console_launcher, console_panel

        if console.open:
            nodes.append(console_panel(console))
        elif model.board is None:
            nodes.append(console_launcher())
    return nodes


def screen_nodes(model: Model) -> list[El]:
    screen = model.screen
    if model.board is not None and (model.board.rooms or not isinstance(screen, SignedOut | CallbackFailed)):
        from app.kiosk.view import board_view

        return board_view(model)  # once painted, a kiosk's board stays: every problem is a badge on it
    if isinstance(screen, Loading | Leaving) and not (isinstance(screen, Leaving) and screen.over_app):
        return [h("main", {"class": "content", "id": "content"}, centered(screen.title, screen.message, ()))]
    if isinstance(screen, SignedOut | CallbackFailed):
        card = (
            centered("Sign in to PlaceOS", screen.message, (("Sign in", "sign_in"),))
            if isinstance(screen, SignedOut)
            else centered(screen.title, screen.message, screen.actions, error=True)
        )
        notice = notice_el(model.notice) if model.notice else None
        return [h("main", {"class": "content", "id": "content"}, notice, card)]
    notices = [notice_el(n) for n in (model.expiry_notice, model.notice) if n]
    main = detail_view(model) if model.place.system else systems_view(model, model.base_path)
    return [
        h("a", {"class": "skip-link", "href": "#content"}, "Skip to content"),
        topbar(model.user),
        h(
            "main",
            {"class": "content", "id": "content", "tabindex": "-1"},
            h("div", {"class": "notices"}, notices),
            main,
        ),
    ]


def first_screen() -> list[El]:
    """A first visit's screen, the sign-in card: what Python renders for it, drawn by the server into index.html
    so that it shows before Python has started (server/first_screen.py)."""
    return screen_nodes(Model(screen=SignedOut()))


def title(model: Model) -> str:
    """The document's title for what is on screen: the tab, the history list and a bookmark show it."""
    screen, place = model.screen, model.place
    if model.board is not None or isinstance(screen, Loading):
        return "PlaceOS"
    if isinstance(screen, SignedOut):
        return "Sign in · PlaceOS"
    if isinstance(screen, CallbackFailed | Leaving):
        return f"{screen.title} · PlaceOS"
    if place.system:
        return f"{'System not found' if model.missing else known_name(model)} · PlaceOS"
    page = f" · page {place.offset // PAGE_SIZE + 1}" if place.offset else ""
    return (f"“{place.q}” · " if place.q else "") + f"Systems{page} · PlaceOS"


__all__ = [
    "MAX_OFFSET_DIGITS",
    "PAGE_SIZE",
    "Child",
    "El",
    "Model",
    "Notice",
    "Place",
    "button",
    "centered",
    "first_screen",
    "h",
    "render",
    "safe_href",
    "title",
]
