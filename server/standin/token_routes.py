"""The token endpoint (RFC 6749 §3.2), revocation (RFC 7009) and introspection (RFC 7662), for public clients: no
cookies, JSON answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from aiohttp import web
from oauthlib.oauth2 import OAuth2Error

from .forms import NO_STORE, BadRequest, json_error, oauth_headers, read_urlencoded, single_values, text_response
from .oauth import PlaceOSServer

# oauthlib's create_revocation_response and create_introspect_response: (uri, method, body, headers) → answer
Endpoint = Callable[[str, str, str, dict[str, str]], tuple[dict[str, str], str, int]]


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

    # POST /auth/oauth/revoke (RFC 7009): only the client a token was issued to may revoke it
    async def revoke(self, request: web.Request) -> web.StreamResponse:
        return await self._form_post(request, self._oauth.create_revocation_response)

    # POST /auth/oauth/introspect (RFC 7662): a known client asks; its own live token is active, anything else is not
    async def introspect(self, request: web.Request) -> web.StreamResponse:
        return await self._form_post(request, self._oauth.create_introspect_response)

    async def _form_post(self, request: web.Request, endpoint: Endpoint) -> web.StreamResponse:
        try:
            body = urlencode(single_values(await read_urlencoded(request)))
        except BadRequest as exc:
            return json_error("invalid_request", str(exc))
        try:
            headers, payload, status = endpoint(str(request.url), "POST", body, oauth_headers(request))
        except OAuth2Error as exc:  # RevocationRefused among them: another client's token
            headers, payload, status = {}, exc.json, exc.status_code
        return text_response(headers, payload or "{}", status, {"Content-Type": "application/json", **NO_STORE})

    def add_to(self, app: web.Application) -> None:
        app.router.add_post("/auth/oauth/token", self.token)
        app.router.add_post("/auth/oauth/revoke", self.revoke)
        app.router.add_post("/auth/oauth/introspect", self.introspect)


__all__ = ["TokenRoutes"]
