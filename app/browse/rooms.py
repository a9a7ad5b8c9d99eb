"""What a person at a browser reads: the systems list (searched, filtered, paged) and a system's detail, loaded for
the place in the URL, and the actions that move between them. Answers to requests the person has since moved away
from are dropped. It owns the list's and the detail's state (app.browse.state), and takes the open room's live
values from app.api.live while a room is open."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.api.client import Page, PlaceOSClient
from app.api.early_answers import MAX_EARLY, recording
from app.api.live import Live
from app.api.realtime import Binding
from app.auth.session import AuthSession
from app.browse.list_view import listed
from app.browse.place import MAX_FEATURES, MAX_OFFSET_DIGITS, PAGE_SIZE, Place
from app.browse.state import BrowseState
from app.core.errors import ApiError, AuthRequired, NotFound
from app.core.ports import Navigator, ZoneTime
from app.core.urls import ascii_int
from app.ui.host import Host
from app.ui.words import when

STALE_SIGN_IN = "PlaceOS no longer accepts your sign-in."
SESSION_ENDED = "Your session has ended."
LIVE_STATE = ("status", "in_use", "people_count", "current_booking", "next_booking")  # of Bookings_1


class Browse:
    def __init__(
        self,
        host: Host,
        state: BrowseState,
        *,
        api: PlaceOSClient,
        live: Live,
        session: AuthSession,
        navigator: Navigator,
        zone_time: ZoneTime,
        auth_required: Callable[[str], None],
        keep_page: Callable[[list[str]], None],
    ) -> None:
        self._host = host
        self.state = state
        self._api = api
        self._live = live
        self._session = session
        self._navigator = navigator
        self._zone_time = zone_time
        self._auth_required = auth_required  # expired or refused: app.shell.session_keeper decides what follows
        self._keep_page = keep_page  # this page as drawn, for the loader to show at once on the next load
        self._generation = 0
        self._requested: list[str] = []  # the GET URLs the last refresh sent (app.api.early_answers)
        self._unsubscribe: Callable[[], None] | None = None
        self.painted = False  # the loader drew this tab's last page: it stays until fresh data

    async def refresh(self) -> None:
        host, state = self._host, self.state
        self._generation += 1
        generation = self._generation
        place, keep = state.place, False
        state.loading = True
        state.list_error, state.missing = "", False
        if state.detail is not None and state.detail.get("id") != place.system:
            state.detail, state.detail_times = None, {}  # another system: nothing of the last one shows
        host.show()
        try:
            # The person, the page and the filters' zones are asked for together, not one after another.
            main = (
                self._api.system(place.system, complete=True)
                if place.system
                else self._api.systems(place.q, place.offset, PAGE_SIZE, **place.api_filters())
            )
            with recording() as requested:  # what this page asks for, for the loader to ask early next time
                answer, *others = await asyncio.gather(main, self._user(), self._zones(place), return_exceptions=True)
            for outcome in (answer, *others):
                if isinstance(outcome, BaseException):
                    raise outcome
            if generation != self._generation:
                return
            if isinstance(answer, dict):
                state.detail = answer
                state.detail_times = {
                    k: when(answer.get(k), answer.get("timezone"), self._zone_time)
                    for k in ("created_at", "updated_at", "signage_last_seen")
                }
            elif isinstance(answer, Page):
                page = answer
                if not page.items and place.offset and page.total:  # past the end: the last page instead
                    self.go(place.listing(((page.total - 1) // PAGE_SIZE) * PAGE_SIZE), replace_entry=True)
                    return
                state.systems, state.total, state.listed = page.items, page.total, place
                state.features_seen.update(str(f)[:40] for s in page.items for f in listed(s.get("features")))
                state.has_next = page.next_url is not None
            await self._follow(place)
            self._session.signed_in_ok()
            keep = True
            self._requested = requested
        except AuthRequired as error:
            if generation == self._generation:
                self._auth_required(SESSION_ENDED if error.expired else STALE_SIGN_IN)
        except NotFound:
            if generation == self._generation:
                state.missing, state.detail = bool(place.system), None
        except ApiError as error:
            if generation == self._generation:
                reference = f" (reference {error.request_id})" if error.request_id else ""
                state.list_error = f"{error}{reference}"
        finally:
            if generation == self._generation:
                state.loading = False
                host.show("detail-title" if place.system and (state.detail or state.missing) else None)
                if keep:
                    self._keep_page(self._requested[:MAX_EARLY])

    def keeps_painted(self, said: bool) -> bool:
        """Whether the page the loader drew from this tab's saved copy stays on screen a little longer: until the
        first answer, so that it is replaced by the same page, fresh, and never by "Loading…"; or until there is
        something to say (`said`: e.g. PlaceOS refused the kept token), which the copy cannot show."""
        state = self.state
        nothing_yet = state.systems is None and state.detail is None and not state.list_error and not state.missing
        if self.painted and self._host.working and nothing_yet and not said:
            return True
        self.painted = False
        return False

    async def _follow(self, place: Place) -> None:
        """Bind the open system's live state, and nothing else: what leaves the screen is unbound."""
        state = self.state
        if place.system != state.live_system:
            state.live, state.live_system = {}, place.system
        if place.system and self._unsubscribe is None:
            self._unsubscribe = self._live.subscribe(self._live_value)
        elif not place.system and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        wanted = {Binding(place.system, "Bookings", 1, name) for name in LIVE_STATE} if place.system else set()
        await self._live.keep_only(wanted)

    def _live_value(self, binding: Binding, value: Any) -> None:
        state = self.state
        if binding.sys == state.place.system == state.live_system:
            state.live[binding.name] = value
            if self._host.working:
                self._host.show()

    async def _user(self) -> None:
        if self.state.user is None:
            self.state.user = await self._api.current_user()

    async def _zones(self, place: Place) -> None:
        """The buildings (once) and the chosen building's levels, for the filters and the names on their chips."""
        api, state = self._api, self.state
        try:
            if not state.buildings:
                state.buildings = _names((await api.zones(tags="building")).items)
            if place.building and place.building != state.levels_for:
                state.levels = _names((await api.zones(tags="level", parent_id=place.building)).items)
                state.levels_for = place.building
        except (ApiError, AuthRequired):
            return  # the filters are a help: without them the list still shows
        state.zone_names.update(dict(state.buildings) | dict(state.levels))

    def go(self, place: Place, focus_back: str | None = None, replace_entry: bool = False) -> None:
        """To another place: a new history entry (or this one, replaced), then its data."""
        self.state.place = place
        path = place.path(self.state.base_path)
        self._navigator.replace(path) if replace_entry else self._navigator.push(path)
        self._host.spawn(self._load_then_focus(focus_back))

    async def _load_then_focus(self, focus: str | None) -> None:
        await self.refresh()
        if focus:
            self._host.show(focus)

    def act(self, action: str, arg: str, form: dict[str, str]) -> bool:
        """The list's and the detail's actions; False for any other."""
        place = self.state.place
        if action == "search":
            self.go(replace(place.listing(0), q=form.get("q", "").strip()[:200]))
        elif action == "filter":
            self.go(filtered(place, form), focus_back="filters-title")
        elif action == "unfilter":
            self.go(unfiltered(place, arg), focus_back="filters-title")
        elif action == "page" and (offset := ascii_int(arg, MAX_OFFSET_DIGITS)) is not None:
            self.go(place.listing(offset), focus_back="systems-list")
        elif action == "goto" and (number := ascii_int(form.get("page", "").strip(), MAX_OFFSET_DIGITS)) is not None:
            last = max(0, (self.state.total - 1) // PAGE_SIZE)
            self.go(place.listing(min(max(number, 1) - 1, last) * PAGE_SIZE), focus_back="systems-list")
        elif action == "toggle_filters":
            self.state.filters_open = not self.state.filters_open
            self._host.show("filters-toggle")
        elif action == "open" and arg:
            self.go(replace(place, system=arg[:200]))
        elif action == "back":
            self.go(place.listing(), focus_back=f"row-{place.system}")
        else:
            return False
        return True


def filtered(place: Place, form: dict[str, str]) -> Place:
    """The place with the filter form's choices (as read from a form anyone could post: checked strictly)."""
    building = form.get("building", "")[:100]
    chosen = (v.strip()[:40].strip() for k, v in sorted(form.items()) if k.startswith("feature:"))
    features = tuple(dict.fromkeys(f for f in chosen if f and "," not in f))  # a comma would split it in the URL
    return replace(
        place.listing(0),
        building=building,
        level=form.get("level", "")[:100] if building and building == place.building else "",
        capacity=ascii_int(form.get("capacity", "").strip(), 5) or 0,
        features=features[:MAX_FEATURES],
        bookable=form.get("bookable") == "true",
    )


def unfiltered(place: Place, which: str) -> Place:
    """The place without one filter (a chip's ×), or without any ("all")."""
    listing = place.listing(0)
    if which == "all":
        return Place(q=place.q)
    if which == "building":
        return replace(listing, building="", level="")
    if which in ("level", "capacity", "bookable"):
        return replace(listing, **{which: type(getattr(place, which))()})
    if which.startswith("feature:"):
        return replace(listing, features=tuple(f for f in place.features if f != which.removeprefix("feature:")))
    return place


def _names(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(z.get("id")), str(z.get("name") or z.get("id"))) for z in records]


__all__ = ["LIVE_STATE", "SESSION_ENDED", "STALE_SIGN_IN", "Browse", "filtered", "unfiltered"]
