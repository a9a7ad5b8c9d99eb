"""A system's detail card: its fields, as text, with the one link API data may carry checked first."""

from __future__ import annotations

import time
from typing import Any

from .elements import Child, El, button, h, notice_el
from .livetext import STATUS_WORDS, booking_line
from .model import Model, Notice


def safe_href(value: object) -> str | None:
    """An http(s) URL from API data, or None: no javascript:, data: or whitespace tricks reach an href."""
    text = str(value or "")
    ok = text.lower().startswith(("http://", "https://")) and not any(ord(c) <= 0x20 or c == "\\" for c in text)
    return text if ok else None


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
        try:
            return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(value))
        except (OverflowError, OSError, ValueError):  # a time no calendar holds: show the number as it came
            return str(value)
    return str(value)


def _booking(label: str, booking: Any, until: bool) -> Child:
    line = booking_line(f"{label}: ", booking, until)
    return h("p", {"class": "live-booking"}, line) if line else None


def live_section(model: Model) -> Child:
    """The room's state as PlaceOS's websocket says it now: a word as well as a colour, and only text."""
    live = model.live
    if "status" not in live:
        return None
    status = str(live["status"])
    word = STATUS_WORDS.get(status, status.capitalize() or "Unknown")
    people = live.get("people_count")
    return h(
        "section",
        {"class": "live", "aria-labelledby": "live-title", "id": "live"},
        h("h2", {"id": "live-title"}, "Now"),
        h("p", {}, h("span", {"class": f"status status-{status if status in STATUS_WORDS else 'unknown'}"}, word)),
        h("p", {}, f"{people} {'person' if people == 1 else 'people'} in the room")
        if isinstance(people, int) and not isinstance(people, bool)
        else None,
        _booking("Now", live.get("current_booking"), until=True),
        _booking("Next", live.get("next_booking"), until=False),
    )


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
        live_section(model),
        body,
    )


__all__ = ["DETAIL_FIELDS", "STATUS_WORDS", "detail_view", "format_value", "live_section", "safe_href"]
