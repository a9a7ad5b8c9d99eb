"""What the screen shows, as a pure function of the Model (app.model), built from app.elements: a tree whose
text is always text. Links from API data keep only http(s) URLs (app.detail.safe_href)."""

from __future__ import annotations

from typing import Any

from .detail import detail_view, safe_href
from .elements import Child, El, brand, button, centered, h, notice_el
from .model import MAX_OFFSET_DIGITS, PAGE_SIZE, Model, Notice, Place
from .screens import CallbackFailed, Leaving, Loading, SignedOut


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


def listed(value: Any) -> list[Any]:
    """A list field of API data as a list, whatever arrived (a string or a number where a list was meant)."""
    return value if isinstance(value, list) else []


def system_row(system: dict[str, Any]) -> El:
    features = [str(f) for f in listed(system.get("features"))][:4]
    meta = " · ".join(x for x in (str(system.get("type") or ""), str(system.get("code") or "")) if x)
    return h(
        "li",
        {},
        h(
            "button",
            {
                "type": "button",
                "class": "system-row",
                "data-action": "open",
                "data-arg": str(system.get("id", "")),
                "id": f"row-{system.get('id', '')}",
            },
            h("span", {"class": "system-name"}, str(system.get("name") or system.get("id") or "Unnamed")),
            h("span", {"class": "count"}, f"{system.get('capacity', '?')} seats"),
            h("span", {"class": "system-meta"}, str(system.get("description") or meta)),
            h("span", {"class": "chips"}, [h("span", {"class": "chip"}, f) for f in features]),
        ),
    )


def search_form(q: str) -> El:
    field = {
        "type": "search",
        "id": "search",
        "name": "q",
        "value": q,
        "placeholder": "Search rooms and systems",
        "autocomplete": "off",
    }
    return h(
        "form",
        {"role": "search", "data-action": "search"},
        h("label", {"for": "search", "class": "visually-hidden"}, "Search systems"),
        h("input", field),
        h("button", {"type": "submit", "class": "primary"}, "Search"),
    )


def pager(model: Model) -> El:
    offset = model.place.offset
    pages = max(1, -(-model.total // PAGE_SIZE))
    return h(
        "nav",
        {"class": "pager", "aria-label": "Pages"},
        button("← Previous", "page", str(max(0, offset - PAGE_SIZE)), disabled=offset == 0, id="prev-page"),
        h("span", {"class": "count"}, f"Page {offset // PAGE_SIZE + 1} of {pages}"),
        button("Next →", "page", str(offset + PAGE_SIZE), disabled=not model.has_next, id="next-page"),
    )


def systems_view(model: Model) -> El:
    place = model.place
    if model.systems is None:
        body: El = h("p", {"class": "loading"}, "Loading systems…") if model.loading else h("p", {}, "")
    elif not model.systems:
        body = h("p", {"class": "empty"}, f"No systems match “{place.q}”." if place.q else "No systems yet.")
    else:
        body = h("ul", {"class": "systems", "aria-label": "Systems"}, [system_row(s) for s in model.systems])
    first = place.offset + 1 if model.systems else 0
    last = place.offset + len(model.systems or [])
    count = (f"{first}–{last} of {model.total} systems" if model.systems else "") + (
        " · updating…" if model.loading and model.systems else ""
    )
    return h(
        "section",
        {"aria-labelledby": "systems-title"},
        h("h1", {"id": "systems-title"}, "Systems"),
        h(
            "div",
            {"class": "toolbar"},
            search_form(place.q),
            h("span", {"class": "count", "id": "count", "aria-live": "polite"}, count),
        ),
        notice_el(Notice("error", model.list_error, (("Try again", "reload"),))) if model.list_error else None,
        body,
        pager(model) if model.systems else None,
    )


def render(model: Model) -> list[El]:
    """The screen, with the auth doctor and the developers' console over it where they are open."""
    nodes = screen_nodes(model)
    if model.doctor is not None:
        from .doctor_view import doctor_panel  # these three load with what they draw, not at start-up

        nodes.append(h("div", {"class": "doctor-layer"}, doctor_panel(model.doctor)))
    console = model.console
    if console is not None:
        from .console_view import console_launcher, console_panel

        if console.open:
            nodes.append(console_panel(console))
        elif model.board is None:
            nodes.append(console_launcher())
    return nodes


def screen_nodes(model: Model) -> list[El]:
    screen = model.screen
    if model.board is not None and (model.board.rooms or not isinstance(screen, SignedOut | CallbackFailed)):
        from .board_view import board_view

        return board_view(model)  # once painted, a kiosk's board stays: every problem is a badge on it
    if isinstance(screen, Loading | Leaving) and not (isinstance(screen, Leaving) and screen.over_app):
        return [centered(screen.title, screen.message, ())]
    if isinstance(screen, SignedOut | CallbackFailed):
        card = (
            centered("Sign in to PlaceOS", screen.message, (("Sign in", "sign_in"),))
            if isinstance(screen, SignedOut)
            else centered(screen.title, screen.message, screen.actions, error=True)
        )
        return [h("main", {"class": "content"}, notice_el(model.notice) if model.notice else None, card)]
    notices = [n for n in (model.expiry_notice, model.notice) if n]
    main = detail_view(model) if model.place.system else systems_view(model)
    return [topbar(model.user), h("main", {"class": "content"}, [notice_el(n) for n in notices], main)]


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
    "h",
    "render",
    "safe_href",
]
