"""What a person at a browser reads: the systems list (searched, filtered, paged) and a system's detail, loaded for
the place in the URL, and the actions that move between them. Answers to requests the person has since moved away
from are dropped. It owns the list's and the detail's state (app.browse.state), and takes the open room's live
values from app.api.live while a room is open."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.api.client import Page, PlaceOSClient
from app.api.early_answers import MAX_EARLY, recording
from app.api.frames import Binding
from app.api.live import Live
from app.auth.session import AuthSession
from app.browse.place import MAX_OFFSET_DIGITS, PAGE_SIZE, Place, filtered, place_from, unfiltered
from app.browse.rows import listed
from app.browse.state import BrowseState
from app.core.errors import ApiError, AuthRequired, NotFound
from app.core.ports import Navigator, ZoneClock, ZoneTime
from app.core.urls import ascii_int
from app.ui.host import Host
from app.ui.words import booking_moments, room_clock, when

if TYPE_CHECKING:  # a developer's pages load only where serve.py serves some (app.shell.units)
    from app.browse.state import OwnPage

STALE_SIGN_IN = "PlaceOS no longer accepts your sign-in."
SESSION_ENDED = "Your session has ended."
LIVE_STATE = ("status", "in_use", "people_count", "current_booking", "next_booking")  # of Bookings_1
ROW_STATE = ("status", "current_booking", "next_booking")  # a listed room's: free, until when
MAX_CLOCKS = 2000  # times of day read in rooms' zones, kept for the views (a page shows a few dozen)
DRAW_AFTER_S = 0.05  # live values arriving together (a page's rows bound at once) are drawn once


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
        zone_clock: ZoneClock,
        auth_required: Callable[[str], None],
        keep_page: Callable[[list[str]], None],
        pages: OwnPage | None = None,
    ) -> None:
        self._host = host
        self.state = state
        self._api = api
        self._live = live
        self._session = session
        self._navigator = navigator
        self._zone_time = zone_time
        self._zone_clock = zone_clock
        self._auth_required = auth_required  # expired or refused: app.shell.session_keeper decides what follows
        self._keep_page = keep_page  # this page as drawn, for the loader to show at once on the next load
        self.pages = pages  # a developer's own pages (serve.py --pages), None where there are none
        self._generation = 0
        self._requested: list[str] = []  # the GET URLs the last refresh sent (app.api.early_answers)
        self._unsubscribe: Callable[[], None] | None = None
        self._row_zones: dict[str, Any] = {}  # each listed room's time zone
        self._draw_due = False
        self.painted = False  # the loader drew this tab's last page: it stays until fresh data

    async def refresh(self) -> None:
        host, state = self._host, self.state
        self._generation += 1
        generation, place, keep = self._generation, state.place, False
        if self.pages is not None:
            host.spawn(self.pages.list_pages(place.page))
        if place.page and self.pages is not None:  # a page of one's own reads live values through its api
            await asyncio.gather(self._live.keep_only(set()), self._user(), return_exceptions=True)  # its load says
            return await self.pages.show(place)
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
        """Bind what is on screen and nothing else: the open room's live state, or each listed room's Bookings
        state (free, until when); what leaves the screen is unbound."""
        state = self.state
        if place.system != state.live_system:
            state.live, state.live_system = {}, place.system
        listed = [] if place.system else [s for s in state.systems or [] if isinstance(s.get("id"), str) and s["id"]]
        self._row_zones = {s["id"]: s.get("timezone") for s in listed}
        state.rows_live = {sys: state.rows_live.get(sys, {}) for sys in self._row_zones}  # still listed: still known
        if self._unsubscribe is None:
            self._unsubscribe = self._live.subscribe(self._live_value)
        if place.system:
            wanted = {Binding(place.system, "Bookings", 1, name) for name in LIVE_STATE}
        else:
            wanted = {Binding(sys, "Bookings", 1, name) for sys in self._row_zones for name in ROW_STATE}
        # What stays bound is not sent again (a row's status is the opened room's): the socket knows it from before,
        # even a value that came between two screens (a room opened, its data on the way).
        for binding, value in self._live.known.items():
            if binding in wanted:
                (state.live if place.system else state.rows_live[binding.sys])[binding.name] = value
        await self._live.keep_only(wanted)

    def _live_value(self, binding: Binding, value: Any) -> None:
        """A live value (None: PlaceOS has no Bookings for the room) for the open room or a listed one."""
        state = self.state
        if binding.sys == state.place.system == state.live_system:
            live, zone = state.live, (state.detail or {}).get("timezone")
        elif not state.place.system and binding.sys in state.rows_live and binding.name in ROW_STATE:
            live, zone = state.rows_live[binding.sys], self._row_zones.get(binding.sys)
        else:
            return
        live[binding.name] = value
        if len(state.clocks) > MAX_CLOCKS:
            state.clocks.clear()
        for moment in booking_moments(live):
            key = (moment, zone if isinstance(zone, str) else "")
            if key not in state.clocks:
                state.clocks[key] = room_clock(moment, zone, self._zone_clock)
        if not self._draw_due:
            self._draw_due = True
            self._host.spawn(self._draw())

    async def _draw(self) -> None:
        await asyncio.sleep(DRAW_AFTER_S)
        self._draw_due = False
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
        elif action == "free_now":  # the Free now switch beside the list: applies at once
            self.go(replace(place.listing(0), free=not place.free))
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
            self.go(replace(place, system=arg[:200], page=""))
        elif action == "to_place":  # the navigation, and a page's links: the place a relative address names
            self.go(place_from(arg[:2000]))
        elif action == "page_act" and self.pages is not None:
            self._host.spawn(self.pages.act(arg))
        elif action == "back":
            self.go(place.listing(), focus_back=f"row-{place.system}")
        else:
            return False
        return True


def _names(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(z.get("id")), str(z.get("name") or z.get("id"))) for z in records]


__all__ = ["LIVE_STATE", "ROW_STATE", "SESSION_ENDED", "STALE_SIGN_IN", "Browse"]
