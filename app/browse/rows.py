"""A listed room as the systems list draws it: a real link with its name, seats, description and features, and
its state now from the page's live bindings (app.browse.rooms binds the rows on screen); and the Free now switch,
which keeps only the rows whose state says free."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.browse.place import Place
from app.browse.state import BrowseState
from app.ui.elements import El, h, status_badge
from app.ui.words import clock_time, state_words, status_of


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def seats(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return ""
    return plural(value, "seat", "seats")


def listed(value: Any) -> list[Any]:
    """A list field of API data as a list, whatever arrived (a string or a number where a list was meant)."""
    return value if isinstance(value, list) else []


def system_name(system: dict[str, Any]) -> str:
    return str(system.get("name") or system.get("display_name") or "Unnamed system")


def row_state(live: dict[str, Any] | None, clock: Callable[[Any], str]) -> El:
    """A listed room's state in words beside a shape (never colour alone): "Free until 15:00", "In use until
    14:30", "Awaiting check-in"; empty, its space kept, while unknown or where PlaceOS has no Bookings for it."""
    words = state_words(live, clock) if live else ""
    if not words:
        return h("span", {"class": "row-state"})
    return status_badge(status_of(live), words, "row-state")


def system_row(
    system: dict[str, Any],
    place: Place,
    base: str,
    live: dict[str, Any] | None = None,
    clock: Callable[[Any], str] = clock_time,
) -> El:
    system_id = str(system.get("id", ""))
    features = [str(f) for f in listed(system.get("features"))][:4]
    meta = " · ".join(x for x in (str(system.get("type") or ""), str(system.get("code") or "")) if x)
    return h(
        "li",
        {},
        h(
            "a",
            {
                "class": "system-row",
                "href": replace(place, system=system_id).path(base),
                "data-action": "open",
                "data-arg": system_id,
                "id": f"row-{system_id}",
            },
            h("span", {"class": "system-name"}, system_name(system)),
            h(
                "span",
                {"class": "row-side"},
                row_state(live, clock),
                h("span", {"class": "seats"}, seats(system.get("capacity"))),
            ),
            h("span", {"class": "system-meta"}, str(system.get("description") or meta)),
            h("span", {"class": "chips"}, [h("span", {"class": "chip"}, f) for f in features]),
        ),
    )


def shown_rows(state: BrowseState) -> list[dict[str, Any]]:
    """The listed rooms on screen: all of them, or with Free now only those whose live state says free."""
    systems = state.systems or []
    if not (state.listed or state.place).free:
        return systems
    return [s for s in systems if status_of(state.rows_live.get(str(s.get("id")))) == "free"]


def free_note(state: BrowseState) -> str:
    """With Free now: how many of this page's rooms are free, or that their state is still being read."""
    systems = state.systems or []
    waiting = sum("status" not in state.rows_live.get(str(s.get("id")), {}) for s in systems)
    if waiting:
        return f"Checking which rooms are free now ({len(systems) - waiting} of {len(systems)} read)…"
    free = len(shown_rows(state))
    return (
        f"{plural(free, 'room', 'rooms')} of the {len(systems)} on this page {'is' if free == 1 else 'are'} free now."
    )


def free_switch(place: Place) -> El:
    """Free now, beside the count: on at once (no Apply), in the address like the filters."""
    attrs = {"type": "button", "class": "free-now", "id": "free-now", "data-action": "free_now"}
    return h("button", {**attrs, "aria-pressed": "true" if place.free else "false"}, "Free now")


__all__ = [
    "free_note",
    "free_switch",
    "listed",
    "plural",
    "row_state",
    "seats",
    "shown_rows",
    "system_name",
    "system_row",
]
