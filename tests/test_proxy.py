"""Proxy mode, against a second local server playing the upstream PlaceOS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web

import serve
from server.settings import Settings


def upstream_app(seen: list[dict[str, str]]) -> web.Application:
    async def systems(request: web.Request) -> web.StreamResponse:
        seen.append(
            {
                "host": request.host,
                "auth": request.headers.get("Authorization", ""),
                "query": request.query_string,
                "method": request.method,
            }
        )
        return web.json_response([{"id": "sys-UPSTREAM01"}], headers={"X-Total-Count": "1"})

    async def signin(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        response = web.Response(status=302, headers={"Location": f"http://{request.host}/auth/oauth/authorize?x=1"})
        response.set_cookie("user", f"session-for-{form['email']}", path="/auth", domain="placeos.test", httponly=True)
        return response

    async def login(request: web.Request) -> web.StreamResponse:
        return web.Response(text="upstream login page", content_type="text/html")

    async def socket(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await ws.send_str("pong" if message.data == "ping" else f"echo:{message.data}")
        return ws

    app = web.Application()
    app.router.add_get("/api/engine/v2/systems", systems)
    app.router.add_post("/auth/signin", signin)
    app.router.add_get("/login", login)
    app.router.add_get("/api/engine/v2/systems/control", socket)
    return app


@pytest.fixture
async def proxied(aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path) -> tuple[Any, list[dict[str, str]], str]:
    seen: list[dict[str, str]] = []
    upstream = await aiohttp_server(upstream_app(seen))
    upstream_url = str(upstream.make_url("")).rstrip("/")
    settings = replace(
        Settings(), data_path=tmp_path / "unused.sqlite3", placeos_upstream=upstream_url, dev_controls=False
    )
    client = await aiohttp_client(serve.create_app(settings))
    return client, seen, upstream_url


async def test_proxy_forwards_api_calls_with_the_host_rewritten(proxied: Any) -> None:
    client, seen, upstream_url = proxied
    response = await client.get("/api/engine/v2/systems?q=room&limit=5", headers={"Authorization": "Bearer abc"})
    assert response.status == 200
    assert await response.json() == [{"id": "sys-UPSTREAM01"}]
    assert response.headers["X-Total-Count"] == "1"
    assert response.headers["X-Request-ID"]
    assert seen == [
        {"host": upstream_url.split("//")[1], "auth": "Bearer abc", "query": "q=room&limit=5", "method": "GET"}
    ]


async def test_proxy_keeps_redirects_and_cookies_on_our_origin(proxied: Any) -> None:
    client, _, _ = proxied
    response = await client.post("/auth/signin", data={"email": "a@b.c", "password": "x"}, allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/auth/oauth/authorize?x=1"
    cookie = response.headers["Set-Cookie"]
    assert "session-for-a@b.c" in cookie and "domain" not in cookie.lower()
    page = await client.get("/login")
    assert await page.text() == "upstream login page"


async def test_proxy_serves_the_app_itself_and_has_no_standin(proxied: Any) -> None:
    client, _, _ = proxied
    assert (await client.get("/")).status == 200
    assert (await client.get("/_dev/faults")).status == 404


async def test_proxy_relays_websockets_under_api(proxied: Any) -> None:
    client, _, _ = proxied
    ws = await client.ws_connect("/api/engine/v2/systems/control")
    await ws.send_str("ping")
    assert (await ws.receive()).data == "pong"
    await ws.send_str('{"id":1,"cmd":"bind"}')
    assert (await ws.receive()).data == 'echo:{"id":1,"cmd":"bind"}'
    await ws.close()


async def test_proxy_upstream_down_is_a_clear_502(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = replace(
        Settings(), data_path=tmp_path / "x.sqlite3", placeos_upstream="http://127.0.0.1:9", dev_controls=False
    )
    client = await aiohttp_client(serve.create_app(settings))
    response = await client.get("/api/engine/v2/systems")
    assert response.status == 502
    assert "unreachable" in (await response.json())["error"]


def test_cli_placeos_flag_selects_proxy_mode() -> None:
    settings = serve.parse_args(
        ["--placeos", "https://placeos.example.com/", "--client-id", "abc", "--redirect-uri", "http://127.0.0.1:8000/"]
    )
    assert settings.placeos_upstream == "https://placeos.example.com"
    assert settings.client_id == "abc" and not settings.dev_controls
