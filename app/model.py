"""The app's state as the screen needs it: where the person is (Place, which is the URL's query), what is on
screen, and the notices over it. Plain data; app.view renders it and app.controller changes it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .screens import Loading, Screen
from .urls import ascii_int, parse_qsl, urlencode
from .urls import split as urlsplit

if TYPE_CHECKING:
    from .board_state import BoardState
    from .console_text import ConsoleState
    from .doctor import DoctorState

PAGE_SIZE = 20
MAX_OFFSET_DIGITS = 9  # PlaceOS pages at most 10,000 per request; a billion is past any real list


MAX_FEATURES = 8


@dataclass(frozen=True)
class Place:
    """Where the person is in the app; it is the URL's query, and it survives sign-in, reloads and history. The
    filters are those PlaceOS's systems index takes: a zone (a building, or a level in it), a capacity at least N,
    features (all of them), bookable only."""

    q: str = ""
    offset: int = 0
    system: str = ""
    building: str = ""
    level: str = ""
    capacity: int = 0
    features: tuple[str, ...] = ()
    bookable: bool = False

    def _pairs(self) -> list[tuple[str, object]]:
        pairs: list[tuple[str, object]] = [
            ("q", self.q),
            ("building", self.building),
            ("level", self.level),
            ("capacity", self.capacity or ""),
            ("features", ",".join(self.features)),
            ("bookable", "true" if self.bookable else ""),
            ("offset", self.offset or ""),
            ("system", self.system),
        ]
        return [(k, v) for k, v in pairs if v]

    def path(self, base: str = "/") -> str:
        """The address of this place under the app's base path."""
        query = urlencode(self._pairs())
        return base + (f"?{query}" if query else "")

    def listing(self, offset: int | None = None) -> Place:
        """The list this place is in (no system open), at `offset` if given."""
        return replace(self, system="", offset=self.offset if offset is None else offset)

    def filtered(self) -> bool:
        return bool(self.building or self.level or self.capacity or self.features or self.bookable)

    def api_filters(self) -> dict[str, str]:
        """The filters as PlaceOS's systems index takes them (a level is inside its building: the level is enough)."""
        found = {
            "zone_id": self.level or self.building,
            "capacity": str(self.capacity) if self.capacity else "",
            "features": ",".join(self.features),
            "bookable": "true" if self.bookable else "",
        }
        return {k: v for k, v in found.items() if v}

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Place:
        """From the address bar, which anyone can write: a bad offset ('²', 5,000 digits, '-1') means the start,
        a bad capacity none; overlong values are cut, and at most a few features are kept."""
        features = tuple(
            dict.fromkeys(f.strip()[:40].strip() for f in query.get("features", "").split(",") if f.strip())
        )
        return cls(
            q=query.get("q", "")[:200],
            offset=ascii_int(query.get("offset"), MAX_OFFSET_DIGITS) or 0,
            system=query.get("system", "")[:200],
            building=query.get("building", "")[:100],
            level=query.get("level", "")[:100] if query.get("building") else "",
            capacity=ascii_int(query.get("capacity"), 5) or 0,
            features=features[:MAX_FEATURES],
            bookable=query.get("bookable") == "true",
        )


def place_from(path: str) -> Place:
    """The place a path and query (the address bar's, or a saved return path) names."""
    return Place.from_query(dict(parse_qsl(urlsplit(path).query)))


@dataclass(frozen=True)
class Notice:
    kind: str  # "warn" | "error" | "info"
    text: str
    actions: tuple[tuple[str, str], ...] = ()  # (label, action)
    spoken: str = ""  # what a screen reader announces, where the shown text changes too often to announce


@dataclass
class Model:
    screen: Screen = field(default_factory=Loading)
    user: dict[str, Any] | None = None
    place: Place = field(default_factory=Place)
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
    notice: Notice | None = None
    expiry_notice: Notice | None = None
    live: dict[str, Any] = field(default_factory=dict)  # the open system's live state, by status name
    live_system: str = ""  # whose live state `live` holds
    board: BoardState | None = None  # a kiosk's board, once it has something to show; None for people
    base_path: str = "/"  # where the app lives: its links are under it
    image_origins: tuple[str, ...] = ()  # where rooms' pictures may load from (the CSP's img-src)
    console: ConsoleState | None = None  # the developers' console, where it is on
    doctor: DoctorState | None = None  # the auth doctor's panel, while it is open


__all__ = ["MAX_FEATURES", "MAX_OFFSET_DIGITS", "Model", "Notice", "PAGE_SIZE", "Place", "place_from"]
