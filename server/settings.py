"""Everything serve.py can be told, as one frozen value. No I/O here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The runtime build served at /pyodide/<RUNTIME_ID>/: Pyodide's version and a hash of how scripts/fetch_runtime.py
# builds it (its runtime_id(); a unit test keeps the two, and static/boot.js, in step).
RUNTIME_ID = "314.0.7-06290342"


def client_id_for(redirect_uri: str) -> str:
    """PlaceOS's client_id: the MD5 hex of the lower-cased redirect URI (models doorkeeper_application.cr)."""
    return hashlib.md5(redirect_uri.lower().encode()).hexdigest()


@dataclass(frozen=True)
class Faults:
    """Switches that make the stand-in misbehave on purpose, for developers and tests."""

    implicit_disabled: bool = False  # answer response_type=token as PlaceOS's newer auth.cr does
    always_deny: bool = False  # every authorization ends in error=access_denied
    api_latency_ms: int = 0
    api_error_rate: float = 0.0  # share of API requests answered 503, 0..1
    unauthorized_storm: int = 0  # the next N API requests get 401, whatever their token
    date_skew_s: int = 0  # added to the Date header of API responses

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class ClientSettings:
    """What the browser app is told at /app-config.json; None means "derive it as PlaceOS does"."""

    placeos_base: str = ""  # "" = the app's own origin
    redirect_uri: str | None = None
    client_id: str | None = None
    scope: str = "public"
    storage: str = "session"  # "session" or "local" (kiosks)
    expiry_warning_s: int = 300
    kiosk: bool = False
    flow: str = "implicit"  # or "code": authorization code with PKCE and refresh tokens


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    root: Path = ROOT
    runtime_dir: Path = ROOT / ".runtime" / "pyodide" / RUNTIME_ID
    data_path: Path = ROOT / "data" / "standin.sqlite3"
    token_ttl_s: int = 7200
    demo_email: str = "demo@example.com"
    demo_password: str = "demo-password"
    demo_name: str = "Demo User"
    systems: int = 0  # 0 = the built-in fixture; N = generate N systems
    placeos_upstream: str | None = None  # proxy to a real PlaceOS instead of the stand-in
    extra_redirect_uris: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()  # origins allowed to call the stand-in API cross-origin
    dev_controls: bool = True  # the /_dev/faults endpoint (never in proxy mode; off a loopback host only on request)
    # Changing faults at run time takes this, in the X-Dev-Secret header: new on every start, printed in the banner.
    dev_secret: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    strict_origin: bool = False  # refuse form posts whose Origin is not the one Rails would compute (422)
    faults: Faults = field(default_factory=Faults)
    client: ClientSettings = field(default_factory=ClientSettings)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def redirect_uri(self) -> str:
        return self.client.redirect_uri or f"{self.origin}/"

    @property
    def client_id(self) -> str:
        return self.client.client_id or client_id_for(self.redirect_uri)
