"""The token endpoint (RFC 6749 §3.2), revocation (RFC 7009) and introspection (RFC 7662), for public clients: no
cookies, JSON answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from aiohttp import web
from oauthlib.oauth2 import OAuth2Error

from .forms import NO_STORE, BadRequest, json_error, oauth_headers, read_urlencoded, single_values, text_response
from .oauth import PlaceOSServer, RevocationRefused


class TokenRoutes:
    def __init__(self, oauth: PlaceOSServer, clock: Callable[[], float]) -> None:
        self._oauth = oauth
        self._clock = clock

    # POST /auth/oauth/token
    async def token(self, request: web.Request) -> web.StreamResponse:
        # PlaceOS takes the parameters from the query too (ts-client sends its code exchange there); oauthlib
        # refuses a query on POST, so they move into the form, where a body value wins.
        try:
            params = single_values(request.query.items())
            params.update(single_values(await read_urlencoded(request)))
        except BadRequest as exc:
            return json_error("invalid_request", str(exc))
        headers = {**oauth_headers(request), "Content-Type": "application/x-www-form-urlencoded"}
        try:
            headers, payload, status = self._oauth.create_token_response(
                str(request.url.with_query(None)), "POST", urlencode(params), headers
            )
        except OAuth2Error as exc:
            headers, payload, status = {"Content-Type": "application/json"}, exc.json, exc.status_code
        if status == 200:
            data = json.loads(payload)
            data["created_at"] = int(self._clock())
            payload = json.dumps(data)
        return text_response(headers, payload, status, {**NO_STORE, "Cache-Control": "no-store, no-cache"})

    # POST /auth/oauth/revoke (RFC 7009)
    async def revoke(self, request: web.Request) -> web.StreamResponse:
        try:
            body = urlencode(single_values(await read_urlencoded(request)))
        except BadRequest as exc:
            return json_error("invalid_request", str(exc))
        try:
            headers, payload, status = self._oauth.create_revocation_response(
                str(request.url), "POST", body, oauth_headers(request)
            )
        except RevocationRefused as exc:
            headers, payload, status = {}, exc.json, exc.status_code
        return text_response(headers, payload or "{}", status, {"Content-Type": "application/json", **NO_STORE})

    # POST /auth/oauth/introspect: a known client asks; its own live token is active, anything else is not
    async def introspect(self, request: web.Request) -> web.StreamResponse:
        try:
            body = urlencode(single_values(await read_urlencoded(request)))
        except BadRequest as exc:
            return json_error("invalid_request", str(exc))
        try:
            headers, payload, status = self._oauth.create_introspect_response(
                str(request.url), "POST", body, oauth_headers(request)
            )
        except OAuth2Error as exc:
            headers, payload, status = {}, exc.json, exc.status_code
        return text_response(headers, payload or "{}", status, {"Content-Type": "application/json", **NO_STORE})

    def add_to(self, app: web.Application) -> None:
        app.router.add_post("/auth/oauth/token", self.token)
        app.router.add_post("/auth/oauth/revoke", self.revoke)
        app.router.add_post("/auth/oauth/introspect", self.introspect)


__all__ = ["TokenRoutes"]
