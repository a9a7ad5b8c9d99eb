"""The stand-in's parts, made once from the settings: the store, the token issuer, the OAuth server, the
rooms and their simulator, the failure switches. wiring.py hands each route class the parts it uses."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web

from app.core.config import LOOPBACK, derive_client_id, silent_redirect_for

from ..errors import StartupError
from ..faults import FaultError, Faults
from ..settings import Settings
from .api import SYSTEMS_SCOPES
from .fixtures import SystemIndex, fixture_systems, generated_systems
from .identity import bearer_token
from .oauth import build_server
from .realtime import Realtime
from .rooms import RoomSimulator
from .store import Store, StoreUnusable
from .throttle import LoginThrottle
from .tokens import TokenIssuer

APP_SCOPES = ("public", "systems", "systems.read", "users", "users.read", "openid")


class Standin:
    def __init__(self, settings: Settings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self.started_at = int(clock())
        try:
            self.faults = Faults.checked(**settings.faults.as_dict())
            self.store = Store(settings.data_path, clock)
        except (FaultError, StoreUnusable) as exc:
            raise StartupError(str(exc)) from None
        self.issuer = TokenIssuer(self.store, clock)
        self.throttle = LoginThrottle(clock)
        self.oauth = build_server(self.store, self.issuer, lambda: self.faults.token_ttl_s)
        self.csrf_secret = bytes.fromhex(self.store.setting("csrf_secret", lambda: secrets.token_hex(32)))
        self.rng = random.Random(0)
        self.app_scopes = APP_SCOPES
        systems = generated_systems(settings.systems) if settings.systems else fixture_systems()
        self.systems = SystemIndex.build(systems)
        self.signage_last_seen: dict[str, int] = {}  # displays' heartbeats, by system id
        self.simulator = RoomSimulator(self.systems, clock, settings.realtime_speed)
        self.realtime = Realtime(
            self.store,
            self.issuer,
            self.simulator,
            bearer_token,
            SYSTEMS_SCOPES,
            enabled=lambda: not self.faults.websocket_disabled,
        )
        self.secure_cookies = settings.host not in LOOPBACK
        self.domains = {settings.host} | (LOOPBACK if settings.host in LOOPBACK else set())
        self.demo_hint = f"Demo account: {settings.demo_email} / {settings.demo_password}"
        self.demo_user = self.store.ensure_user(
            settings.demo_email, settings.demo_password, settings.demo_name, groups=("placeos_users",)
        )
        for uri in self.redirect_uris():
            # The app's page, and the callback page its renewals in a hidden frame return to (app.silent).
            uris = f"{uri} {silent_redirect_for(uri)}"
            self.store.register_app(derive_client_id(uri), "PlaceOS Pyodide client", uris, APP_SCOPES)

    def redirect_uris(self) -> list[str]:
        """The app's redirect URI, under each loopback name a developer may type, plus any extra ones."""
        uris = [self.settings.redirect_uri, *self.settings.extra_redirect_uris]
        parts = urlsplit(self.settings.redirect_uri)
        if parts.hostname in LOOPBACK and not self.settings.client.redirect_uri:
            uris += [f"{parts.scheme}://{alias}:{parts.port}{parts.path}" for alias in ("127.0.0.1", "localhost")]
        return list(dict.fromkeys(uris))

    def app_origins(self) -> set[str]:
        """Origins of the registered apps: where sign-in and sign-out may send the browser back to."""
        return {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, self.redirect_uris())}


STANDIN = web.AppKey("standin", Standin)


__all__ = ["APP_SCOPES", "STANDIN", "Standin"]
