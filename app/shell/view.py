"""What the screen shows, as a pure function of the Model (app.shell.model) and the panels open over it, built
from app.ui.elements: a tree whose text is always text; and the document's title. The list is
app.browse.list_view's, a system's card app.browse.detail_view's, a kiosk's board app.kiosk.view's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.browse.detail_view import detail_view, known_name
from app.browse.list_view import systems_view
from app.browse.place import MAX_OFFSET_DIGITS, PAGE_SIZE, Place
from app.shell.model import Model
from app.ui.elements import Child, El, brand, button, centered, h, notice_el
from app.ui.links import safe_href
from app.ui.screens import CallbackFailed, Leaving, Loading, Notice, SignedOut

if TYPE_CHECKING:
    from app.console.state import ConsoleState
    from app.doctor.findings import DoctorState
    from app.kiosk.view import SignIn


def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def topbar(user: dict[str, Any] | None, tools: El | None = None, nav: El | None = None) -> El:
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
        nav,
        h("div", {"class": "user"}, who, tools, button("Sign out", "sign_out", id="sign-out")),
    )


def render(model: Model, doctor: DoctorState | None = None, console: ConsoleState | None = None) -> list[El]:
    """The screen, with the auth doctor and the developers' console over it where they are open."""
    launcher = None
    if console is not None and not console.open and model.board is None:
        from app.console.view import console_launcher

        launcher = console_launcher()
    nodes = screen_nodes(model, launcher)
    if doctor is not None:
        from app.doctor.view import doctor_panel  # these three load with what they draw, not at start-up

        nodes.append(h("div", {"class": "doctor-layer"}, doctor_panel(doctor)))
    if console is not None:
        from app.console.view import console_panel

        if console.open:
            nodes.append(console_panel(console))
        elif launcher is not None and not any(node.tag == "header" for node in nodes):  # the header took it
            nodes.append(launcher)  # no header on this screen: a corner the centred card never reaches
    return nodes


def screen_nodes(model: Model, launcher: El | None = None) -> list[El]:
    """The screen itself; `launcher` (the console's button) goes in the header where the screen has one, so it
    never covers content."""
    screen = model.screen
    if model.board is not None and (model.board.rooms or not isinstance(screen, SignedOut | CallbackFailed)):
        from app.kiosk.view import board_view

        return board_view(model.board, sign_in_problem(model))  # once painted, a kiosk's board stays
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
    browse = model.browse
    if browse.place.page and model.own.name == browse.place.page:
        from app.pages.view import page_view

        main = page_view(model.own)
    else:
        main = detail_view(browse) if browse.place.system else systems_view(browse, browse.base_path)
    nav = None
    if model.own.index:
        from app.pages.view import pages_nav

        nav = pages_nav(model.own, browse.place.page)
    # A list's rooms come after the search and every filter: a keyboard user skips straight to them.
    to_results = h("a", {"class": "skip-link", "href": "#systems-list"}, "Skip to results")
    return [
        *([to_results] if not browse.place.system and browse.systems else []),
        h("a", {"class": "skip-link", "href": "#content"}, "Skip to content"),
        topbar(browse.user, launcher, nav),
        h(
            "main",
            {"class": "content", "id": "content", "tabindex": "-1"},
            h("div", {"class": "notices"}, notices),
            main,
        ),
    ]


def sign_in_problem(model: Model) -> SignIn:
    """What the board's badge says of the sign-in: a failed return's title and message, a sign-in PlaceOS refuses,
    or PlaceOS out of reach (the session keeper's notice says which)."""
    from app.kiosk.view import SignIn  # loads with the board, which alone asks

    if isinstance(model.screen, CallbackFailed):
        return SignIn(failed=f"{model.screen.title}: {model.screen.message}")
    kind = model.expiry_notice.kind if model.expiry_notice is not None else ""
    return SignIn(refused=kind == "error", offline=kind == "offline")


def first_screen() -> list[El]:
    """A first visit's screen, the sign-in card: what Python renders for it, drawn by the server into index.html
    so that it shows before Python has started (server/first_screen.py)."""
    return screen_nodes(Model(screen=SignedOut()))


def title(model: Model) -> str:
    """The document's title for what is on screen: the tab, the history list and a bookmark show it."""
    screen, place = model.screen, model.browse.place
    if model.board is not None or isinstance(screen, Loading):
        return "PlaceOS"
    if isinstance(screen, SignedOut):
        return "Sign in · PlaceOS"
    if isinstance(screen, CallbackFailed | Leaving):
        return f"{screen.title} · PlaceOS"
    if place.page and model.own.name == place.page:
        return f"{model.own.title or place.page} · PlaceOS"
    if place.system:
        return f"{'System not found' if model.browse.missing else known_name(model.browse)} · PlaceOS"
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
    "sign_in_problem",
    "title",
]
