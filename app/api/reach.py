"""Whether PlaceOS answers at all: what tells an outage from a refused sign-in. A renewal in a hidden frame that
never answers looks the same either way (PlaceOS down, the network gone, or PlaceOS's login page in the frame);
one request to the authority, which needs no sign-in, tells them apart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from app.core.ports import HttpRequest, Transport

Reachable = Callable[[], Awaitable[bool]]
AUTHORITY_PATH = "/auth/authority"


async def placeos_answers(transport: Transport, placeos_base: str) -> bool:
    """True when PlaceOS answered (any status below 500: even a 404 is PlaceOS, up); False when nothing came back
    or PlaceOS (or the proxy in front of it) answered with a server error, which is an outage too."""
    request = HttpRequest("GET", placeos_base + AUTHORITY_PATH, {"Accept": "application/json"}, credentials="omit")
    try:
        response = await transport.send(request)
    except OSError:
        return False
    return 0 < response.status < 500


def reachability(transport: Transport, placeos_base: str) -> Reachable:
    async def reachable() -> bool:
        return await placeos_answers(transport, placeos_base)

    return reachable


__all__ = ["AUTHORITY_PATH", "Reachable", "placeos_answers", "reachability"]
