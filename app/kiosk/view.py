"""The kiosk board, drawn from app.kiosk.state: a clock, when it was last updated, a badge whenever what it shows
may be out of date (and when it tries again), and a grid of room tiles whose state is a word as well as a colour.
No buttons, no search, no sign-out: nobody stands at a lobby display to press them."""

from __future__ import annotations

from typing import Any

from app.kiosk.state import BoardState, Room
from app.ui.elements import Child, El, brand, h
from app.ui.words import STATUS_WORDS, booking_line, clock_time

STALE_GRACE_S = 10  # a refresh under way is not "out of date" yet
SignInProblem = str | bool | None


def _again(at: float | None) -> str:
    return f" Trying again at {clock_time(at, seconds=True)}." if at else ""


def badge(state: BoardState, sign_in: SignInProblem = None) -> tuple[str, str] | None:
    """What may be wrong with what the board shows, most serious first, and when it tries again. `sign_in`: the
    shell's word on the sign-in, a failed return's "title: message", or True while a sign-in is needed."""
    known = clock_time(state.updated_at or state.fetched_at, seconds=True)
    since = f" Showing what was known at {known}." if known else ""
    if isinstance(sign_in, str):
        return "signin", f"{sign_in}{since}"
    if sign_in:
        return "signin", f"Sign-in needed. Reload this page to sign in.{since}{_again(state.sign_in_retry_at)}"
    if state.problem:
        return "offline", f"Offline: {state.problem}{since}{_again(state.retry_at)}"
    if not state.connected and state.live_retry_at is not None:
        return "offline", f"Live updates paused.{since}{_again(state.live_retry_at)}"
    if state.fetched_at is not None and state.now - state.fetched_at > state.refresh_s + STALE_GRACE_S:
        return "stale", f"Out of date.{since}"
    if state.from_saved_copy:
        return "stale", f"Refreshing.{since}"
    return None


def seats(capacity: int | None) -> str:
    return "" if capacity is None else f"{capacity} seat" + ("" if capacity == 1 else "s")


def tile(room: Room, live: dict[str, Any]) -> El:
    status = live.get("status")
    known = status if isinstance(status, str) and status in STATUS_WORDS else "unknown"
    word = STATUS_WORDS.get(known, "No live state")
    people = live.get("people_count")
    crowd = (
        f"{people} {'person' if people == 1 else 'people'}"
        if isinstance(people, int) and not isinstance(people, bool) and people > 0
        else ""
    )
    now = booking_line("", live.get("current_booking"), until=True)
    upcoming = booking_line("Next: ", live.get("next_booking"), until=False)
    return h(
        "li",
        {"class": f"tile tile-{known}", "data-room": room.id},
        h("h2", {"class": "tile-name"}, room.name),
        h("p", {"class": "tile-status"}, h("span", {"class": f"status status-{known}"}, word), crowd and f" · {crowd}"),
        h("p", {"class": "tile-booking"}, now or upcoming or "No bookings"),
        h("p", {"class": "tile-meta"}, " · ".join(x for x in (seats(room.capacity), upcoming if now else "") if x)),
    )


def board_view(state: BoardState, sign_in: SignInProblem = None) -> list[El]:
    problem = badge(state, sign_in)
    updated = clock_time(state.updated_at, seconds=True)
    body: Child
    if state.rooms:
        grid = state.grid
        body = h(
            "ul",
            {"class": f"board-grid cols-{grid.cols} rows-{grid.rows}", "aria-label": "Rooms"},
            [tile(room, state.live.get(room.id, {})) for room in state.visible()],
        )
    else:
        waiting = state.fetched_at is None
        body = h("p", {"class": "board-empty"}, "Reading the rooms from PlaceOS…" if waiting else "No rooms to show.")
    pages = state.pages
    return [
        h(
            "main",
            {"class": "board", "id": "board"},
            h(
                "header",
                {"class": "board-head"},
                brand(h("h1", {"class": "board-title"}, "Rooms")),
                h(
                    "div",
                    {"class": "board-status"},
                    h("span", {"class": f"badge badge-{problem[0]}", "role": "status", "id": "board-badge"}, problem[1])
                    if problem
                    else None,
                    h("span", {"class": "board-updated", "id": "board-updated"}, updated and f"Updated {updated}"),
                ),
                h("time", {"class": "board-clock", "id": "board-clock"}, clock_time(state.now) if state.now else ""),
            ),
            body,
            h("p", {"class": "board-pages", "id": "board-pages"}, f"Page {state.page % pages + 1} of {pages}")
            if pages > 1
            else None,
        )
    ]


__all__ = ["STALE_GRACE_S", "SignInProblem", "badge", "board_view", "seats", "tile"]
