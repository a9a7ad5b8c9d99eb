"""The seams between the pure core and the world. app.browser implements them over js; tests pass fakes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

Clock = Callable[[], float]  # wall-clock seconds since the epoch
Sleep = Callable[[float], Awaitable[None]]  # asyncio.sleep in the page; a recorder in tests
Spawn = Callable[[Coroutine[Any, Any, object]], object]  # asyncio.ensure_future in the page; a list in tests
# Loads a URL in a hidden frame; the authorization response its callback page hands back, or None (nothing in time,
# or PlaceOS's login page, which may not be framed, instead of a response).
Frame = Callable[[str, float], Awaitable[str | None]]
NewState = Callable[[], str]
# A moment (epoch seconds) as read in an IANA time zone, or the viewer's own for None; None if the zone is unknown.
ZoneTime = Callable[[float, str | None], str | None]
# A moment's time of day with its zone's abbreviation ("15:26 AEDT"), as ZoneTime reads it.
ZoneClock = Callable[[float, str | None], str | None]
# Runs the work while holding the named lock of this origin's tabs (Web Locks), unless another tab holds it: then
# it does not run. True if it ran.
Exclusive = Callable[[str, Callable[[], Awaitable[None]]], Awaitable[bool]]


async def run_alone(name: str, work: Callable[[], Awaitable[None]]) -> bool:
    """Exclusive for a tab with nobody to share with (tests, a browser without Web Locks)."""
    await work()
    return True


class Storage(Protocol):
    """A synchronous string store: sessionStorage, localStorage, or a dict in tests."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def remove(self, key: str) -> None: ...

    def keys(self) -> list[str]: ...


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: str


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    credentials: str = "same-origin"  # fetch()'s credentials mode
    follow: bool = True  # follow redirects; False: a redirect is the answer (an opaque one, status 0, in a browser)


class Transport(Protocol):
    """Sends one request. Raises OSError when no response arrives (offline, DNS, CORS refusal)."""

    async def send(self, request: HttpRequest) -> HttpResponse: ...


class Navigator(Protocol):
    """Where the page is, and leaving it."""

    def assign(self, url: str) -> None: ...  # leave the page (to the authorization server)

    def replace(self, path: str) -> None: ...  # history.replaceState: no new history entry

    def push(self, path: str) -> None: ...  # history.pushState

    def current(self) -> str: ...  # path and query of the page


class MemoryStorage:
    """Storage in a dict: the fallback when web storage is unavailable (some private modes), and for tests."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value

    def remove(self, key: str) -> None:
        self.data.pop(key, None)

    def keys(self) -> list[str]:
        return list(self.data)


__all__ = [
    "Clock",
    "Exclusive",
    "Frame",
    "HttpRequest",
    "HttpResponse",
    "MemoryStorage",
    "Navigator",
    "NewState",
    "Sleep",
    "Spawn",
    "Storage",
    "Transport",
    "run_alone",
]
