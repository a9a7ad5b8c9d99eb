"""Proxy mode: /api, /auth, /login (and websockets under /api) go to a real PlaceOS, so the app stays
same-origin with it, as PlaceOS's own dev proxy does (frontend-tools proxy.conf.js, changeOrigin: true).

PlaceOS picks the tenant ("authority") by the Host header, so the Host is rewritten to the upstream's.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp
from aiohttp import WSMsgType, web

from .settings import Settings

PROXIED_PREFIXES = ("/api/", "/auth/", "/login")
# RFC 9110 §7.6.1 hop-by-hop headers, plus what the client library sets itself.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "accept-encoding",
}
UPSTREAM_SESSION = web.AppKey("upstream_session", aiohttp.ClientSession)


def _strip_cookie_domain(header: str) -> str:
    # A Domain= naming the upstream would make the browser drop the cookie on our origin.
    return "; ".join(part for part in header.split(";") if not part.strip().lower().startswith("domain="))


def _local_location(location: str, upstream: str) -> str:
    if location.startswith(upstream):
        return location[len(upstream) :] or "/"
    return location


def setup_proxy(app: web.Application, settings: Settings) -> None:
    upstream = settings.placeos_upstream
    assert upstream
    upstream_host = urlsplit(upstream).netloc

    async def open_session(app: web.Application) -> None:
        app[UPSTREAM_SESSION] = aiohttp.ClientSession(auto_decompress=False)

    async def close_session(app: web.Application) -> None:
        await app[UPSTREAM_SESSION].close()

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)

    def forward_headers(request: web.Request) -> dict[str, str]:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = upstream_host
        headers["X-Forwarded-Host"] = request.host
        headers["X-Forwarded-Proto"] = request.scheme
        if "Origin" in headers:
            headers["Origin"] = upstream
        return headers

    async def proxy(request: web.Request) -> web.StreamResponse:
        if request.path.startswith("/api/") and request.headers.get("Upgrade", "").lower() == "websocket":
            return await proxy_websocket(request)
        session = request.app[UPSTREAM_SESSION]
        try:
            async with session.request(
                request.method,
                upstream + request.raw_path,
                headers=forward_headers(request),
                data=await request.read() if request.body_exists else None,
                allow_redirects=False,
            ) as upstream_response:
                body = await upstream_response.read()
                response = web.Response(status=upstream_response.status, body=body)
                for name, value in upstream_response.headers.items():
                    lower = name.lower()
                    if lower in HOP_BY_HOP:
                        continue
                    if lower == "set-cookie":
                        response.headers.add(name, _strip_cookie_domain(value))
                    elif lower == "location":
                        response.headers[name] = _local_location(value, upstream)
                    else:
                        response.headers.add(name, value)
                return response
        except aiohttp.ClientError as exc:
            return web.json_response({"error": f"PlaceOS at {upstream} is unreachable: {exc}"}, status=502)

    async def proxy_websocket(request: web.Request) -> web.StreamResponse:
        session = request.app[UPSTREAM_SESSION]
        ws_upstream = upstream.replace("http", "ws", 1) + request.raw_path
        headers = {k: v for k, v in forward_headers(request).items() if not k.lower().startswith("sec-websocket")}
        try:
            remote = await session.ws_connect(ws_upstream, headers=headers)
        except aiohttp.ClientError as exc:
            return web.json_response({"error": f"PlaceOS websocket unreachable: {exc}"}, status=502)
        local = web.WebSocketResponse()
        await local.prepare(request)

        async def pipe(
            source: aiohttp.ClientWebSocketResponse | web.WebSocketResponse,
            sink: aiohttp.ClientWebSocketResponse | web.WebSocketResponse,
        ) -> None:
            async for message in source:
                if message.type == WSMsgType.TEXT:
                    await sink.send_str(message.data)
                elif message.type == WSMsgType.BINARY:
                    await sink.send_bytes(message.data)
                else:
                    break
            await sink.close()

        await asyncio.gather(pipe(local, remote), pipe(remote, local), return_exceptions=True)
        return local

    for prefix in ("/api", "/auth"):
        app.router.add_route("*", prefix + "/{tail:.*}", proxy)
    app.router.add_route("*", "/login", proxy)
