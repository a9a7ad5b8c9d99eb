"""What the auth service says about itself: GET /auth/authority (PlaceOS's), RFC 8414 metadata, and the login
page's stylesheet under a path the auth service owns."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from . import pages
from .forms import AUTHORIZE_PATH, hostname_of, origin_of
from .identity import Identities

LOGIN_CSS_PATH = pages.LOGIN_CSS_PATH


class DiscoveryRoutes:
    def __init__(
        self,
        identities: Identities,
        *,
        domains: set[str],
        started_at: int,
        scopes: tuple[str, ...],
        implicit_disabled: Callable[[], bool],
    ) -> None:
        self._identities = identities
        self._domains = domains
        self._started_at = started_at
        self._scopes = scopes
        self._implicit_disabled = implicit_disabled

    # GET /auth/authority
    async def authority(self, request: web.Request) -> web.StreamResponse:
        if "health" in request.query:
            return web.json_response({})
        domain = hostname_of(request)
        if domain not in self._domains:
            return web.json_response({"error": "authority not found"}, status=404)
        _, bearer_user = self._identities.bearer_user(request)
        return web.json_response(
            {
                "id": "authority-standin",
                "name": "PlaceOS stand-in",
                "description": "The embedded stand-in PlaceOS of the dev server",
                "domain": domain,
                "login_url": "/login?continue={{url}}",
                "logout_url": "/auth/logout",
                "config": {},
                "email_domains": [],
                "updated_at": self._started_at,
                "version": "v2.0.0",
                "session": self._identities.session_user(request) is not None,
                "token_valid": bearer_user is not None,
                "production": False,
            }
        )

    # GET /.well-known/oauth-authorization-server (RFC 8414)
    async def metadata(self, request: web.Request) -> web.StreamResponse:
        origin = origin_of(request)
        implicit = not self._implicit_disabled()
        return web.json_response(
            {
                "issuer": origin,
                "authorization_endpoint": f"{origin}{AUTHORIZE_PATH}",
                "token_endpoint": f"{origin}/auth/oauth/token",
                "revocation_endpoint": f"{origin}/auth/oauth/revoke",
                "response_types_supported": ["code", "token"] if implicit else ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"] + (["implicit"] if implicit else []),
                "response_modes_supported": ["query", "fragment"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "revocation_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": list(self._scopes),
            }
        )

    # GET /auth/assets/login.css: a PlaceOS-style proxy forwards /auth, /api and /login only
    async def login_css(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            pages.LOGIN_CSS_FILE, headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache"}
        )

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/auth/authority", self.authority)
        app.router.add_get("/.well-known/oauth-authorization-server", self.metadata)
        app.router.add_get(LOGIN_CSS_PATH, self.login_css)


__all__ = ["DiscoveryRoutes"]
