"""Systems for the stand-in API: a fixed, realistic set, or N generated ones for scale work. Deterministic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

BUILDINGS = [
    (
        "zone-bld-syd01",
        "Sydney HQ",
        "Australia/Sydney",
        ["zone-lvl-syd01-01", "zone-lvl-syd01-02", "zone-lvl-syd01-03"],
    ),
    ("zone-bld-mel01", "Melbourne Collins St", "Australia/Melbourne", ["zone-lvl-mel01-04", "zone-lvl-mel01-05"]),
    ("zone-bld-lon01", "London Shoreditch", "Europe/London", ["zone-lvl-lon01-01", "zone-lvl-lon01-02"]),
]
ORG_ZONE = "zone-org-acme"
ROOM_NAMES = [
    "Harbour",
    "Bondi",
    "Manly",
    "Coogee",
    "Tamarama",
    "Bronte",
    "Yarra",
    "Fitzroy",
    "Carlton",
    "Richmond",
    "Southbank",
    "Docklands",
    "Thames",
    "Camden",
    "Hackney",
    "Brick Lane",
    "Old Street",
    "Hoxton",
    "Spitalfields",
    "Barbican",
    "Boardroom",
    "Studio",
    "Focus Pod",
    "Huddle",
    "Town Hall",
    "Training",
    "Quiet Room",
    "Wellness",
    "Innovation Lab",
    "Collab Zone",
    "Lighthouse",
    "Observatory",
]
# Modules as PlaceOS names them (a driver's module name, e.g. what `Bookings_1` binds to), with their role.
MODULE_KINDS = [
    ("Bookings", "logic", "Room bookings"),
    ("Display", "device", "Samsung MDC display"),
    ("Camera", "device", "Cisco PTZ camera"),
    ("Lighting", "device", "Philips Dynalite"),
    ("VidConf", "device", "Cisco Webex Room Kit"),
    ("Sensors", "logic", "Occupancy sensors"),
]
FEATURES = ["VidConf", "Whiteboard", "Display", "Phone", "Accessible", "Standing Desk", "Catering", "Projector"]
KINDS = [("Meeting Room", 4, 12), ("Board Room", 12, 24), ("Focus Room", 1, 2), ("Training Room", 16, 40)]
BASE_TIME = 1_700_000_000


@dataclass(frozen=True)
class SystemIndex:
    """The systems with what search needs precomputed, so paging stays fast at 10,000 systems."""

    systems: list[dict[str, Any]]
    words: list[frozenset[str]]
    by_id: dict[str, dict[str, Any]]

    @classmethod
    def build(cls, systems: list[dict[str, Any]]) -> SystemIndex:
        words = []
        for system in systems:
            fields = [str(system.get(k) or "") for k in ("name", "display_name", "description", "email", "code", "id")]
            words.append(frozenset(search_words(" ".join([*fields, *map(str, system.get("features") or [])]))))
        ordered = sorted(range(len(systems)), key=lambda i: (systems[i]["name"].lower(), systems[i]["id"]))
        return cls(
            [systems[i] for i in ordered],
            [words[i] for i in ordered],
            {s["id"]: s for s in systems} | {s["email"]: s for s in systems if s.get("email")},
        )


def search_words(text: str) -> list[str]:
    """Words as search sees them, in the index and in a query alike: a code (MEL01-0016), an email or an id is
    found whole or by its parts."""
    return text.lower().replace("-", " ").replace("@", " ").replace(".", " ").replace("_", " ").split()


def _system(rng: random.Random, n: int, name: str) -> dict[str, Any]:
    # Long on purpose: one literal with every field PlaceOS returns for a system, in its order.
    building_id, building_name, timezone, levels = BUILDINGS[n % len(BUILDINGS)]
    level = levels[(n // len(BUILDINGS)) % len(levels)]
    kind, low, high = KINDS[rng.randrange(len(KINDS))]
    capacity = rng.randint(low, high)
    bookable = kind != "Focus Room" or rng.random() < 0.3
    slug = name.lower().replace(" ", "-")
    created = BASE_TIME + n * 3600
    return {
        "id": f"sys-{rng.getrandbits(40):010X}"[:14],
        "name": name,
        "description": f"{kind} on level {level.rsplit('-', 1)[-1].lstrip('0') or 'G'} of {building_name}",
        "display_name": name,
        "code": f"{building_id[-5:].upper()}-{n:04d}",
        "type": kind,
        "email": f"{slug}.{building_id[-5:]}@rooms.example.com" if bookable else None,
        "features": sorted(rng.sample(FEATURES, rng.randint(0, 4))),
        "bookable": bookable,
        "public": rng.random() < 0.2,
        "capacity": capacity,
        "map_id": f"map-{slug}",
        "approval": kind == "Board Room",
        "images": [],
        "security_groups": [],
        "timezone": timezone,
        "room_booking_url": None,
        "support_url": f"https://support.example.com/rooms/{slug}",
        "timetable_url": None,
        "camera_snapshot_urls": [],
        "camera_url": None,
        "installed_ui_devices": rng.randint(0, 2),
        "version": rng.randint(1, 9),
        "zones": [ORG_ZONE, building_id, level],
        "modules": [f"mod-{rng.getrandbits(40):010X}"[:14] for _ in range(rng.randint(1, 4))],
        "orientation": "unspecified",
        "playlists": [],
        "signage": False,
        "signage_last_seen": None,
        "playlist_item_id": None,
        "space_config": None,
        "created_at": created,
        "updated_at": created + rng.randint(0, 86400 * 300),
    }


def fixture_systems() -> list[dict[str, Any]]:
    """A few dozen rooms across three buildings, always the same; one carries markup in its name on purpose."""
    rng = random.Random(20240601)
    systems = [_system(rng, n, name) for n, name in enumerate(ROOM_NAMES)]
    # Rendering tests rely on this: API data must show as text, never run as HTML. Named to sort in the list's
    # middle, not first: a demo opens on ordinary rooms.
    systems[7]["name"] = 'Fitzroy <b>Lab</b><img src=x onerror="window.__pwned=1">'
    systems[7]["description"] = "<script>window.__pwned=2</script> Meeting room with markup in its data"
    for n in IMAGED:  # a few rooms have a photo, as PlaceOS keeps them: URLs (the API makes them absolute)
        systems[n]["images"] = [image_path(systems[n]["name"])]
    return systems


IMAGED = (0, 1, 4, 20)
IMAGES_PATH = "/standin/images/"


def image_path(name: str) -> str:
    return f"{IMAGES_PATH}{name.lower().replace(' ', '-')}.svg"


def room_image(slug: str) -> str | None:
    """A room's picture for the stand-in: an SVG drawn from the name, for the rooms that have one."""
    names = {image_path(ROOM_NAMES[n]).removeprefix(IMAGES_PATH): ROOM_NAMES[n] for n in IMAGED}
    name = names.get(slug)
    if name is None:
        return None
    hue = sum(map(ord, name)) * 37 % 360
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="240" viewBox="0 0 640 240">'
        f'<rect width="640" height="240" fill="hsl({hue} 45% 42%)"/>'
        f'<rect x="40" y="150" width="560" height="60" rx="8" fill="hsl({hue} 40% 30%)"/>'
        f'<text x="40" y="110" font-family="sans-serif" font-size="44" fill="#fff">{name}</text></svg>'
    )


def generated_systems(count: int) -> list[dict[str, Any]]:
    rng = random.Random(count)
    return [_system(rng, n, f"{ROOM_NAMES[n % len(ROOM_NAMES)]} {n // len(ROOM_NAMES) + 1:04d}") for n in range(count)]


def zone_records() -> dict[str, dict[str, Any]]:
    """The organisation, its buildings and their levels as PlaceOS zone records, tagged as PlaceOS tags them."""

    def zone(zone_id: str, name: str, tags: list[str], parent: str | None, timezone: str = "") -> dict[str, Any]:
        return {
            "id": zone_id,
            "name": name,
            "display_name": name,
            "description": "",
            "tags": tags,
            "location": "",
            "code": zone_id.rsplit("-", 1)[-1].upper(),
            "type": tags[0],
            "count": 0,
            "capacity": 0,
            "map_id": "",
            "timezone": timezone,
            "parent_id": parent,
            "images": [],
            "triggers": [],
            "created_at": BASE_TIME,
            "updated_at": BASE_TIME,
        }

    zones = {ORG_ZONE: zone(ORG_ZONE, "Acme Corporation", ["org"], None)}
    for building_id, building_name, timezone, levels in BUILDINGS:
        zones[building_id] = zone(building_id, building_name, ["building"], ORG_ZONE, timezone)
        for level_id in levels:
            number = level_id.rsplit("-", 1)[-1].lstrip("0") or "G"
            zones[level_id] = zone(level_id, f"Level {number}", ["level"], building_id, timezone)
    return zones


def module_kind(system: dict[str, Any], index: int) -> tuple[str, str, str]:
    """The kind of a system's module at `index`: a room that cannot be booked has no Bookings module, as in PlaceOS,
    where such a room's live state is only its devices'."""
    kinds = MODULE_KINDS if system.get("bookable") else MODULE_KINDS[1:]
    return kinds[index % len(kinds)]


def module_record(module_id: str, system: dict[str, Any], index: int) -> dict[str, Any]:
    """A module as PlaceOS returns it in module_data: named by its driver, tied to its system."""
    system_id = system["id"]
    name, role, driver = module_kind(system, index)
    return {
        "id": module_id,
        "name": name,
        "custom_name": None,
        "driver_id": f"driver-{name.lower()}",
        "control_system_id": system_id,
        "edge_id": None,
        "ip": "" if role == "logic" else f"10.0.{index}.{int(module_id[-2:], 16)}",
        "port": 0 if role == "logic" else 1515,
        "tls": False,
        "udp": False,
        "makebreak": False,
        "uri": "",
        "running": True,
        "notes": driver,
        "ignore_connected": role == "logic",
        "ignore_startstop": False,
        "connected": True,
        "role": role,
        "has_runtime_error": False,
        "error_timestamp": None,
        "created_at": BASE_TIME,
        "updated_at": BASE_TIME,
    }
