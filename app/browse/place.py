"""Where the person is in the app: the URL's query, which survives sign-in, reloads and history."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.core.urls import ascii_int, parse_qsl, urlencode
from app.core.urls import split as urlsplit

PAGE_SIZE = 20


MAX_OFFSET_DIGITS = 9  # PlaceOS pages at most 10,000 per request; a billion is past any real list


MAX_FEATURES = 8
PAGE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a page's name, as serve.py --pages lists them


@dataclass(frozen=True)
class Place:
    """Where the person is in the app; it is the URL's query, and it survives sign-in, reloads and history. The
    filters are those PlaceOS's systems index takes: a zone (a building, or a level in it), a capacity at least N,
    features (all of them), bookable only; and free now, which the page applies to the rows it lists."""

    q: str = ""
    offset: int = 0
    system: str = ""
    building: str = ""
    level: str = ""
    capacity: int = 0
    features: tuple[str, ...] = ()
    bookable: bool = False
    free: bool = False  # only the rooms free now, as their live state says (PlaceOS's index cannot filter on it)
    page: str = ""  # a developer's own page (app.pages), by name

    def _pairs(self) -> list[tuple[str, object]]:
        pairs: list[tuple[str, object]] = [
            ("page", self.page),
            ("q", self.q),
            ("building", self.building),
            ("level", self.level),
            ("capacity", self.capacity or ""),
            ("features", ",".join(self.features)),
            ("bookable", "true" if self.bookable else ""),
            ("free", "now" if self.free else ""),
            ("offset", self.offset or ""),
            ("system", self.system),
        ]
        return [(k, v) for k, v in pairs if v]

    def path(self, base: str = "/") -> str:
        """The address of this place under the app's base path."""
        query = urlencode(self._pairs())
        return base + (f"?{query}" if query else "")

    def listing(self, offset: int | None = None) -> Place:
        """The list this place is in (no system open, no page of one's own), at `offset` if given."""
        return replace(self, system="", page="", offset=self.offset if offset is None else offset)

    def filtered(self) -> bool:
        return bool(self.building or self.level or self.capacity or self.features or self.bookable or self.free)

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
            free=query.get("free") == "now",
            page=page if PAGE_NAME.fullmatch(page := query.get("page", "")) else "",
        )


def place_from(path: str) -> Place:
    """The place a path and query (the address bar's, or a saved return path) names."""
    return Place.from_query(dict(parse_qsl(urlsplit(path).query)))


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
        free=place.free,  # its own switch beside the count, not in the form
    )


def unfiltered(place: Place, which: str) -> Place:
    """The place without one filter (a chip's ×), or without any ("all")."""
    listing = place.listing(0)
    if which == "all":
        return Place(q=place.q)
    if which == "building":
        return replace(listing, building="", level="")
    if which in ("level", "capacity", "bookable", "free"):
        return replace(listing, **{which: type(getattr(place, which))()})
    if which.startswith("feature:"):
        return replace(listing, features=tuple(f for f in place.features if f != which.removeprefix("feature:")))
    return place


__all__ = [
    "MAX_FEATURES",
    "MAX_OFFSET_DIGITS",
    "PAGE_NAME",
    "PAGE_SIZE",
    "Place",
    "filtered",
    "place_from",
    "unfiltered",
]
