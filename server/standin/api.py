"""The stand-in REST API: /api/engine/v2/systems[/{id}], /api/engine/v2/users/current and the legacy
/api/control/systems, with PlaceOS's authentication, scopes, paging headers and JSON errors.
"""

from __future__ import annotations

import asyncio
import hashlib
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from ..web import Handler
from .fixtures import SystemIndex, module_record, zone_records
from .tokens import AccessClaims, TokenRejected

if TYPE_CHECKING:
    from . import Standin
    from .store import User

SYSTEMS_PATH = "/api/engine/v2/systems"
SYSTEMS_SCOPES = {"public", "systems", "systems.read"}
USERS_SCOPES = {"public", "users", "users.read"}
MAX_LIMIT = 10_000


class ApiError(Exception):
    def __init__(self, status: int, message: str | None) -> None:
        self.status = status
        self.message = message


def _csv(value: str) -> list[str]:
    return [part for part in (p.strip() for p in value.split(",")) if part]


def _int(query: Any, name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return max(low, min(high, int(raw)))
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number") from None


def _bool(query: Any, name: str) -> bool | None:
    raw = query.get(name)
    if raw is None:
        return None
    return raw.lower() in ("true", "1", "yes")


def filter_systems(index: SystemIndex, query: Any) -> list[dict[str, Any]]:
    """PlaceOS's systems index: every word of q a prefix of some word; zone_id and features all match."""
    terms = query.get("q", "").lower().split()
    zones = set(_csv(query.get("zone_id", "")))
    features = {f.lower() for f in _csv(query.get("features", ""))}
    emails = {e.lower() for e in _csv(query.get("email", ""))}
    capacity = _int(query, "capacity", 0, 0, 1_000_000)
    bookable, public = _bool(query, "bookable"), _bool(query, "public")
    found = []
    for system, words in zip(index.systems, index.words, strict=True):
        if terms and not all(any(word.startswith(term) for word in words) for term in terms):
            continue
        if zones and not zones <= set(system["zones"]):
            continue
        if features and not features <= {f.lower() for f in system["features"]}:
            continue
        if emails and (system.get("email") or "").lower() not in emails:
            continue
        if capacity and system["capacity"] < capacity:
            continue
        if bookable is not None and system["bookable"] != bookable:
            continue
        if public is not None and system["public"] != public:
            continue
        found.append(system)
    return found


def current_user_body(user: User) -> dict[str, Any]:
    first, _, last = user.name.partition(" ")
    return {
        "id": user.id,
        "email_digest": hashlib.md5(user.email.encode()).hexdigest(),
        "email": user.email,
        "nickname": first,
        "name": user.name,
        "first_name": first,
        "last_name": last,
        "groups": list(user.groups),
        "country": "Australia",
        "building": "zone-bld-syd01",
        "image": None,
        "created_at": user.created_at,
        "authority_id": "authority-standin",
        "deleted": False,
        "department": "Facilities",
        "preferred_language": "en",
        "staff_id": None,
        "phone": None,
        "work_preferences": [],
        "work_overrides": {},
        "login_count": 1,
        "last_login": user.created_at,
        "photo_upload_id": None,
        "locatable": True,
        "sys_admin": user.sys_admin,
        "support": user.support,
        "misc": None,
        "login_name": None,
        "card_number": None,
        "ui_theme": None,
        "associated_metadata": {},
        "subsystem_access": [],
    }


class ApiRoutes:
    def __init__(self, standin: Standin) -> None:
        self.s = standin

    async def _authenticate(self, request: web.Request, scopes: set[str]) -> tuple[AccessClaims, User]:
        faults = self.s.faults
        if faults.api_latency_ms:
            await asyncio.sleep(faults.api_latency_ms / 1000)
        if faults.take_unauthorized():
            raise ApiError(401, "Signature is expired")
        if faults.roll_server_error(self.s.rng):
            raise ApiError(503, "service unavailable (injected)")
        token = self.s.bearer_token(request)
        if not token:
            raise ApiError(401, "")
        hostname = urlsplit("//" + request.host).hostname or ""
        try:
            claims, user = self.s.issuer.verify(token, hostname)
        except TokenRejected as exc:
            raise ApiError(401, str(exc)) from None
        if not scopes & set(claims.scopes):
            raise ApiError(403, None)  # PlaceOS: 403 with an empty body
        return claims, user

    async def systems(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        query = request.query
        limit = _int(query, "limit", 100, 0, MAX_LIMIT)
        offset = _int(query, "offset", 0, 0, 10**9)
        found = filter_systems(self.s.systems, query)
        page = found[offset : offset + limit]
        total = len(found)
        end = offset + len(page)
        headers = {"X-Total-Count": str(total), "Content-Range": f"sys {offset}-{end}/{total}"}
        if end < total:
            kept = [(k, v) for k, v in query.items() if k not in ("offset", "limit")]
            headers["Link"] = f'<{SYSTEMS_PATH}?{urlencode([*kept, ("offset", end), ("limit", limit)])}>; rel="next"'
        return web.json_response(page, headers=headers)

    async def system(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        system = self.s.systems.by_id.get(request.match_info["sys_id"])
        if system is None:
            raise ApiError(404, f"system {request.match_info['sys_id']!r} not found")
        if request.query.get("complete") == "true":
            zones = zone_records()
            system = {
                **system,
                "zone_data": [zones[z] for z in system["zones"] if z in zones],
                "module_data": [module_record(m, system["id"], i) for i, m in enumerate(system["modules"])],
            }
        return web.json_response(system)

    async def current_user(self, request: web.Request) -> web.StreamResponse:
        _, user = await self._authenticate(request, USERS_SCOPES)
        return web.json_response(current_user_body(user))

    async def legacy_systems(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, SYSTEMS_SCOPES)
        limit = _int(request.query, "limit", 20, 0, MAX_LIMIT)
        offset = _int(request.query, "offset", 0, 0, 10**9)
        found = filter_systems(self.s.systems, request.query)
        return web.json_response({"total": len(found), "results": found[offset : offset + limit]})

    @web.middleware
    async def errors_and_date(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """JSON errors as rest-api sends them, and the Date header skewed when a test asks for it."""
        if not request.path.startswith("/api/"):
            return await handler(request)
        try:
            response = await handler(request)
        except ApiError as exc:
            if exc.message is None:
                response = web.Response(status=exc.status)
            else:
                response = web.json_response({"error": exc.message}, status=exc.status)
        except web.HTTPNotFound:
            response = web.json_response({"error": "not found"}, status=404)
        if self.s.faults.date_skew_s:
            response.headers["Date"] = formatdate(self.s.clock() + self.s.faults.date_skew_s, usegmt=True)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(SYSTEMS_PATH, self.systems)
        app.router.add_get(SYSTEMS_PATH + "/", self.systems)
        app.router.add_get("/api/engine/v2/users/current", self.current_user)
        app.router.add_get(SYSTEMS_PATH + "/{sys_id}", self.system)
        app.router.add_get("/api/control/systems", self.legacy_systems)
