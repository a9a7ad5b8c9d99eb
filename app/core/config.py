"""The client's configuration: what /app-config.json says, completed the way PlaceOS would complete it.

The settings themselves are declared once in app.core.settings; ClientConfig.from_mapping reads them back here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.core.errors import ConfigError
from app.core.settings import DEFAULTS, SETTINGS, Setting, Value
from app.core.urls import split as urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def silent_redirect_for(redirect_uri: str) -> str:
    """Where a renewal in a hidden frame returns: static/callback.html beside the app. PlaceOS must know it as a
    second redirect URI of the same app registration (Backoffice allows several)."""
    return redirect_uri[: redirect_uri.rfind("/") + 1] + "static/callback.html"


def derive_client_id(redirect_uri: str) -> str:
    """PlaceOS registers apps under the MD5 hex of the lower-cased redirect URI."""
    return hashlib.md5(redirect_uri.lower().encode()).hexdigest()


def _check_url(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an absolute http(s) URL, not {url!r}")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        # Tokens over plain http can be read by anyone on the path (RFC 6749 §3.1.2.1); loopback is local.
        raise ConfigError(f"{name} must use https (plain http is allowed for localhost only): {url!r}")
    if parts.fragment:
        raise ConfigError(f"{name} must not contain a fragment: {url!r}")
    return url


def _seconds(data: Mapping[str, object], key: str, least: int) -> int:
    value = data.get(key, DEFAULTS[key])
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= 7 * 24 * 3600:
        raise ConfigError(f"{key} must be a whole number of seconds, at least {least}")
    return value


def _choice(data: Mapping[str, object], key: str, choices: tuple[str, ...]) -> str:
    value = data.get(key, DEFAULTS[key])
    if value not in choices:
        raise ConfigError(f"{key} must be one of: {', '.join(choices)}")
    return str(value)


QUIET = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")


def _quiet(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not QUIET.fullmatch(value) or value[:5] == value[6:]:
        raise ConfigError("board_quiet must be two different times of day, HH:MM-HH:MM (e.g. 20:00-07:00)")
    return value


def _pages(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}/", value):
        raise ConfigError("pages must be a folder beside the app, such as _pages/")
    return value


@dataclass(frozen=True)
class ClientConfig:
    placeos_base: str  # origin of PlaceOS, no trailing slash
    redirect_uri: str
    client_id: str
    scope: str
    storage: str  # "session" or "local"
    expiry_warning_s: int
    kiosk: bool
    flow: str  # "implicit" (RFC 6749 §4.2) or "code" (§4.1 with PKCE, RFC 7636)
    console: bool = False  # the developers' Python console: on under serve.py, off unless configured elsewhere
    keep_start_up: bool = True  # the loader keeps its head start (static/boot-cache.mjs); read there, not here
    board_zone: str = ""  # the kiosk board's rooms: a zone id, a search, or (both empty) every room
    board_search: str = ""
    board_rotate_s: int = 15
    board_refresh_s: int = 60
    board_save_s: int = 10  # live values change often; storage need not follow each one
    board_system: str = ""  # the display's own system: its signage heartbeat stamps signage_last_seen there
    board_heartbeat_s: int = 60
    board_order: str = "name"  # or "free-first": free rooms lead each page
    board_quiet: str = ""  # "20:00-07:00": dimmed to a clock at night (app.kiosk.state.quiet_span)
    state_ttl_s: int = 900  # a pending sign-in older than this is expired (time spent at the login page counts)
    default_expires_in_s: int = 300  # when the server omits expires_in: short, never "forever"
    loop_limit: int = 3  # sign-in redirects allowed …
    loop_window_s: int = 120  # … within this many seconds
    pages: str = ""  # where a developer's own pages are served ("_pages/", serve.py --pages); "": none
    reload: bool = False  # the tab follows each save (serve.py --reload)

    @property
    def token_url(self) -> str:
        return self.placeos_base + "/auth/oauth/token"

    @property
    def authorize_url(self) -> str:
        return self.placeos_base + "/auth/oauth/authorize"

    @property
    def introspect_url(self) -> str:
        return self.placeos_base + "/auth/oauth/introspect"

    @property
    def base_path(self) -> str:
        """Where the app lives on its origin ("/", or "/apps/placeos-py/" as PlaceOS serves its apps): the redirect
        URI's folder. Every place in the app is a query on it."""
        path = urlsplit(self.redirect_uri).path or "/"
        return path[: path.rfind("/") + 1]

    @property
    def silent_redirect_uri(self) -> str:
        return silent_redirect_for(self.redirect_uri)

    @property
    def realtime_url(self) -> str:
        """PlaceOS's websocket: the API's origin with ws(s) (rest-api's /api/engine/v2/systems/control)."""
        return "ws" + self.placeos_base.removeprefix("http") + "/api/engine/v2/systems/control"

    @property
    def placeos_on_page_origin(self) -> bool:
        """PlaceOS serves this page's origin: its websocket can take the token in a cookie (app.api.socket_auth)."""
        page = urlsplit(self.redirect_uri)
        return self.placeos_base.lower() == f"{page.scheme}://{page.netloc}".lower()

    @property
    def api_base(self) -> str:
        return self.placeos_base + "/api/engine/v2"

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], page_url: str) -> ClientConfig:
        """Build from the served JSON. Absent values: PlaceOS on the page's origin; the page as redirect URI."""
        page = urlsplit(page_url)
        origin = f"{page.scheme}://{page.netloc}"
        base = str(data.get("placeos_base") or origin).rstrip("/")
        redirect_uri = str(data.get("redirect_uri") or f"{origin}{page.path or '/'}")
        storage = str(data.get("storage") or DEFAULTS["storage"])
        if storage not in ("session", "local"):
            raise ConfigError(f"storage must be 'session' or 'local', not {storage!r}")
        flow = str(data.get("flow") or DEFAULTS["flow"])
        if flow not in ("implicit", "code"):
            raise ConfigError(f"flow must be 'implicit' or 'code', not {flow!r}")
        warning = _seconds(data, "expiry_warning_s", 0)
        return cls(
            placeos_base=_check_url("placeos_base", base),
            redirect_uri=_check_url("redirect_uri", redirect_uri),
            client_id=str(data.get("client_id") or derive_client_id(redirect_uri)),
            scope=str(data.get("scope") or DEFAULTS["scope"]),
            storage=storage,
            expiry_warning_s=warning,
            kiosk=bool(data.get("kiosk", DEFAULTS["kiosk"])),
            console=data.get("console") is True,
            keep_start_up=data.get("keep_start_up") is not False,
            flow=flow,
            board_zone=str(data.get("board_zone") or "")[:200],
            board_search=str(data.get("board_search") or "")[:200],
            board_rotate_s=_seconds(data, "board_rotate_s", 3),
            board_refresh_s=_seconds(data, "board_refresh_s", 5),
            board_save_s=_seconds(data, "board_save_s", 1),
            board_system=str(data.get("board_system") or "")[:200],
            board_heartbeat_s=_seconds(data, "board_heartbeat_s", 1),
            board_order=_choice(data, "board_order", ("name", "free-first")),
            board_quiet=_quiet(data.get("board_quiet")),
            pages=_pages(data.get("pages")),
            reload=data.get("reload") is True,
        )


__all__ = [
    "DEFAULTS",
    "LOOPBACK",
    "SETTINGS",
    "ClientConfig",
    "Setting",
    "Value",
    "derive_client_id",
    "silent_redirect_for",
]
