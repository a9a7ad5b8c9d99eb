"""The systems list as the screen shows it: search, the filters PlaceOS's index takes (kept in the URL, shown as
chips), rows that are real links, the count and the pager. Pure: a function of the BrowseState."""

from __future__ import annotations

from app.browse.place import PAGE_SIZE
from app.browse.rows import free_note, free_switch, plural, seats, shown_rows, system_row
from app.browse.state import BrowseState
from app.ui.elements import Child, El, button, h, notice_el
from app.ui.screens import Notice


def search_form(q: str) -> El:
    field = {"type": "search", "id": "search", "name": "q", "value": q, "autocomplete": "off"}
    return h(
        "form",
        {"role": "search", "data-action": "search", "class": "search"},
        h("label", {"for": "search", "class": "visually-hidden"}, "Search systems"),
        h("input", {**field, "placeholder": "Name, code, email or feature"}),
        h("button", {"type": "submit", "class": "primary"}, "Search"),
    )


def _select(name: str, label: str, anyone: str, options: list[tuple[str, str]], chosen: str, off: bool) -> El:
    return h(
        "label",
        {"class": "filter"},
        label,
        h(
            "select",
            {"name": name, "id": f"filter-{name}", "disabled": off},
            h("option", {"value": ""}, anyone),
            [h("option", {"value": value, "selected": value == chosen}, text) for value, text in options],
        ),
    )


def filters_toggle(state: BrowseState) -> El:
    """On a phone the filters fold behind this button, which says how many are on (CSS shows it only there)."""
    place = state.place
    on = sum(map(bool, (place.building, place.level, place.capacity, place.bookable, place.free))) + len(place.features)
    expanded = "true" if state.filters_open else "false"
    attrs = {"type": "button", "class": "filters-toggle", "id": "filters-toggle", "data-action": "toggle_filters"}
    return h("button", {**attrs, "aria-expanded": expanded, "aria-controls": "filters"}, f"Filters ({on} on)")


def filters_form(state: BrowseState) -> El:
    place = state.place
    features = sorted(set(state.features_seen) | set(place.features))
    folded = "" if state.filters_open else " folded"
    return h(
        "form",
        {"class": "filters" + folded, "id": "filters", "data-action": "filter", "aria-labelledby": "filters-title"},
        h("h2", {"id": "filters-title", "class": "visually-hidden", "tabindex": "-1"}, "Filters"),
        _select("building", "Building", "Any building", state.buildings, place.building, False),
        _select("level", "Level", "Any level", state.levels if place.building else [], place.level, not place.building),
        h(
            "label",
            {"class": "filter"},
            "Seats, at least",
            h(
                "input",
                {"type": "number", "name": "capacity", "min": "1", "max": "99999", "value": place.capacity or ""},
            ),
        ),
        h(
            "fieldset",
            {"class": "filter features"},
            h("legend", {}, "Features"),
            [_check(f"feature:{f}", f, f, f in place.features) for f in features],
        ),
        _check("bookable", "true", "Bookable only", place.bookable),
        h("button", {"type": "submit"}, "Apply filters"),
    )


def _check(name: str, value: str, label: str, checked: bool) -> El:
    box = h("input", {"type": "checkbox", "name": name, "value": value, "checked": checked})
    return h("label", {"class": "check"}, box, label)


def filter_chips(state: BrowseState) -> Child:
    place, names = state.place, state.zone_names
    chips = []
    if place.building:
        chips.append(("building", f"Building: {names.get(place.building, place.building)}"))
    if place.level:
        chips.append(("level", f"Level: {names.get(place.level, place.level)}".replace("Level: Level", "Level")))
    if place.capacity:
        chips.append(("capacity", f"At least {seats(place.capacity)}"))
    chips += [(f"feature:{f}", f) for f in place.features]
    if place.bookable:
        chips.append(("bookable", "Bookable"))
    if place.free:
        chips.append(("free", "Free now"))
    if not chips:
        return None
    remove = {"type": "button", "class": "chip chip-remove", "data-action": "unfilter"}
    items = [
        h("li", {}, h("button", {**remove, "data-arg": key, "aria-label": f"Remove filter {text}"}, f"{text} ×"))
        for key, text in chips
    ]
    clear = {"type": "button", "class": "link", "data-action": "unfilter", "data-arg": "all"}
    items.append(h("li", {}, h("button", clear, "Clear all")))
    return h("ul", {"class": "active-filters", "aria-label": "Active filters"}, items)


def count_text(state: BrowseState) -> str:
    if not state.systems:
        return ""
    first, last = state.place.offset + 1, state.place.offset + len(state.systems)
    if state.total <= len(state.systems) and first == 1:
        return plural(state.total, "system", "systems")
    return f"{first:,}–{last:,} of {plural(state.total, 'system', 'systems')}"


def pager(state: BrowseState) -> Child:
    offset = state.place.offset
    pages = max(1, -(-state.total // PAGE_SIZE))
    if pages <= 1:
        return None
    current = offset // PAGE_SIZE + 1
    last = (pages - 1) * PAGE_SIZE
    jump = h(
        "form",
        {"class": "jump", "data-action": "goto"},
        h("label", {"for": "page-number"}, "Page"),
        h(
            "input",
            {
                "type": "number",
                "id": "page-number",
                "name": "page",
                "min": "1",
                "max": str(pages),
                "value": str(current),
            },
        ),
        h("span", {}, f"of {pages:,}"),
        h("button", {"type": "submit"}, "Go"),
    )
    return h(
        "nav",
        {"class": "pager", "aria-label": "Pages"},
        button("« First", "page", "0", disabled=offset == 0, id="first-page"),
        button("← Previous", "page", str(max(0, offset - PAGE_SIZE)), disabled=offset == 0, id="prev-page"),
        jump,
        button("Next →", "page", str(offset + PAGE_SIZE), disabled=not state.has_next, id="next-page"),
        button("Last »", "page", str(last), disabled=offset >= last, id="last-page"),
    )


def systems_view(state: BrowseState, base: str) -> El:
    place = state.place
    stale = state.loading and state.systems is not None and state.listed != place
    if state.systems is None:
        body: El = h("p", {"class": "loading", "role": "status"}, "Loading systems…" if state.loading else "")
    elif not state.systems and not stale:
        what = f"No systems match “{place.q}”" if place.q else "No systems"
        body = h(
            "div",
            {"class": "empty"},
            h("p", {}, what + (" with these filters." if place.filtered() else ".")),
            button("Clear filters", "unfilter", "all") if place.filtered() else None,
        )
    else:
        body = h(
            "ul",
            {
                "class": "systems stale" if stale else "systems",
                "aria-label": "Systems",
                "id": "systems-list",
                "tabindex": "-1",
                "aria-busy": "true" if stale else None,
            },
            [
                system_row(
                    s,
                    state.listed or place,
                    base,
                    state.rows_live.get(str(s.get("id"))),
                    state.clock(s.get("timezone")),
                )
                for s in shown_rows(state)
            ],
        )
    shown = state.listed or place
    note = f"Loading new results; these are still for “{shown.q}”." if stale and shown.q else "Loading new results…"
    return h(
        "section",
        {"aria-labelledby": "systems-title"},
        h("h1", {"id": "systems-title"}, "Systems"),
        h(
            "div",
            {"class": "toolbar"},
            search_form(place.q),
            free_switch(place),
            h("span", {"class": "count", "id": "count", "aria-live": "polite"}, count_text(state)),
        ),
        filters_toggle(state),
        filters_form(state),
        filter_chips(state),
        notice_el(Notice("error", state.list_error, (("Try again", "reload"),))) if state.list_error else None,
        h("p", {"class": "stale-note", "role": "status"}, note if stale else ""),
        h("p", {"class": "free-note", "id": "free-note", "role": "status"}, free_note(state))
        if (state.listed or place).free and state.systems and not stale
        else None,
        body,
        pager(state) if state.systems and not stale else None,
    )


__all__ = ["count_text", "filters_form", "filters_toggle", "pager", "systems_view"]
