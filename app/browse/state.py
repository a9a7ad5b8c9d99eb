"""What the rooms list and a room's detail show, owned by app.browse.rooms and drawn by the list and detail views:
where the person is (the place in the URL), what PlaceOS answered for it, and the open room's live state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.browse.place import Place
from app.core.config import ClientConfig
from app.core.urls import origin_of
from app.ui.words import clock_time


class OwnPage(Protocol):
    """A developer's own pages (app.pages.runner), as the rooms list hands a place to them and their actions."""

    async def show(self, place: Place) -> None: ...

    async def list_pages(self, shown: str = "") -> None: ...

    async def act(self, arg: str) -> None: ...

    def saved(self, event: str) -> None: ...  # serve.py --reload: a file was saved


@dataclass
class BrowseState:
    place: Place = field(default_factory=Place)
    user: dict[str, Any] | None = None  # the person signed in, for the header
    systems: list[dict[str, Any]] | None = None
    total: int = 0
    has_next: bool = False
    loading: bool = False
    detail: dict[str, Any] | None = None
    list_error: str = ""
    listed: Place | None = None  # the place the systems on screen were found for (a new query may be loading)
    missing: bool = False  # the open system does not exist
    zone_names: dict[str, str] = field(default_factory=dict)  # zone id -> name, for the filters and their chips
    buildings: list[tuple[str, str]] = field(default_factory=list)  # (id, name), as the building filter offers
    levels: list[tuple[str, str]] = field(default_factory=list)  # the levels of the building `levels_for`
    levels_for: str = ""
    features_seen: set[str] = field(default_factory=set)  # every feature the lists so far have shown, to filter by
    detail_times: dict[str, str] = field(default_factory=dict)  # created_at, updated_at in the room's and your time
    live: dict[str, Any] = field(default_factory=dict)  # the open system's live state, by status name
    live_system: str = ""  # whose live state `live` holds
    base_path: str = "/"  # where the app lives: its links are under it
    image_origins: tuple[str, ...] = ()  # where rooms' pictures may load from (the CSP's img-src)
    filters_open: bool = False  # on a phone, the filters unfolded (wider screens always show them)
    rows_live: dict[str, dict[str, Any]] = field(default_factory=dict)  # the listed rooms' Bookings state, by id
    clocks: dict[tuple[float, str], str] = field(default_factory=dict)  # (moment, zone) -> "15:26 AEDT" or "15:26"

    def clock(self, zone: Any) -> Callable[[Any], str]:
        """A time of day as read in a room of this zone (read once when its live value came, app.browse.rooms)."""
        key = zone if isinstance(zone, str) else ""
        return lambda moment: self.clocks.get((moment, key)) or clock_time(moment)

    @classmethod
    def for_config(cls, config: ClientConfig, place: Place | None = None) -> BrowseState:
        """Nothing read yet, for this configuration: links under its base path, pictures from its origins."""
        origins = tuple(dict.fromkeys(origin_of(u) for u in (config.placeos_base, config.redirect_uri)))
        return cls(place=place or Place(), base_path=config.base_path, image_origins=origins)


__all__ = ["BrowseState", "OwnPage"]
