"""What a person at a browser reads: the systems list (searched, filtered, paged) and a system's detail, loaded for
the place in the URL, and the actions that move between them. Answers to requests the person has since moved away
from are dropped."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.api.client import Page
from app.api.early import MAX_EARLY, recording
from app.browse.list_view import listed
from app.browse.place import MAX_FEATURES, MAX_OFFSET_DIGITS, PAGE_SIZE, Place
from app.core.errors import ApiError, AuthRequired, NotFound
from app.core.urls import ascii_int
from app.ui.elements import to_data
from app.ui.words import when

if TYPE_CHECKING:
    from app.shell.controller import App

STALE_SIGN_IN = "PlaceOS no longer accepts your sign-in."
SESSION_ENDED = "Your session has ended."


class Browse:
    def __init__(self, app: App) -> None:
        self._app = app
        self._generation = 0
        self._requested: list[str] = []  # the GET URLs the last refresh sent (app.early)

    async def refresh(self) -> None:
        app, model = self._app, self._app.model
        self._generation += 1
        generation = self._generation
        place, keep = model.place, False
        model.loading = True
        model.list_error, model.missing = "", False
        if model.detail is not None and model.detail.get("id") != place.system:
            model.detail, model.detail_times = None, {}  # another system: nothing of the last one shows
        app.show()
        try:
            # The person, the page and the filters' zones are asked for together, not one after another.
            main = (
                app.api.system(place.system, complete=True)
                if place.system
                else app.api.systems(place.q, place.offset, PAGE_SIZE, **place.api_filters())
            )
            with recording() as requested:  # what this page asks for, for the loader to ask early next time
                answer, *others = await asyncio.gather(main, self._user(), self._zones(place), return_exceptions=True)
            for outcome in (answer, *others):
                if isinstance(outcome, BaseException):
                    raise outcome
            if generation != self._generation:
                return
            if isinstance(answer, dict):
                model.detail = answer
                model.detail_times = {
                    k: when(answer.get(k), answer.get("timezone"), app.zone_time) for k in ("created_at", "updated_at")
                }
            elif isinstance(answer, Page):
                page = answer
                if not page.items and place.offset and page.total:  # past the end: the last page instead
                    self._app.go(place.listing(((page.total - 1) // PAGE_SIZE) * PAGE_SIZE), replace_entry=True)
                    return
                model.systems, model.total, model.listed = page.items, page.total, place
                model.features_seen.update(str(f)[:40] for s in page.items for f in listed(s.get("features")))
                model.has_next = page.next_url is not None
            await app.live.follow(place)
            app.session.signed_in_ok()
            keep = True
            self._requested = requested
        except AuthRequired as error:
            if generation == self._generation:
                app.upkeep.auth_required(SESSION_ENDED if error.expired else STALE_SIGN_IN)
        except NotFound:
            if generation == self._generation:
                model.missing, model.detail = bool(place.system), None
        except ApiError as error:
            if generation == self._generation:
                reference = f" (reference {error.request_id})" if error.request_id else ""
                model.list_error = f"{error}{reference}"
        finally:
            if generation == self._generation:
                model.loading = False
                app.show("detail-title" if place.system and (model.detail or model.missing) else None)
                if keep:
                    self.keep_page()

    def keeps_painted(self) -> bool:
        """Whether the page the loader drew from this tab's saved copy stays on screen a little longer: until the
        first answer, so that it is replaced by the same page, fresh, and never by "Loading…"; or until there is
        something to say, which the copy cannot show."""
        app = self._app
        model = app.model
        nothing_yet = model.systems is None and model.detail is None and not model.list_error and not model.missing
        said = model.notice is not None or model.expiry_notice is not None  # e.g. PlaceOS refused the kept token
        if app.painted and app.working and nothing_yet and not said:
            return True
        app.painted = False
        return False

    def keep_page(self) -> None:
        """This page as drawn, for the loader to show at once on this tab's next load of the same address."""
        app = self._app
        if app.shown is not None and app.board is None:
            nodes = [to_data(node) for node in app.shown]
            app.session.keep_page(app.navigator.current(), nodes, self._requested[:MAX_EARLY])

    async def _user(self) -> None:
        if self._app.model.user is None:
            self._app.model.user = await self._app.api.current_user()

    async def _zones(self, place: Place) -> None:
        """The buildings (once) and the chosen building's levels, for the filters and the names on their chips."""
        api, model = self._app.api, self._app.model
        try:
            if not model.buildings:
                model.buildings = _names((await api.zones(tags="building")).items)
            if place.building and place.building != model.levels_for:
                model.levels = _names((await api.zones(tags="level", parent_id=place.building)).items)
                model.levels_for = place.building
        except (ApiError, AuthRequired):
            return  # the filters are a help: without them the list still shows
        model.zone_names.update(dict(model.buildings) | dict(model.levels))

    def act(self, action: str, arg: str, form: dict[str, str]) -> bool:
        """The list's and the detail's actions; False for any other."""
        app, place = self._app, self._app.model.place
        if action == "search":
            app.go(replace(place.listing(0), q=form.get("q", "").strip()[:200]))
        elif action == "filter":
            app.go(filtered(place, form), focus_back="filters-title")
        elif action == "unfilter":
            app.go(unfiltered(place, arg), focus_back="filters-title")
        elif action == "page" and (offset := ascii_int(arg, MAX_OFFSET_DIGITS)) is not None:
            app.go(place.listing(offset), focus_back="systems-list")
        elif action == "goto" and (number := ascii_int(form.get("page", "").strip(), MAX_OFFSET_DIGITS)) is not None:
            last = max(0, (self._app.model.total - 1) // PAGE_SIZE)
            app.go(place.listing(min(max(number, 1) - 1, last) * PAGE_SIZE), focus_back="systems-list")
        elif action == "open" and arg:
            app.go(replace(place, system=arg[:200]))
        elif action == "back":
            app.go(place.listing(), focus_back=f"row-{place.system}")
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


__all__ = ["SESSION_ENDED", "STALE_SIGN_IN", "Browse", "filtered", "unfiltered"]
