"""Everything serve.py can be told, as one frozen value. No I/O here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from app.core.config import DEFAULTS, Value, derive_client_id

from .faults import Faults

ROOT = Path(__file__).resolve().parent.parent
# The runtime build served at /pyodide/<RUNTIME_ID>/: Pyodide's version and a hash of how scripts/fetch_runtime.py
# builds it (its runtime_id(); a unit test keeps the two, and static/boot.js, in step).
RUNTIME_ID = "314.0.7-06290342"
# The stdlib modules the app imports at start-up: the browser keeps a memory snapshot of an interpreter that has
# imported them (static/boot.js), and tests/test_runtime_build.py checks the list against the app's imports. Both
# reach the loader through index.html (static.render_index), so boot.js holds no copy.
SNAPSHOT_IMPORTS = (
    "asyncio",
    "base64",
    "collections",
    "contextlib",
    "contextvars",
    "dataclasses",
    "functools",
    "hashlib",
    "hmac",
    "json",
    "logging",
    "math",
    "random",
    "re",
    "secrets",
    "time",
    "typing",
)


class ClientSettings:
    """What the browser app is told at /app-config.json: a value for each of app.config.SETTINGS' keys, their
    defaults unless given. A None or "" is derived in the app, as PlaceOS would derive it."""

    def __init__(self, **values: Value) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown app settings: {', '.join(sorted(unknown))}")
        self._values: dict[str, Value] = {**DEFAULTS, **values}

    def as_json(self) -> dict[str, Value]:
        return dict(self._values)

    def __getitem__(self, key: str) -> Value:
        return self._values[key]

    @property
    def placeos_base(self) -> str:
        return str(self._values["placeos_base"] or "")

    @property
    def redirect_uri(self) -> str | None:
        return str(self._values["redirect_uri"]) if self._values["redirect_uri"] else None

    @property
    def client_id(self) -> str | None:
        return str(self._values["client_id"]) if self._values["client_id"] else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClientSettings) and other._values == self._values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self) -> str:
        return f"ClientSettings({self._values!r})"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    root: Path = ROOT
    runtime_dir: Path = ROOT / ".runtime" / "pyodide" / RUNTIME_ID
    data_path: Path = ROOT / "data" / "standin.sqlite3"
    wheels_dir: Path = ROOT / "wheels"  # what micropip may install from the page's console
    pages_dir: Path | None = None  # a developer's own pages (server/devpages.py); None: the app has none
    reload: bool = False  # the open tab follows each save under app/ and pages_dir (server/devpages.py)
    offline_shell: bool = False  # the service worker that starts the app offline (server/shell.py)
    base_path: str = "/"  # where the app lives on its origin, e.g. /apps/placeos-py/ as PlaceOS serves its apps
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
    realtime_speed: float = 1.0  # the stand-in's simulated day runs this many times faster than the clock
    faults: Faults = field(default_factory=Faults)
    client: ClientSettings = field(default_factory=ClientSettings)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def redirect_uri(self) -> str:
        return self.client.redirect_uri or f"{self.origin}{self.base_path}"

    @property
    def client_id(self) -> str:
        return self.client.client_id or derive_client_id(self.redirect_uri)
