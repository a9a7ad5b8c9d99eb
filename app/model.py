"""The app's state as the screen needs it: where the person is (Place, which is the URL's query), what is on
screen, and the notices over it. Plain data; app.view renders it and app.controller changes it."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Place:
    """Where the person is in the app; it is the URL's query, and it survives sign-in, reloads and history."""

    q: str = ""
    offset: int = 0
    system: str = ""

    def path(self, base: str = "/") -> str:
        """The address of this place under the app's base path."""
        query = urlencode(
            {k: v for k, v in (("q", self.q), ("offset", self.offset or ""), ("system", self.system)) if v}
        )
        return base + (f"?{query}" if query else "")

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Place:
        """From the address bar, which anyone can write: a bad offset ('²', 5,000 digits, '-1') means the start."""
        return cls(
            q=query.get("q", "")[:200],
            offset=ascii_int(query.get("offset"), MAX_OFFSET_DIGITS) or 0,
            system=query.get("system", "")[:200],
        )


def place_from(path: str) -> Place:
    """The place a path and query (the address bar's, or a saved return path) names."""
    return Place.from_query(dict(parse_qsl(urlsplit(path).query)))


@dataclass(frozen=True)
class Notice:
    kind: str  # "warn" | "error" | "info"
    text: str
    actions: tuple[tuple[str, str], ...] = ()  # (label, action)


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
    notice: Notice | None = None
    expiry_notice: Notice | None = None
    live: dict[str, Any] = field(default_factory=dict)  # the open system's live state, by status name
    live_system: str = ""  # whose live state `live` holds
    board: BoardState | None = None  # a kiosk's board, once it has something to show; None for people
    console: ConsoleState | None = None  # the developers' console, where it is on
    doctor: DoctorState | None = None  # the auth doctor's panel, while it is open


__all__ = ["MAX_OFFSET_DIGITS", "Model", "Notice", "PAGE_SIZE", "Place", "place_from"]
