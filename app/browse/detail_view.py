"""A system's detail card, grouped as Backoffice groups it (About, Booking, Location, Devices, Record): zones and
modules by name, the email a mailto link, times in the room's zone and the viewer's, pictures where PlaceOS keeps
them. All as text; the only links are http(s) URLs and a checked mailto."""

from __future__ import annotations

import time
from typing import Any

from app.browse.rows import listed, seats, system_name
from app.browse.state import BrowseState
from app.core.urls import origin_of
from app.ui.elements import Child, El, h, notice_el, status_badge
from app.ui.links import breakable, mail_href, safe_href
from app.ui.screens import Notice
from app.ui.words import booking_line, state_words, status_of


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


def _link(href: str | None, text: str) -> Child:
    shown = breakable(text) if href and text == href.removeprefix("mailto:") else [text]
    return h("a", {"href": href, "rel": "noopener noreferrer", "target": "_blank"}, shown) if href else None


def _zone(system: dict[str, Any], tag: str) -> str:
    for zone in listed(system.get("zone_data")):
        if isinstance(zone, dict) and tag in listed(zone.get("tags")):
            return str(zone.get("display_name") or zone.get("name") or zone.get("id") or "")
    return ""


def _map(system: dict[str, Any]) -> Child:
    """Where the room is on its level's floor plan. A system's map_id names its shape inside the level's map (an
    SVG id, meaningless to a person): the level's map as a link where PlaceOS gives one, else the level by name."""
    if not system.get("map_id"):
        return "—"
    for zone in listed(system.get("zone_data")):
        if isinstance(zone, dict) and "level" in listed(zone.get("tags")):
            name = str(zone.get("display_name") or zone.get("name") or "its level")
            href = safe_href(zone.get("map_id"))
            return _link(href, f"{name} floor plan") if href else f"Marked on the {name} floor plan"
    return "Marked on its level's floor plan"


def _modules(system: dict[str, Any]) -> Child:
    records = [m for m in listed(system.get("module_data")) if isinstance(m, dict)]
    if not records:
        count = len(listed(system.get("modules")))
        return format_value("modules", None) if not count else f"{count} (names not available)"
    items = []
    for module in records:
        name = str(module.get("custom_name") or module.get("name") or module.get("id") or "Module")
        about = str(module.get("notes") or "")
        state = "" if module.get("connected") is not False else " (offline)"
        items.append(h("li", {}, name + (f" · {about}" if about else "") + state))
    return h("ul", {"class": "plain"}, items)


def _rows(system: dict[str, Any], state: BrowseState) -> list[tuple[str, list[tuple[str, Child]]]]:
    """The groups, each a heading and its (label, value) rows, for this system."""
    times = state.detail_times
    features = [str(f) for f in listed(system.get("features"))]
    return [
        (
            "About",
            [
                ("Type", format_value("type", system.get("type"))),
                ("Code", format_value("code", system.get("code"))),
                ("Capacity", seats(system.get("capacity")) or "—"),
                (
                    "Email",
                    _link(mail_href(system.get("email")), str(system.get("email")))
                    or format_value("email", system.get("email")),
                ),
                (
                    "Features",
                    h("span", {"class": "chips"}, [h("span", {"class": "chip"}, f) for f in features])
                    if features
                    else "—",
                ),
                ("Support", _link(safe_href(system.get("support_url")), str(system.get("support_url"))) or "—"),
            ],
        ),
        (
            "Booking",
            [
                ("Bookable", format_value("bookable", system.get("bookable"))),
                ("Needs approval", format_value("approval", system.get("approval"))),
                ("Public", format_value("public", system.get("public"))),
                ("Booking page", _link(safe_href(system.get("room_booking_url")), "Open the booking page") or "—"),
            ],
        ),
        (
            "Location",
            [
                ("Building", _zone(system, "building") or "—"),
                ("Level", _zone(system, "level") or "—"),
                ("Time zone", format_value("timezone", system.get("timezone"))),
                ("Map", _map(system)),
            ],
        ),
        (
            "Devices",
            [
                ("Modules", _modules(system)),
                ("Touch panels", format_value("ui", system.get("installed_ui_devices"))),
                # A wall display's heartbeat (its board's signage request): when PlaceOS last saw it alive.
                ("Display last seen", times.get("signage_last_seen") or "—"),
            ],
        ),
        (
            "Record",
            [
                ("ID", format_value("id", system.get("id"))),
                ("Version", format_value("version", system.get("version"))),
                ("Created", times.get("created_at") or format_value("created_at", system.get("created_at"))),
                ("Updated", times.get("updated_at") or format_value("updated_at", system.get("updated_at"))),
            ],
        ),
    ]


def images(system: dict[str, Any], origins: tuple[str, ...]) -> Child:
    """The room's pictures, from where the page may load them (its own origin, PlaceOS's); others as links."""
    shown: list[Child] = []
    for n, url in enumerate(listed(system.get("images"))[:3], start=1):
        href = safe_href(url)
        if not href:
            continue
        if origin_of(href) in origins:
            shown.append(h("img", {"src": href, "alt": f"Photo {n} of {system_name(system)}", "class": "photo"}))
        else:
            shown.append(_link(href, f"Photo {n}"))
    return h("div", {"class": "photos"}, shown) if shown else None


def live_section(state: BrowseState) -> Child:
    """The room's state as PlaceOS's websocket says it now, in the Bookings driver's meaning of each state (busy: a
    meeting someone checked in to; pending: one that has started and nobody has checked in to; free: none now),
    so that its lines agree; times as read in the room, marked where its zone is not the viewer's. Only text."""
    live = state.live
    if live.get("status") is None:  # nothing known yet, or PlaceOS has no Bookings module for the room
        return None
    status, clock = status_of(live), state.clock((state.detail or {}).get("timezone"))
    raw = str(live["status"])[:40]
    words = state_words(live, clock) or raw.replace("_", " ").capitalize() or "Unknown"
    people = live.get("people_count")
    current = live.get("current_booking") if status in ("busy", "pending") else None  # free: nothing on now
    lines = (
        booking_line("Now: " if status == "busy" else "Booked now: ", current, until=True, clock=clock),
        "Nobody has checked in yet." if status == "pending" and current else "",
        booking_line("Next: ", live.get("next_booking"), until=False, clock=clock),
    )
    return h(
        "section",
        {"class": "live", "aria-labelledby": "live-title", "id": "live"},
        h("h2", {"id": "live-title"}, "Now"),
        h("p", {}, status_badge(status, words)),
        h("p", {}, f"{people} {'person' if people == 1 else 'people'} in the room")
        if isinstance(people, int) and not isinstance(people, bool) and people >= 0
        else None,
        [h("p", {"class": "live-booking"}, line) for line in lines if line],
    )


def _pair(label: str, value: Child) -> tuple[El, El]:
    return h("dt", {}, label), h("dd", {}, value)


def known_name(state: BrowseState) -> str:
    """The open system's name: from its record, else from the list it was opened from; never its raw id."""
    if state.detail:
        return system_name(state.detail)
    for system in state.systems or []:
        if str(system.get("id")) == state.place.system:
            return system_name(system)
    return "System"


def detail_view(state: BrowseState) -> El:
    system = state.detail or {}
    if state.missing:
        title, lead = (
            "System not found",
            f"PlaceOS has no system “{state.place.system}”. It may have been removed, or the link is wrong.",
        )
        body: Child = None
    else:
        title, lead = known_name(state), str(system.get("description") or "")
        groups = [
            h(
                "section",
                {"class": "group", "aria-labelledby": f"group-{n}"},
                h("h2", {"id": f"group-{n}"}, heading),
                h("dl", {"class": "detail-list"}, [pair for label, value in rows for pair in _pair(label, value)]),
            )
            for n, (heading, rows) in enumerate(_rows(system, state))
        ]
        error = notice_el(Notice("error", state.list_error, (("Try again", "reload"),))) if state.list_error else None
        loading = state.loading and not system
        grouped = h("div", {"class": "groups"}, groups) if system else None
        body = h("p", {"class": "loading", "role": "status"}, "Loading…") if loading else h("div", {}, error, grouped)
    back = state.place.listing().path(state.base_path)
    return h(
        "section",
        {"class": "card detail", "aria-labelledby": "detail-title"},
        h(
            "div",
            {"class": "detail-head"},
            h("div", {}, h("h1", {"id": "detail-title", "tabindex": "-1"}, title), h("p", {"class": "muted"}, lead)),
            h("a", {"href": back, "class": "button", "data-action": "back", "id": "back"}, "← All systems"),
        ),
        images(system, state.image_origins),
        live_section(state),
        body,
    )


__all__ = ["detail_view", "format_value", "images", "known_name", "live_section"]
