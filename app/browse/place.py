"""Where the person is in the app: the URL's query, which survives sign-in, reloads and history."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.core.urls import ascii_int, parse_qsl, urlencode
from app.core.urls import split as urlsplit

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


__all__ = ["MAX_FEATURES", "MAX_OFFSET_DIGITS", "PAGE_SIZE", "Place", "place_from"]
