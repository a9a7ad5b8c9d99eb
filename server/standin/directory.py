"""People and metadata, as rest-api answers them: the users index (`/api/engine/v2/users?q=`, paged like every
index), one user by id or email (`/users/{id}`), and the metadata of a system, zone or user
(`/api/engine/v2/metadata/{parent_id}?name=`: `{name: {name, description, details, parent_id, …}}`), changed with
PUT and removed with DELETE as PlaceOS allows: support staff and administrators anywhere, anyone on their own user.

The people are the stand-in's own users (those who can sign in) and a seeded directory of colleagues; each room and
building starts with the metadata a booking panel or a floor map reads.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .api import USERS_SCOPES, ApiError, current_user_body
from .fixtures import BASE_TIME, BUILDINGS, SystemIndex, search_words, zone_records
from .store import Store, User

Authenticate = Callable[[web.Request, set[str]], Awaitable[tuple[Any, User]]]
Paged = Callable[[web.Request, str, list[dict[str, Any]], str], web.Response]
USERS_PATH = "/api/engine/v2/users"
METADATA_PATH = "/api/engine/v2/metadata"
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim", "Margaret", "Linus"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Lee"]
DEPARTMENTS = ["Facilities", "Engineering", "Finance", "People", "Sales"]
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_DETAILS = 64 * 1024  # a metadata record's details as JSON: a floor plan's settings, not a file


def colleagues() -> list[User]:
    """A directory of 40 people, the same every run; none of them can sign in."""
    people = []
    for n in range(40):
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
        user_id = "user-" + hashlib.sha256(f"colleague:{n}".encode()).hexdigest()[:12]
        email = f"{first}.{last}{n}@acme.example".lower()
        people.append(User(user_id, email, f"{first} {last}", ("placeos_users",), False, False, BASE_TIME, None))
    return people


def seeded_metadata(systems: SystemIndex) -> dict[str, dict[str, dict[str, Any]]]:
    """What a booking panel and a floor map read: each room's details, each building's address and levels."""
    levels = {z["id"]: z["name"] for z in zone_records().values() if "level" in z["tags"]}
    seeded: dict[str, dict[str, dict[str, Any]]] = {}
    for system in systems.systems:
        level = next((levels[z] for z in system.get("zones") or [] if z in levels), "")
        details = {"level": level, "capacity": system.get("capacity"), "features": system.get("features") or []}
        seeded[system["id"]] = {"room_details": record(system["id"], "room_details", details, "Shown on the panel")}
    for building_id, name, timezone, building_levels in BUILDINGS:
        details = {"name": name, "timezone": timezone, "levels": list(building_levels)}
        seeded[building_id] = {"building": record(building_id, "building", details, "The building's settings")}
    return seeded


def record(parent_id: str, name: str, details: Any, description: str = "", by: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "details": details,
        "parent_id": parent_id,
        "schema_id": None,
        "editors": [],
        "modified_by_id": by or None,
        "created_at": BASE_TIME,
        "updated_at": BASE_TIME,
    }


class DirectoryRoutes:
    def __init__(self, authenticate: Authenticate, store: Store, systems: SystemIndex, paged: Paged) -> None:
        self._authenticate = authenticate
        self._store = store
        self._systems = systems
        self._paged = paged  # ApiRoutes.paged: Link, X-Total-Count and Content-Range as every index sends them
        self._colleagues = colleagues()
        self._metadata = seeded_metadata(systems)

    def _people(self) -> list[User]:
        return sorted([*self._store.users(), *self._colleagues], key=lambda u: (u.name.lower(), u.id))

    async def users(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, USERS_SCOPES)
        terms = search_words(request.query.get("q", "")[:200])
        found = [
            current_user_body(user)
            for user in self._people()
            if all(any(w.startswith(t) for w in search_words(f"{user.name} {user.email}")) for t in terms)
        ]
        return self._paged(request, USERS_PATH, found, "users")

    async def user(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, USERS_SCOPES)
        wanted = request.match_info["user_id"].lower()
        user = next((u for u in self._people() if wanted in (u.id.lower(), u.email)), None)
        if user is None:
            raise ApiError(404, f"user {request.match_info['user_id']!r} not found")
        return web.json_response(current_user_body(user))

    def _parent(self, parent_id: str) -> str:
        """ "system", "zone" or "user"; a 404 that says so for an id that is none of them."""
        if parent_id in self._systems.by_id and self._systems.by_id[parent_id]["id"] == parent_id:
            return "system"
        if parent_id in zone_records():
            return "zone"
        if any(u.id == parent_id for u in self._people()):
            return "user"
        raise ApiError(404, f"{parent_id!r} is no system, zone or user")

    async def metadata(self, request: web.Request) -> web.StreamResponse:
        await self._authenticate(request, USERS_SCOPES)
        parent_id = request.match_info["parent_id"]
        self._parent(parent_id)
        kept, name = self._metadata.get(parent_id, {}), request.query.get("name", "")
        return web.json_response({k: v for k, v in kept.items() if not name or k == name})

    async def _writable(self, request: web.Request) -> tuple[str, User]:
        _, user = await self._authenticate(request, USERS_SCOPES)
        parent_id = request.match_info["parent_id"]
        self._parent(parent_id)
        if parent_id != user.id and not (user.support or user.sys_admin):
            raise ApiError(403, "only support staff or an administrator may change another's metadata")
        return parent_id, user

    async def put_metadata(self, request: web.Request) -> web.StreamResponse:
        parent_id, user = await self._writable(request)
        try:
            body = json.loads(await request.read())
        except (ValueError, RecursionError):
            raise ApiError(400, "the body must be metadata as JSON: {name, details, description}") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be metadata as JSON: {name, details, description}")
        name, description = body.get("name"), body.get("description", "")
        if not isinstance(name, str) or NAME.fullmatch(name) is None:
            raise ApiError(
                422, "name must be 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit"
            )
        if not isinstance(description, str) or len(description) > 1000:
            raise ApiError(422, "description must be text of at most 1000 characters")
        if "details" not in body or len(json.dumps(body["details"])) > MAX_DETAILS:
            raise ApiError(422, "details must be JSON of at most 64 KiB")
        kept = self._metadata.setdefault(parent_id, {})
        kept[name] = record(parent_id, name, body["details"], description, by=user.id)
        return web.json_response(kept[name])

    async def delete_metadata(self, request: web.Request) -> web.StreamResponse:
        parent_id, _ = await self._writable(request)
        name = request.query.get("name", "")
        if self._metadata.get(parent_id, {}).pop(name, None) is None:
            raise ApiError(404, f"{parent_id!r} has no metadata named {name!r}")
        return web.Response(status=202)

    def add_to(self, app: web.Application) -> None:
        """After ApiRoutes: its /users/current comes before /users/{id} here."""
        app.router.add_get(USERS_PATH, self.users)
        app.router.add_get(USERS_PATH + "/{user_id}", self.user)
        app.router.add_get(METADATA_PATH + "/{parent_id}", self.metadata)
        app.router.add_put(METADATA_PATH + "/{parent_id}", self.put_metadata)
        app.router.add_delete(METADATA_PATH + "/{parent_id}", self.delete_metadata)


__all__ = ["DirectoryRoutes", "colleagues", "seeded_metadata"]
