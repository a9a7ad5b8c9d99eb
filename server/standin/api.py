"""The stand-in REST API: /api/engine/v2/systems[/{id}], /api/engine/v2/zones[/{id}],
/api/engine/v2/users/current and the legacy /api/control/systems, with PlaceOS's authentication, scopes, paging
headers and JSON errors; and the rooms' pictures their records point to.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from ..faults import Faults
from ..web import Handler
from .fixtures import IMAGES_PATH, SystemIndex, module_record, room_image, search_words, zone_records
from .identity import bearer_token
from .tokens import AccessClaims, TokenIssuer, TokenRejected

if TYPE_CHECKING:
    from .store import User

SYSTEMS_PATH = "/api/engine/v2/systems"
ZONES_PATH = "/api/engine/v2/zones"
SYSTEMS_SCOPES = {"public", "systems", "systems.read"}
ZONES_SCOPES = {"public", "zones", "zones.read"}
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
    """PlaceOS's systems index: every word of q a prefix of some word (name, description, code, email, id,
    features); zone_id and features all match."""
    terms = search_words(query.get("q", ""))
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


def _absolute_images(request: web.Request, record: dict[str, Any]) -> dict[str, Any]:
    """PlaceOS keeps a room's pictures as URLs: the stand-in's own are made absolute on its origin."""
    images = record.get("images")
    if not images:
        return record
    origin = f"{request.scheme}://{request.host}"
    return {**record, "images": [origin + i if str(i).startswith("/") else i for i in images]}


async def image(request: web.Request) -> web.StreamResponse:
    """A room's picture, public as an upload's URL is: an <img> sends no bearer token."""
    body = room_image(request.match_info["name"])
    if body is None:
        raise web.HTTPNotFound()
    return web.Response(text=body, content_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


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
    def __init__(
        self,
        *,
        issuer: TokenIssuer,
        systems: SystemIndex,
        faults: Faults,
        clock: Callable[[], float],
        rng: random.Random,
        last_seen: dict[str, int],
    ) -> None:
        self._issuer = issuer
        self._systems = systems
        self._faults = faults
        self._clock = clock
        self._rng = rng  # the injected server errors' dice
        self.last_seen = last_seen  # signage heartbeats, by system id: PlaceOS's signage_last_seen

    async def authenticate(self, request: web.Request, scopes: set[str]) -> tuple[AccessClaims, User]:
        faults = self._faults
        if faults.api_latency_ms:
            await asyncio.sleep(faults.api_latency_ms / 1000)
        if faults.take_unauthorized():
            raise ApiError(401, "logged out")  # a live token refused, as after a logout elsewhere
        if faults.roll_server_error(self._rng):
            raise ApiError(503, "service unavailable (injected)")
        token = bearer_token(request)
        if not token:
            raise ApiError(401, "")
        hostname = urlsplit("//" + request.host).hostname or ""
        try:
            claims, user = self._issuer.verify(token, hostname)
        except TokenRejected as exc:
            raise ApiError(401, str(exc)) from None
        if not scopes & set(claims.scopes):
            raise ApiError(403, None)  # PlaceOS: 403 with an empty body
        return claims, user

    @staticmethod
    def paged(request: web.Request, path: str, found: list[dict[str, Any]], kind: str) -> web.Response:
        query = request.query
        limit = _int(query, "limit", 100, 0, MAX_LIMIT)
        offset = _int(query, "offset", 0, 0, 10**9)
        page = found[offset : offset + limit]
        total = len(found)
        end = offset + len(page)
        headers = {"X-Total-Count": str(total), "Content-Range": f"{kind} {offset}-{end}/{total}"}
        if end < total:
            kept = [(k, v) for k, v in query.items() if k not in ("offset", "limit")]
            headers["Link"] = f'<{path}?{urlencode([*kept, ("offset", end), ("limit", limit)])}>; rel="next"'
        return web.json_response([_absolute_images(request, item) for item in page], headers=headers)

    async def systems(self, request: web.Request) -> web.StreamResponse:
        await self.authenticate(request, SYSTEMS_SCOPES)
        return self.paged(request, SYSTEMS_PATH, filter_systems(self._systems, request.query), "sys")

    async def system(self, request: web.Request) -> web.StreamResponse:
        await self.authenticate(request, SYSTEMS_SCOPES)
        system = self._systems.by_id.get(request.match_info["sys_id"])
        if system is None:
            raise ApiError(404, f"system {request.match_info['sys_id']!r} not found")
        if request.query.get("complete") == "true":
            zones = zone_records()
            system = {
                **system,
                "zone_data": [zones[z] for z in system["zones"] if z in zones],
                "module_data": [module_record(m, system, i) for i, m in enumerate(system["modules"])],
            }
        return web.json_response(_absolute_images(request, self._seen(system)))

    async def signage(self, request: web.Request) -> web.StreamResponse:
        """A display's signage: PlaceOS answers its playlists, and with `preview=false` (only then: the default is
        a preview) stamps `signage_last_seen` on the system, which is how an operator sees a screen is alive."""
        await self.authenticate(request, SYSTEMS_SCOPES)
        sys_id = request.match_info["sys_id"]
        if sys_id not in self._systems.by_id:
            raise ApiError(404, f"system {sys_id!r} not found")
        preview = request.query.get("preview", "true")
        if preview not in ("true", "false"):
            raise ApiError(400, "preview must be true or false")
        if preview == "false":
            self.last_seen[sys_id] = int(self._clock())
        return web.json_response(
            {"id": sys_id, "signage_last_seen": self.last_seen.get(sys_id), "playlists": [], "playlist_config": {}}
        )

    def _seen(self, record: dict[str, Any]) -> dict[str, Any]:
        seen = self.last_seen.get(record.get("id", ""))
        return {**record, "signage_last_seen": seen} if seen is not None else record

    async def zones(self, request: web.Request) -> web.StreamResponse:
        """PlaceOS's zones index: `tags` (all of them), `parent_id`, and `q` as for systems, ordered by name."""
        await self.authenticate(request, ZONES_SCOPES)
        tags = set(_csv(request.query.get("tags", "")))
        parent = request.query.get("parent_id")
        terms = search_words(request.query.get("q", ""))
        found = []
        for zone in sorted(zone_records().values(), key=lambda z: (z["name"].lower(), z["id"])):
            words = search_words(f"{zone['name']} {zone['id']} {zone['code']}")
            if tags and not tags <= set(zone["tags"]):
                continue
            if parent is not None and zone["parent_id"] != parent:
                continue
            if terms and not all(any(word.startswith(term) for word in words) for term in terms):
                continue
            found.append(zone)
        return self.paged(request, ZONES_PATH, found, "zone")

    async def zone(self, request: web.Request) -> web.StreamResponse:
        await self.authenticate(request, ZONES_SCOPES)
        zone = zone_records().get(request.match_info["zone_id"])
        if zone is None:
            raise ApiError(404, f"zone {request.match_info['zone_id']!r} not found")
        return web.json_response(zone)

    async def current_user(self, request: web.Request) -> web.StreamResponse:
        _, user = await self.authenticate(request, USERS_SCOPES)
        return web.json_response(current_user_body(user))

    async def legacy_systems(self, request: web.Request) -> web.StreamResponse:
        await self.authenticate(request, SYSTEMS_SCOPES)
        limit = _int(request.query, "limit", 20, 0, MAX_LIMIT)
        offset = _int(request.query, "offset", 0, 0, 10**9)
        found = filter_systems(self._systems, request.query)
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
        if self._faults.date_skew_s:
            response.headers["Date"] = formatdate(self._clock() + self._faults.date_skew_s, usegmt=True)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(SYSTEMS_PATH, self.systems)
        app.router.add_get(SYSTEMS_PATH + "/", self.systems)
        app.router.add_get("/api/engine/v2/users/current", self.current_user)
        app.router.add_get(SYSTEMS_PATH + "/{sys_id}", self.system)
        app.router.add_get("/api/engine/v2/signage/{sys_id}", self.signage)
        app.router.add_get(ZONES_PATH, self.zones)
        app.router.add_get(ZONES_PATH + "/", self.zones)
        app.router.add_get(ZONES_PATH + "/{zone_id}", self.zone)
        app.router.add_get(IMAGES_PATH + "{name}", image)
        app.router.add_get("/api/control/systems", self.legacy_systems)
