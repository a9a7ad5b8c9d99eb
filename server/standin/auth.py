"""The stand-in auth service, routed as PlaceOS mounts it: /auth/authority, /login, /auth/signin,
/auth/oauth/{authorize,token,revoke} and /auth/logout. oauthlib runs the grants (oauth.py); each concern has its
own module, and this is the one place that hands each the parts of the stand-in it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .authorize import AuthorizeRoutes
from .discovery import DiscoveryRoutes
from .forms import FormGuard
from .identity import Identities, bearer_token
from .login import LoginRoutes
from .logout import LogoutRoutes
from .token_routes import TokenRoutes

if TYPE_CHECKING:
    from .container import Standin


def add_auth_routes(app: web.Application, standin: Standin) -> None:
    identities = Identities(standin.store, standin.issuer, bearer_token)
    guard = FormGuard(
        standin.csrf_secret,
        secure_cookies=standin.secure_cookies,
        strict_origin=standin.settings.strict_origin,
        app_origins=standin.app_origins,
    )
    authorize = AuthorizeRoutes(standin.oauth, standin.store, standin.faults, guard, identities)
    DiscoveryRoutes(
        identities,
        domains=standin.domains,
        started_at=standin.started_at,
        scopes=standin.app_scopes,
        implicit_disabled=lambda: standin.faults.implicit_disabled,
    ).add_to(app)
    LoginRoutes(
        standin.store,
        standin.throttle,
        guard,
        deny=authorize.deny_from_query,
        demo_hint=standin.demo_hint,
        secure_cookies=standin.secure_cookies,
        session_s=lambda: standin.faults.session_timeout_min * 60,
    ).add_to(app)
    authorize.add_to(app)
    TokenRoutes(standin.oauth, standin.clock).add_to(app)
    LogoutRoutes(standin.store, standin.issuer, identities, guard).add_to(app)


__all__ = ["add_auth_routes"]
