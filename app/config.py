"""The client's configuration: what /app-config.json says, completed the way PlaceOS would complete it.

SETTINGS is the one declaration of the app's settings: serve.py builds its flags from it, the server serves it
as /app-config.json, the README's table is checked against it, and ClientConfig.from_mapping reads it back here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ConfigError
from .urls import split as urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

Value = str | int | bool | None


@dataclass(frozen=True)
class Setting:
    key: str  # in /app-config.json, and the ClientConfig field it fills
    flag: str  # serve.py's flag
    default: Value  # what the server sends unless told otherwise; "" or None: derived as PlaceOS would
    help: str
    choices: tuple[str, ...] = ()
    metavar: str = ""
    derived: str = ""  # how a derived default is derived, for --help and the README


SETTINGS = (
    Setting("placeos_base", "--placeos-base", "", "PlaceOS origin the app talks to", (), "URL", "the app's own origin"),
    Setting(
        "redirect_uri", "--redirect-uri", None, "where PlaceOS sends the browser back", (), "URI", "the page's URL"
    ),
    Setting(
        "client_id", "--client-id", None, "the app's registration", (), "ID", "MD5 hex of the lower-cased redirect URI"
    ),
    Setting("scope", "--scope", "public", "the scopes asked for", (), "S"),
    Setting(
        "storage",
        "--storage",
        "session",
        "where the token is kept; `local` keeps kiosks signed in across restarts",
        ("session", "local"),
    ),
    Setting("expiry_warning_s", "--expiry-warning", 300, 'offer "stay signed in?" this long before expiry', (), "S"),
    Setting("kiosk", "--kiosk", False, "never shows a sign-in screen, re-authenticates ahead of expiry by itself"),
    Setting(
        "flow",
        "--flow",
        "implicit",
        "`code` = authorization code with PKCE, for a PlaceOS without implicit",
        ("implicit", "code"),
    ),
)
DEFAULTS: dict[str, Value] = {setting.key: setting.default for setting in SETTINGS}


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
    state_ttl_s: int = 900  # a pending sign-in older than this is expired (time spent at the login page counts)
    default_expires_in_s: int = 300  # when the server omits expires_in: short, never "forever"
    loop_limit: int = 3  # sign-in redirects allowed …
    loop_window_s: int = 120  # … within this many seconds

    @property
    def token_url(self) -> str:
        return self.placeos_base + "/auth/oauth/token"

    @property
    def authorize_url(self) -> str:
        return self.placeos_base + "/auth/oauth/authorize"

    @property
    def silent_redirect_uri(self) -> str:
        return silent_redirect_for(self.redirect_uri)

    @property
    def realtime_url(self) -> str:
        """PlaceOS's websocket: the API's origin with ws(s) (rest-api's /api/engine/v2/systems/control)."""
        return "ws" + self.placeos_base.removeprefix("http") + "/api/engine/v2/systems/control"

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
        warning = data.get("expiry_warning_s", DEFAULTS["expiry_warning_s"])
        if not isinstance(warning, int) or isinstance(warning, bool) or warning < 0:
            raise ConfigError("expiry_warning_s must be a whole number of seconds")
        return cls(
            placeos_base=_check_url("placeos_base", base),
            redirect_uri=_check_url("redirect_uri", redirect_uri),
            client_id=str(data.get("client_id") or derive_client_id(redirect_uri)),
            scope=str(data.get("scope") or DEFAULTS["scope"]),
            storage=storage,
            expiry_warning_s=warning,
            kiosk=bool(data.get("kiosk", DEFAULTS["kiosk"])),
            flow=flow,
        )


__all__ = ["DEFAULTS", "LOOPBACK", "SETTINGS", "ClientConfig", "Setting", "derive_client_id", "silent_redirect_for"]
