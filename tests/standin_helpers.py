"""Helpers for driving the stand-in through aiohttp's test client, as a browser would."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from app.core.config import derive_client_id
from server.app import create_app
from server.settings import Settings
from server.standin.container import STANDIN
from server.standin.wiring import DEV_SECRET_HEADER
from tests.fakes import Clock

REDIRECT_URI = "http://127.0.0.1:8000/"
CLIENT_ID = derive_client_id(REDIRECT_URI)
EMAIL = "demo@example.com"
PASSWORD = "demo-password"


FakeClock = Clock
# What a browser sends when one of the stand-in's own pages navigates or posts (logout acts only on such requests).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def dev_headers(client: Any) -> dict[str, str]:
    """The per-run secret that changing the fault switches takes."""
    return {DEV_SECRET_HEADER: client.server.app[STANDIN].settings.dev_secret}


async def set_faults(client: Any, **switches: Any) -> Any:
    return await client.post("/_dev/faults", json=switches, headers=dev_headers(client))


def make_app(tmp_path: Path, clock: FakeClock, **overrides: Any) -> Any:
    settings = replace(Settings(), data_path=tmp_path / "standin.sqlite3", **overrides)
    return create_app(settings, clock=clock)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


async def sign_in(client: Any, email: str = EMAIL, password: str = PASSWORD, continue_to: str = "") -> Any:
    page = await client.get("/login", params={"continue": continue_to} if continue_to else None)
    form = {"email": email, "password": password, "csrf_token": csrf_from(await page.text()), "action": "signin"}
    if continue_to:
        form["continue"] = continue_to
    return await client.post("/auth/signin", data=form, allow_redirects=False)


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "response_type": "token",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "public",
        "state": "state-123",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def fragment_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Pkce:
    verifier: str = "v" * 64

    @property
    def challenge(self) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()


async def implicit_token(client: Any, **overrides: str) -> str:
    """Sign in and run the implicit grant; returns the access token from the redirect fragment."""
    await sign_in(client)
    response = await client.get("/auth/oauth/authorize", params=authorize_params(**overrides), allow_redirects=False)
    assert response.status == 302, await response.text()
    return fragment_of(response.headers["Location"])["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def form(**fields: str) -> str:
    return urlencode(fields)
