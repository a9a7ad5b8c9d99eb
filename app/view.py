"""What the screen shows, as a pure function of the Model: a tree of elements whose text is always text.

There is no way to put HTML here: strings become text nodes, attributes are allow-listed by the renderer, and
links from API data keep only http(s) URLs. Actions are names in data-action attributes, dispatched by
app.controller; no callable lives in the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from .screens import CallbackFailed, Leaving, Loading, Screen, SignedOut
from .urls import ascii_int, urlencode

Child = Union["El", str, None]


@dataclass(frozen=True)
class El:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: tuple[El | str, ...] = ()


def h(tag: str, attrs: dict[str, Any] | None = None, *children: Child | list[Child]) -> El:
    flat: list[El | str] = []
    for child in children:
        for item in child if isinstance(child, list) else [child]:
            if item is not None and item != "":
                flat.append(item)
    clean = {k: ("" if v is True else str(v)) for k, v in (attrs or {}).items() if v is not None and v is not False}
    return El(tag, clean, tuple(flat))


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


# -- the model ----------------------------------------------------------------------------------------------------

PAGE_SIZE = 20
MAX_OFFSET_DIGITS = 9  # PlaceOS pages at most 10,000 per request; a billion is past any real list


@dataclass(frozen=True)
class Place:
    """Where the person is in the app; it is the URL's query, and it survives sign-in, reloads and history."""

    q: str = ""
    offset: int = 0
    system: str = ""

    def path(self) -> str:
        query = urlencode(
            {k: v for k, v in (("q", self.q), ("offset", self.offset or ""), ("system", self.system)) if v}
        )
        return "/" + (f"?{query}" if query else "")

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Place:
        """From the address bar, which anyone can write: a bad offset ('²', 5,000 digits, '-1') means the start."""
        return cls(
            q=query.get("q", "")[:200],
            offset=ascii_int(query.get("offset"), MAX_OFFSET_DIGITS) or 0,
            system=query.get("system", "")[:200],
        )


@dataclass(frozen=True)
class Notice:
    kind: str  # "warn" | "error" | "info"
    text: str
    actions: tuple[tuple[str, str], ...] = ()  # (label, action)


@dataclass
class Model:
    screen: Screen = field(default_factory=Loading)
    user: dict[str, Any] | None = None
    place: Place = field(default_factory=Place)
    systems: list[dict[str, Any]] | None = None
    total: int = 0
    has_next: bool = False
    loading: bool = False
    detail: dict[str, Any] | None = None
    list_error: str = ""
    notice: Notice | None = None
    expiry_notice: Notice | None = None


# -- rendering -----------------------------------------------------------------------------------------------------


def safe_href(value: object) -> str | None:
    """An http(s) URL from API data, or None: no javascript:, data: or whitespace tricks reach an href."""
    text = str(value or "")
    ok = text.lower().startswith(("http://", "https://")) and not any(ord(c) <= 0x20 or c == "\\" for c in text)
    return text if ok else None


def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def notice_el(notice: Notice, role: str = "status") -> El:
    return h(
        "div",
        {"class": f"notice {notice.kind}", "role": "alert" if notice.kind == "error" else role},
        h("span", {}, notice.text),
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
        h("div", {"class": "brand"}, h("span", {"class": "brand-mark", "aria-hidden": "true"}), "PlaceOS"),
        h("h1", {"id": "screen-title", "class": "error-title" if error else None, "tabindex": "-1"}, title),
        h("p", {}, message),
        h(
            "div",
            {"class": "actions"},
            [button(label, action, primary=i == 0, id=f"action-{action}") for i, (label, action) in enumerate(actions)],
        ),
    )


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
        h(
            "div",
            {"class": "brand"},
            h("span", {"class": "brand-mark", "aria-hidden": "true"}),
            h("span", {"class": "brand-name"}, "PlaceOS"),
        ),
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


def systems_view(model: Model) -> El:
    place = model.place
    search = h(
        "form",
        {"role": "search", "data-action": "search"},
        h("label", {"for": "search", "class": "visually-hidden"}, "Search systems"),
        h(
            "input",
            {
                "type": "search",
                "id": "search",
                "name": "q",
                "value": place.q,
                "placeholder": "Search rooms and systems",
                "autocomplete": "off",
            },
        ),
        h("button", {"type": "submit", "class": "primary"}, "Search"),
    )
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
    pages = max(1, -(-model.total // PAGE_SIZE))
    pager = h(
        "nav",
        {"class": "pager", "aria-label": "Pages"},
        button("← Previous", "page", str(max(0, place.offset - PAGE_SIZE)), disabled=place.offset == 0, id="prev-page"),
        h("span", {"class": "count"}, f"Page {place.offset // PAGE_SIZE + 1} of {pages}"),
        button("Next →", "page", str(place.offset + PAGE_SIZE), disabled=not model.has_next, id="next-page"),
    )
    return h(
        "section",
        {"aria-labelledby": "systems-title"},
        h("h1", {"id": "systems-title"}, "Systems"),
        h(
            "div",
            {"class": "toolbar"},
            search,
            h("span", {"class": "count", "id": "count", "aria-live": "polite"}, count),
        ),
        notice_el(Notice("error", model.list_error, (("Try again", "reload"),))) if model.list_error else None,
        body,
        pager if model.systems else None,
    )


DETAIL_FIELDS = [
    ("id", "ID"),
    ("code", "Code"),
    ("type", "Type"),
    ("email", "Email"),
    ("capacity", "Capacity"),
    ("bookable", "Bookable"),
    ("public", "Public"),
    ("approval", "Needs approval"),
    ("timezone", "Time zone"),
    ("features", "Features"),
    ("zones", "Zones"),
    ("modules", "Modules"),
    ("map_id", "Map"),
    ("installed_ui_devices", "UI devices"),
    ("version", "Version"),
    ("support_url", "Support"),
    ("created_at", "Created"),
    ("updated_at", "Updated"),
]


def format_value(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key in ("created_at", "updated_at") and isinstance(value, int):
        import time

        try:
            return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(value))
        except (OverflowError, OSError, ValueError):  # a time no calendar holds: show the number as it came
            return str(value)
    return str(value)


def detail_view(model: Model) -> El:
    system = model.detail or {}
    rows: list[Child] = []
    for key, label in DETAIL_FIELDS:
        value = system.get(key)
        href = safe_href(value) if key == "support_url" else None
        shown: El | str = (
            h("a", {"href": href, "rel": "noopener noreferrer", "target": "_blank"}, href)
            if href
            else format_value(key, value)
        )
        rows += [h("dt", {}, label), h("dd", {}, shown)]
    body = (
        h("p", {"class": "loading"}, "Loading…")
        if model.loading and not system
        else notice_el(Notice("error", model.list_error, (("Try again", "reload"),)))
        if model.list_error
        else h("dl", {"class": "detail-list"}, rows)
    )
    return h(
        "section",
        {"class": "card", "aria-labelledby": "detail-title"},
        h(
            "div",
            {"class": "detail-head"},
            h(
                "div",
                {},
                h(
                    "h1",
                    {"id": "detail-title", "tabindex": "-1"},
                    str(system.get("name") or model.place.system or "System"),
                ),
                h("p", {"class": "muted"}, str(system.get("description") or "")),
            ),
            button("← All systems", "back", id="back"),
        ),
        body,
    )


def render(model: Model) -> list[El]:
    screen = model.screen
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
    "El",
    "MAX_OFFSET_DIGITS",
    "Model",
    "Notice",
    "PAGE_SIZE",
    "Place",
    "button",
    "centered",
    "h",
    "render",
    "safe_href",
]
