"""Proxy mode, against a second local server playing the upstream PlaceOS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web

import serve
from server.app import create_app
from server.settings import Settings


def upstream_app(seen: list[dict[str, Any]]) -> web.Application:
    def record(request: web.Request) -> None:
        seen.append(
            {
                "host": request.host,
                "auth": request.headers.get("Authorization", ""),
                "query": request.query_string,
                "method": request.method,
                "path": request.path,
                "headers": {k.lower(): v for k, v in request.headers.items()},
            }
        )

    async def systems(request: web.Request) -> web.StreamResponse:
        record(request)
        return web.json_response([{"id": "sys-UPSTREAM01"}], headers={"X-Total-Count": "1"})

    async def anything(request: web.Request) -> web.StreamResponse:
        record(request)
        return web.Response(text="reached " + request.path)

    async def signin(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        response = web.Response(status=302, headers={"Location": f"http://{request.host}/auth/oauth/authorize?x=1"})
        response.set_cookie("user", f"session-for-{form['email']}", path="/auth", domain="placeos.test", httponly=True)
        return response

    async def login(request: web.Request) -> web.StreamResponse:
        return web.Response(
            text="upstream login page",
            content_type="text/html",
            headers={
                "Access-Control-Allow-Origin": "*",
                "Content-Security-Policy": "default-src 'self'; form-action 'self'",
            },
        )

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
    app.router.add_route("*", "/{tail:.*}", anything)
    return app


@pytest.fixture
async def proxied(aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path) -> tuple[Any, list[dict[str, Any]], str]:
    seen: list[dict[str, Any]] = []
    upstream = await aiohttp_server(upstream_app(seen))
    upstream_url = str(upstream.make_url("")).rstrip("/")
    settings = replace(
        Settings(), data_path=tmp_path / "unused.sqlite3", placeos_upstream=upstream_url, dev_controls=False
    )
    client = await aiohttp_client(create_app(settings))
    return client, seen, upstream_url


async def test_proxy_forwards_api_calls_with_the_host_rewritten(proxied: Any) -> None:
    client, seen, upstream_url = proxied
    response = await client.get("/api/engine/v2/systems?q=room&limit=5", headers={"Authorization": "Bearer abc"})
    assert response.status == 200
    assert await response.json() == [{"id": "sys-UPSTREAM01"}]
    assert response.headers["X-Total-Count"] == "1"
    assert response.headers["X-Request-ID"]
    assert [{k: v for k, v in request.items() if k not in ("path", "headers")} for request in seen] == [
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
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/api/engine/v2/systems")
    assert response.status == 502
    assert "unreachable" in (await response.json())["error"]


def test_cli_placeos_flag_selects_proxy_mode() -> None:
    settings = serve.parse_args(
        ["--placeos", "https://placeos.example.com/", "--client-id", "abc", "--redirect-uri", "http://127.0.0.1:8000/"]
    )
    assert settings.placeos_upstream == "https://placeos.example.com"
    assert settings.client_id == "abc" and not settings.dev_controls


# hostile targets and forwarded headers (issue 8, items 13 and 14) ------------------------------------------------


async def _raw_get(client: Any, target: str, extra: str = "") -> tuple[int, str]:
    """One request exactly as written: no client library normalises the target first (like curl --path-as-is)."""
    import asyncio

    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: {client.host}:{client.port}\r\n{extra}Connection: close\r\n\r\n".encode()
    )
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.decode(errors="replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "target",
    [
        "/api/../admin",
        "/api/engine/../../admin",
        "/api/%2e%2e/admin",
        "/auth/%2E%2E/%2e%2e/admin?x=1",
        "/api/./../admin",
    ],
)
async def test_dot_segments_cannot_escape_the_forwarded_prefixes(proxied: Any, target: str) -> None:
    client, seen, _ = proxied
    status, _ = await _raw_get(client, target)
    assert status in (400, 404)
    assert all(request["path"] != "/admin" for request in seen)


async def test_dot_segments_that_stay_inside_a_prefix_are_resolved_before_forwarding(proxied: Any) -> None:
    client, seen, _ = proxied
    status, _ = await _raw_get(client, "/api/engine/x/../v2/systems?q=1")
    assert status == 200 and seen[-1]["path"] == "/api/engine/v2/systems" and seen[-1]["query"] == "q=1"


async def test_an_absolute_form_target_is_refused(proxied: Any) -> None:
    client, seen, _ = proxied
    status, _ = await _raw_get(client, "http://evil.example.com/api/engine/v2/systems")
    assert status == 400 and not seen


def test_upstream_path_resolves_then_checks_the_prefix() -> None:
    from server.proxy import upstream_path

    assert upstream_path("/api/engine/v2/systems?q=a/../b") == "/api/engine/v2/systems?q=a/../b"
    assert upstream_path("/api/x/./y/") == "/api/x/y/"
    assert upstream_path("/login") == "/login"
    for refused in (
        "/api/../admin",
        "//evil.example.com/api/",
        "http://x/api/",
        "/api\\..\\admin",
        "/apix/../login/..",
    ):
        assert upstream_path(refused) is None, refused


async def test_client_forwarding_headers_and_connection_named_headers_are_not_passed_on(proxied: Any) -> None:
    client, seen, _ = proxied
    await client.get(
        "/api/engine/v2/systems",
        headers={
            "X-Forwarded-Host": "evil.example.com",
            "X-Forwarded-Proto": "https",
            "Forwarded": "host=evil.example.com",
            "X-Secret-Hop": "drop me",
            "Connection": "X-Secret-Hop",
        },
    )
    headers = seen[-1]["headers"]
    assert not {"x-forwarded-host", "x-forwarded-proto", "forwarded", "x-secret-hop"} & set(headers)


async def test_upstream_cors_headers_are_dropped_and_its_csp_kept(proxied: Any) -> None:
    client, _, _ = proxied
    page = await client.get("/login")
    assert "Access-Control-Allow-Origin" not in page.headers
    assert page.headers["Content-Security-Policy"] == "default-src 'self'; form-action 'self'"


async def test_a_login_form_post_through_the_proxy_passes_a_rails_origin_check(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path
) -> None:
    # The upstream is the stand-in with Rails's check on, as PlaceOS's auth service (Rails + Doorkeeper) does it.
    upstream = await aiohttp_server(
        create_app(replace(Settings(), data_path=tmp_path / "upstream.sqlite3", strict_origin=True))
    )
    upstream_url = str(upstream.make_url("")).rstrip("/")
    proxy_settings = replace(
        Settings(), data_path=tmp_path / "unused.sqlite3", placeos_upstream=upstream_url, dev_controls=False
    )
    client = await aiohttp_client(create_app(proxy_settings))
    own_origin = str(client.make_url("")).rstrip("/")
    from tests.standin_helpers import EMAIL, PASSWORD, csrf_from

    page = await client.get("/login")
    assert page.status == 200
    form = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_from(await page.text()), "action": "signin"}
    # What the browser sends from the login page it got through the proxy: our origin as Origin.
    response = await client.post("/auth/signin", data=form, headers={"Origin": own_origin}, allow_redirects=False)
    assert response.status == 202, await response.text()
    # The same post straight at the upstream with a mismatched forwarded host gets Rails's 422.
    direct = await client.session.post(
        upstream_url + "/auth/signin",
        data=form,
        headers={"Origin": upstream_url, "X-Forwarded-Host": "app.example.com"},
        allow_redirects=False,
    )
    assert direct.status == 422 and "InvalidAuthenticityToken" in await direct.text()
