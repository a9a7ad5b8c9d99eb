"""Proxy mode: /api, /auth, /login (and websockets under /api) go to a real PlaceOS, so the app stays
same-origin with it, as PlaceOS's own dev proxy does (frontend-tools proxy.conf.js, changeOrigin: true).

PlaceOS picks the tenant ("authority") by the Host header, so the Host is rewritten to the upstream's, and the
Origin with it; no X-Forwarded-Host or -Proto is sent (Rails would build its base URL from them and refuse every
form post whose rewritten Origin no longer matches), and none a client sent is passed on.

What comes back: the upstream's own Content-Security-Policy and framing headers pass through unchanged, since
they describe its own pages (the login page); our middleware only adds the ones it left out. Its CORS headers are
dropped: through the proxy the app is same-origin with PlaceOS, and CORS granted for the upstream's origin must not
open ours to other sites.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import WSCloseCode, WSMsgType, web

from .settings import Settings

PROXIED_PREFIXES = ("/api/", "/auth/", "/login")
# Request headers a client may not steer the upstream with: forwarding claims only this proxy could make.
CLIENT_FORWARDING = {
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-real-ip",
    "referer",
}
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


def _hop_by_hop(headers: Any) -> set[str]:
    """The fixed hop-by-hop set plus every header the message's Connection header names (RFC 9110 §7.6.1)."""
    named = {token.strip().lower() for value in headers.getall("Connection", []) for token in value.split(",")}
    return HOP_BY_HOP | named


def upstream_path(raw_target: str) -> str | None:
    """The path and query to send upstream, or None when the target must be refused.

    Dot segments are resolved first (with %2e read as a dot, as servers do) and the prefix is checked after, so
    `/api/../admin` cannot reach the upstream's /admin; an absolute-form target (`GET http://host/…`) is
    refused, since concatenating it would let the client pick the upstream's host.
    """
    if not raw_target.startswith("/") or raw_target.startswith("//"):
        return None
    path, mark, query = raw_target.partition("?")
    if "\\" in path or "#" in path:
        return None
    resolved: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        dots = segment.replace("%2e", ".").replace("%2E", ".")
        last = index == len(segments) - 1
        if dots == ".":
            if last:
                resolved.append("")
        elif dots == "..":
            if resolved:
                resolved.pop()
            if last:
                resolved.append("")
        else:
            resolved.append(segment)
    normalised = "/" + "/".join(resolved)
    if not (normalised.startswith(PROXIED_PREFIXES) or normalised in ("/api", "/auth", "/login")):
        return None
    return normalised + (mark + query if mark else "")


def _strip_cookie_domain(header: str) -> str:
    # A Domain= naming the upstream would make the browser drop the cookie on our origin.
    return "; ".join(part for part in header.split(";") if not part.strip().lower().startswith("domain="))


def _local_location(location: str, upstream: str) -> str:
    if location.startswith(upstream):
        return location[len(upstream) :] or "/"
    return location


class Proxy:
    """Forwards one request, or one websocket, to the upstream PlaceOS."""

    def __init__(self, upstream: str) -> None:
        self._upstream = upstream
        self._upstream_host = urlsplit(upstream).netloc
        self._sockets: set[web.WebSocketResponse] = set()

    async def close_all(self, app: web.Application) -> None:
        """On shutdown, as the stand-in's realtime does: an open socket would hold the stop for 60 s."""
        for socket in list(self._sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")

    def _forward_headers(self, request: web.Request) -> dict[str, str]:
        dropped = _hop_by_hop(request.headers) | CLIENT_FORWARDING
        headers = {k: v for k, v in request.headers.items() if k.lower() not in dropped}
        headers["Host"] = self._upstream_host
        if "Origin" in headers:
            headers["Origin"] = self._upstream
        return headers

    def _response(self, upstream_response: aiohttp.ClientResponse, body: bytes) -> web.Response:
        response = web.Response(status=upstream_response.status, body=body)
        dropped = _hop_by_hop(upstream_response.headers)
        for name, value in upstream_response.headers.items():
            lower = name.lower()
            if lower in dropped or lower.startswith("access-control-"):
                continue
            if lower == "set-cookie":
                response.headers.add(name, _strip_cookie_domain(value))
            elif lower == "location":
                response.headers[name] = _local_location(value, self._upstream)
            else:
                response.headers.add(name, value)
        return response

    async def handle(self, request: web.Request) -> web.StreamResponse:
        target = upstream_path(request.raw_path)
        if target is None:
            return web.json_response(
                {"error": "this path is not forwarded to PlaceOS (absolute-form, or it leaves /api, /auth, /login)"},
                status=400,
            )
        if target.startswith("/api/") and request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request, target)
        try:
            async with request.app[UPSTREAM_SESSION].request(
                request.method,
                self._upstream + target,
                headers=self._forward_headers(request),
                data=await request.read() if request.body_exists else None,
                allow_redirects=False,
            ) as upstream_response:
                return self._response(upstream_response, await upstream_response.read())
        except aiohttp.ClientError as exc:
            return web.json_response({"error": f"PlaceOS at {self._upstream} is unreachable: {exc}"}, status=502)

    async def _websocket(self, request: web.Request, target: str) -> web.StreamResponse:
        ws_upstream = self._upstream.replace("http", "ws", 1) + target
        headers = {k: v for k, v in self._forward_headers(request).items() if not k.lower().startswith("sec-websocket")}
        try:
            remote = await request.app[UPSTREAM_SESSION].ws_connect(ws_upstream, headers=headers)
        except aiohttp.ClientError as exc:
            return web.json_response({"error": f"PlaceOS websocket unreachable: {exc}"}, status=502)
        local = web.WebSocketResponse()
        await local.prepare(request)
        self._sockets.add(local)
        try:
            await asyncio.gather(_pipe(local, remote), _pipe(remote, local), return_exceptions=True)
        finally:
            self._sockets.discard(local)
            await remote.close()
        return local


async def _pipe(
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


def setup_proxy(app: web.Application, settings: Settings) -> None:
    assert settings.placeos_upstream
    proxy = Proxy(settings.placeos_upstream)

    async def open_session(app: web.Application) -> None:
        app[UPSTREAM_SESSION] = aiohttp.ClientSession(auto_decompress=False)

    async def close_session(app: web.Application) -> None:
        await app[UPSTREAM_SESSION].close()

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    app.on_shutdown.append(proxy.close_all)
    for prefix in ("/api", "/auth"):
        app.router.add_route("*", prefix + "/{tail:.*}", proxy.handle)
    app.router.add_route("*", "/login", proxy.handle)


__all__ = ["PROXIED_PREFIXES", "Proxy", "setup_proxy", "upstream_path"]
