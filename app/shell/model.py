"""The app's state as the screen needs it: where the person is (Place, which is the URL's query), what is on
screen, and the notices over it. Plain data; app.view renders it and app.controller changes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.browse.place import Place
from app.ui.screens import Loading, Notice, Screen

if TYPE_CHECKING:
    from app.console.state import ConsoleState
    from app.doctor.findings import DoctorState
    from app.kiosk.state import BoardState


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


__all__ = ["Model"]
