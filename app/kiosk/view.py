"""The kiosk board, drawn from app.kiosk.state: a clock, when it was last updated, a badge whenever what it shows
may be out of date (and when it tries again), and a grid of room tiles whose state is a word as well as a colour.
No buttons, no search, no sign-out: nobody stands at a lobby display to press them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.kiosk.state import BoardState, Room
from app.ui.elements import Child, El, brand, h, status_badge
from app.ui.words import clock_time, state_words, status_of

STALE_GRACE_S = 10  # a refresh under way is not "out of date" yet


@dataclass(frozen=True)
class SignIn:
    """What the shell knows of the display's sign-in, for the badge (app.shell.view.sign_in_problem)."""

    refused: bool = False  # PlaceOS answers but will not sign this display in: a person must
    offline: bool = False  # the last renewal could not reach PlaceOS: it comes back by itself
    failed: str = ""  # a sign-in's return that failed: its title and message


SignInProblem = SignIn | None


def _again(at: float | None, now: float) -> str:
    if at is None:
        return ""
    return " Trying again now." if at <= now else f" Trying again at {clock_time(at, seconds=True)}."


def badge(state: BoardState, sign_in: SignInProblem = None) -> tuple[str, str] | None:
    """What may be wrong with what the board shows, most serious first, and when it tries again. Nobody stands at a
    display to reload it: an outage says so and mends itself; only a refused sign-in asks for a person, and says
    what they must do and where."""
    sign_in = sign_in or SignIn()
    known = clock_time(state.updated_at or state.fetched_at, seconds=True)
    since = f" Showing what was known at {known}." if known else ""
    if sign_in.failed:
        return "signin", f"{sign_in.failed}{since}"
    if sign_in.refused:
        where = f" at {state.placeos}" if state.placeos else ""
        return "signin", (
            f"Sign-in needed: PlaceOS has no session for this display. An administrator must sign in to PlaceOS"
            f"{where} on this display; the board carries on by itself.{since}"
            f"{_again(state.sign_in_retry_at, state.now)}"
        )
    if sign_in.offline or state.offline:
        # The sooner of the board's next read and the renewal's next try: either one finds PlaceOS back.
        at = min((t for t in (state.retry_at, sign_in.offline and state.sign_in_retry_at) if t), default=None)
        return "offline", f"Offline: PlaceOS cannot be reached.{since}{_again(at, state.now)}"
    if state.problem:
        return "offline", f"{state.problem}{since}{_again(state.retry_at, state.now)}"
    if not state.connected and state.live_retry_at is not None:
        return "offline", f"Live updates paused.{since}{_again(state.live_retry_at, state.now)}"
    if state.fetched_at is not None and state.now - state.fetched_at > state.refresh_s + STALE_GRACE_S:
        return "stale", f"Out of date.{since}"
    if state.from_saved_copy:
        return "stale", f"Refreshing.{since}"
    return None


def seats(capacity: int | None) -> str:
    return "" if capacity is None else f"{capacity} seat" + ("" if capacity == 1 else "s")


TITLE_CHARS = 32  # a meeting's title on a tile, abbreviated at a word; its time is never cut


def short_title(title: str) -> str:
    if len(title) <= TITLE_CHARS:
        return title
    cut = title[:TITLE_CHARS].rsplit(" ", 1)[0] or title[:TITLE_CHARS]
    return cut.rstrip(" ,.;:-") + "…"


def booking(label: str, value: Any, until: bool) -> El | None:
    """A meeting's title (abbreviated) and its time (whole, in an element of its own); None for no usable one."""
    if not isinstance(value, dict) or not isinstance(value.get("title"), str) or not value["title"]:
        return None
    at = clock_time(value.get("event_end" if until else "event_start"))
    when = f"{'until' if until else 'at'} {at}" if at else ""
    return h(
        "p",
        {"class": "tile-booking"},
        h("span", {"class": "tile-title"}, label + short_title(value["title"])),
        h("span", {"class": "tile-when"}, when) if when else None,
    )


LATER_SHOWN = 2  # the rest of the day, as start times: more would not fit beside the seats at 1080p


def later_today(live: dict[str, Any]) -> str:
    """ "Later: 14:00 · 15:30 · 16:45 (+2)": today's meetings after the current and the next one."""
    bookings = live.get("bookings")
    if not isinstance(bookings, list):
        return ""
    shown = {
        (b.get("event_start"), b.get("title"))
        for b in (live.get("current_booking"), live.get("next_booking"))
        if isinstance(b, dict)
    }
    times = [
        at
        for b in bookings[:200]
        if isinstance(b, dict) and (b.get("event_start"), b.get("title")) not in shown
        if (at := clock_time(b.get("event_start")))
    ]
    if not times:
        return ""
    more = f" (+{len(times) - LATER_SHOWN})" if len(times) > LATER_SHOWN else ""
    return "Later: " + " · ".join(times[:LATER_SHOWN]) + more


def tile(room: Room, live: dict[str, Any]) -> El:
    known = status_of(live)
    people = live.get("people_count")
    crowd = (
        f"{people} {'person' if people == 1 else 'people'}"
        if isinstance(people, int) and not isinstance(people, bool) and people > 0
        else ""
    )
    # A free room's "current" booking would contradict it; a meeting under way is the one that matters.
    now = booking("", live.get("current_booking"), until=True) if known in ("busy", "pending") else None
    upcoming = booking("Next: ", live.get("next_booking"), until=False)
    return h(
        "li",
        {"class": f"tile tile-{known}", "data-room": room.id},
        h("h2", {"class": "tile-name"}, room.name),
        h(
            "p",
            {"class": "tile-status"},
            status_badge(known, state_words(live) or "No live state"),
            crowd and f" · {crowd}",
        ),
        now or upcoming or h("p", {"class": "tile-booking"}, "No more bookings today"),
        upcoming if now else None,
        h("p", {"class": "tile-meta"}, " · ".join(x for x in (seats(room.capacity), later_today(live)) if x)),
    )


def quiet_view(state: BoardState, problem: tuple[str, str] | None, updated: str) -> list[El]:
    """Quiet hours: a dim clock and one line of status, moving with the burn-in shift; the rooms come back by
    themselves when the hours end (their data kept fresh meanwhile)."""
    status = problem[1] if problem else (updated and f"Updated {updated}")
    return [
        h(
            "main",
            {"class": f"board board-quiet shift-{state.shift}", "id": "board"},
            h("time", {"class": "board-quiet-clock", "id": "board-clock"}, clock_time(state.now) if state.now else ""),
            h("p", {"class": "board-quiet-status", "id": "board-badge" if problem else "board-updated"}, status),
        )
    ]


def board_view(state: BoardState, sign_in: SignInProblem = None) -> list[El]:
    problem = badge(state, sign_in)
    updated = clock_time(state.updated_at, seconds=True)
    if state.quiet:
        return quiet_view(state, problem, updated)
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
            {"class": f"board shift-{state.shift}", "id": "board"},
            h(
                "header",
                {"class": "board-head"},
                brand(
                    h(
                        "h1",
                        {"class": "board-title"},
                        "Rooms",
                        h("span", {"class": "board-building"}, f" · {state.building}") if state.building else None,
                    )
                ),
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


__all__ = [
    "STALE_GRACE_S",
    "SignIn",
    "SignInProblem",
    "badge",
    "board_view",
    "booking",
    "later_today",
    "quiet_view",
    "seats",
    "short_title",
    "tile",
]
