"""The stand-in, routed: each route class gets only the parts of the container it uses; CORS for a cross-origin
app, the failure switches' dev route, and the housekeeping that purges what expired."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from app.core.config import LOOPBACK

from ..faults import FaultError
from ..settings import Settings
from ..web import Handler
from .api import ApiRoutes
from .auth import add_auth_routes
from .container import STANDIN, Standin
from .directory import DirectoryRoutes
from .module_state import ModuleStateRoutes
from .staff import StaffRoutes

DEV_SECRET_HEADER = "X-Dev-Secret"
PURGE_EVERY_S = 300
log = logging.getLogger("standin")


CORS_PATHS = (
    "/api/",
    "/auth/oauth/token",
    "/auth/oauth/revoke",
    "/auth/authority",
    "/.well-known/oauth-authorization-server",
)  # not /auth/logout: real PlaceOS sends no CORS there, so the app signs out by navigating to it


def cors(allowed: set[str]) -> Middleware:
    """CORS for a cross-origin app: the API and token endpoints only, never authorize (RFC 9700 §2.6)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        applies = origin in allowed and request.path.startswith(CORS_PATHS)
        if applies and request.method == "OPTIONS":
            response: web.StreamResponse = web.Response(
                status=204,
                headers={
                    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
                    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Request-ID",
                    "Access-Control-Max-Age": "600",
                },
            )
        else:
            response = await handler(request)
        if applies:
            response.headers["Access-Control-Allow-Origin"] = origin  # type: ignore[assignment]
            response.headers["Access-Control-Allow-Credentials"] = "true"  # logout ends the session cookie too
            response.headers["Access-Control-Expose-Headers"] = "X-Total-Count, Content-Range, Link, X-Request-ID, Date"
            response.headers["Vary"] = "Origin"
        return response

    return middleware


def may_change_faults(request: web.Request, settings: Settings) -> bool:
    """The per-run secret (printed at start), or a page of this very origin in a browser on this machine."""
    given = request.headers.get(DEV_SECRET_HEADER, "")
    if given:
        return hmac.compare_digest(given.encode(), settings.dev_secret.encode())
    return request.remote in ("127.0.0.1", "::1") and request.headers.get("Sec-Fetch-Site") == "same-origin"


async def dev_faults(request: web.Request) -> web.StreamResponse:
    """GET: the switches now; POST a JSON object to change some (dev servers only, JSON only, so no form CSRF)."""
    standin = request.app[STANDIN]
    if request.method == "POST":
        if not may_change_faults(request, standin.settings):
            return web.json_response(
                {"error": f"changing fault switches needs the {DEV_SECRET_HEADER} header serve.py printed at start"},
                status=403,
            )
        if request.content_type != "application/json":
            return web.json_response({"error": "send a JSON object"}, status=415)
        try:
            changes = json.loads(await request.read())
            if not isinstance(changes, dict):
                raise FaultError("send a JSON object of switches")
            standin.faults.update(changes)
        except FaultError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        except (ValueError, RecursionError) as exc:
            # Not JSON, too deeply nested, or an integer past Python's digit limit.
            return web.json_response({"error": f"the body is not usable JSON ({type(exc).__name__})"}, status=400)
    return web.json_response(standin.faults.as_dict(), headers={"Cache-Control": "no-store"})


async def purge_regularly(standin: Standin) -> None:
    while True:
        dropped = standin.store.purge_expired()
        standin.throttle.purge()
        if dropped:
            log.info("purged %d expired sessions, codes and tokens", dropped)
        await asyncio.sleep(PURGE_EVERY_S)


def setup_standin(app: web.Application, settings: Settings, clock: Callable[[], float] = time.time) -> Standin:
    if urlsplit(settings.origin).hostname in LOOPBACK:
        # oauthlib refuses plain http; loopback development is the one place it is acceptable (RFC 8252 §8.3).
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    standin = Standin(settings, clock)
    app[STANDIN] = standin
    api = ApiRoutes(
        issuer=standin.issuer,
        systems=standin.systems,
        faults=standin.faults,
        clock=standin.clock,
        rng=standin.rng,
        last_seen=standin.signage_last_seen,
    )
    if settings.cors_origins:  # outermost: an error's answer carries CORS too, or the browser hides it as a failure
        app.middlewares.append(cors(set(settings.cors_origins)))
    app.middlewares.append(api.errors_and_date)
    add_auth_routes(app, standin)
    standin.realtime.add_to(app)  # before the API's /systems/{id}, which "control" would match too
    ModuleStateRoutes(api.authenticate, standin.simulator).add_to(app)
    StaffRoutes(api.authenticate, standin.systems, standin.simulator).add_to(app)
    api.add_to(app)
    DirectoryRoutes(api.authenticate, standin.store, standin.systems, api.paged).add_to(app)
    if settings.dev_controls:
        app.router.add_route("GET", "/_dev/faults", dev_faults)
        app.router.add_route("POST", "/_dev/faults", dev_faults)

    async def housekeeping(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(purge_regularly(standin))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(housekeeping)
    app.on_cleanup.append(lambda _: _close(standin))
    return standin


async def _close(standin: Standin) -> None:
    standin.store.close()


__all__ = ["CORS_PATHS", "DEV_SECRET_HEADER", "cors", "dev_faults", "may_change_faults", "setup_standin"]
