"""Signing out, as PlaceOS's own client does it: revoke the tokens (RFC 7009), then send the browser to the
authority's logout_url with `continue` back to the app.

The navigation is the caller's (it gets the URL back). It has to be a top-level navigation: PlaceOS's logout needs
its session cookie, a PlaceOS on another origin sends no CORS headers, and without ending that session the next
"Sign in" on a shared computer would need no password.
"""

from __future__ import annotations

import json

from app.core.config import ClientConfig
from app.core.ports import HttpRequest, HttpResponse, Transport
from app.core.redact import log
from app.core.urls import split as urlsplit
from app.core.urls import urlencode


async def send_quietly(transport: Transport, request: HttpRequest, purpose: str) -> HttpResponse | None:
    """Best effort: a PlaceOS that cannot be reached (or refuses CORS) must not stop a sign-out."""
    try:
        response = await transport.send(request)
    except OSError:
        log.info("%s: %s not reachable from this page", purpose, urlsplit(request.url).path)
        return None
    log.info("%s: %s %s -> %d", purpose, request.method, urlsplit(request.url).path, response.status)
    return response


async def sign_out(config: ClientConfig, transport: Transport, revocations: list[HttpRequest]) -> str:
    """Revoke what can be revoked from here; the URL of PlaceOS's logout to navigate to."""
    for request in revocations:
        await send_quietly(transport, request, "sign-out")
    return await logout_url(config, transport)


async def logout_url(config: ClientConfig, transport: Transport) -> str:
    """The authority's logout_url (PlaceOS may point it at its SSO), with `continue` back to this app."""
    base = config.placeos_base
    target = base + "/auth/logout"
    response = await send_quietly(transport, HttpRequest("GET", base + "/auth/authority"), "sign-out")
    if response is not None and response.status == 200:
        try:
            value = json.loads(response.body).get("logout_url")
        except (ValueError, AttributeError, RecursionError):
            value = None
        if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
            target = base + value
        elif isinstance(value, str) and value.startswith("https://"):
            target = value
    return target + ("&" if "?" in target else "?") + urlencode({"continue": config.redirect_uri})


__all__ = ["logout_url", "send_quietly", "sign_out"]
