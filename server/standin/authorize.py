"""GET /auth/oauth/authorize (and the consent page's POST): oauthlib validates, this decides what the person
sees. Errors before the client and redirect URI are known to be good are shown, never redirected (A2)."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

from aiohttp import web
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import FatalClientError, OAuth2Error
from oauthlib.oauth2.rfc6749.errors import InvalidClientIdError

from ..faults import Faults
from . import pages
from .forms import (
    AUTHORIZE_PATH,
    NO_STORE,
    BadRequest,
    FormGuard,
    bad_request_page,
    oauth_headers,
    origin_of,
    read_form,
    redirect,
    single_values,
    text_response,
)
from .identity import Identities
from .oauth import PlaceOSServer
from .store import Store

DENIED = "The resource owner or authorization server denied the request."
# What Doorkeeper's implicit response carries, and nothing else (oauthlib adds every token field, scope included).
IMPLICIT_FIELDS = ("access_token", "token_type", "expires_in", "state")
# The only response mode each response type may use: never an access token in a query (RFC 9700 §4.3.2; OAuth 2.0
# Multiple Response Type Encoding Practices §2.1).
RESPONSE_MODES = {"token": "fragment", "code": "query"}
ERROR_TITLES = {
    "invalid_client": "Unknown application",
    "invalid_request": "Invalid sign-in request",
    "invalid_scope": "Invalid scope",
    "unsupported_response_type": "Unsupported response type",
    "invalid_redirect_uri": "Invalid redirect URI",
    "mismatching_redirect_uri": "Invalid redirect URI",
    "missing_redirect_uri": "Missing redirect URI",
}

Credentials = dict[str, object]


def implicit_location(location: str) -> str:
    """The implicit redirect with exactly Doorkeeper's fields (or an error's), whatever oauthlib added."""
    base, _, fragment = location.partition("#")
    pairs = parse_qsl(fragment, keep_blank_values=True)
    if any(key == "error" for key, _ in pairs):
        return location
    kept = [(key, value) for key, value in pairs if key in IMPLICIT_FIELDS]
    return f"{base}#{urlencode(kept)}"


class AuthorizeRoutes:
    def __init__(
        self, oauth: PlaceOSServer, store: Store, faults: Faults, guard: FormGuard, identities: Identities
    ) -> None:
        self._oauth = oauth
        self._store = store
        self._faults = faults
        self._guard = guard
        self._identities = identities

    def error_page(self, exc: OAuth2Error) -> web.StreamResponse:
        unknown_client = isinstance(exc, InvalidClientIdError) or exc.error in ("invalid_client", "unauthorized_client")
        title = ERROR_TITLES.get(exc.error, "Invalid sign-in request")
        description = exc.description or "The request was refused."
        return self._guard.page(pages.error_page(title, f"{description} ({exc.error})"), 401 if unknown_client else 400)

    def validate(self, request: web.Request, query: dict[str, str]) -> tuple[list[str], Credentials]:
        response_type = query.get("response_type", "")
        mode = query.get("response_mode")
        if mode is not None and response_type in RESPONSE_MODES and mode != RESPONSE_MODES[response_type]:
            where = "an access token in the address's query" if response_type == "token" else "a code there"
            raise BadRequest(
                f"response_mode={mode} is not offered for response_type={response_type} (it would put {where}); "
                f"leave it out, or send {RESPONSE_MODES[response_type]}"
            )
        uri = f"{origin_of(request)}{AUTHORIZE_PATH}?{urlencode(query)}"
        scopes, credentials = self._oauth.validate_authorization_request(uri, "GET", None, oauth_headers(request))
        return scopes, credentials

    def deny_from_query(self, request: web.Request, pairs: list[tuple[str, str]]) -> web.StreamResponse:
        """The login page's Cancel: access_denied back to the app, once the request it cancels is validated."""
        try:
            _, credentials = self.validate(request, single_values(pairs))
        except BadRequest as exc:
            return bad_request_page(exc)
        except (FatalClientError, OAuth2Error) as exc:
            return self.error_page(exc)
        return self._deny(credentials)

    def _deny(self, credentials: Credentials) -> web.StreamResponse:
        return self._refuse(credentials, "access_denied", DENIED)

    def _refuse(self, credentials: Credentials, error: str, description: str) -> web.StreamResponse:
        """An error sent to the redirect URI oauthlib validated (or the registered default), never to one taken
        from the raw request."""
        params = [("error", error), ("error_description", description)]
        if credentials.get("state"):
            params.append(("state", str(credentials["state"])))
        fragment = credentials.get("response_type") == "token"
        return redirect(add_params_to_uri(str(credentials["redirect_uri"]), params, fragment=fragment))

    async def _read(self, request: web.Request) -> tuple[dict[str, str], str] | web.StreamResponse:
        """The request's parameters and the consent decision, or the response that refuses them."""
        if request.method != "POST":
            return single_values(request.query.items()), ""
        form = await read_form(request)
        if refusal := self._guard.rails_refusal(request):
            return refusal
        if not self._guard.posted_ok(request, form):
            return self._guard.page(pages.error_page("Request expired", "The consent form expired; start again."), 403)
        decision = form.pop("decision", "")
        form.pop("csrf_token", None)
        return form, decision

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        # Long on purpose: the authorize decision, in the order Doorkeeper takes it, reads best in one place.
        try:
            read = await self._read(request)
            if isinstance(read, web.StreamResponse):
                return read
            query, decision = read
            if query.get("response_type") == "token" and self._faults.implicit_disabled:
                # What PlaceOS's newer auth service (auth.cr) answers: implicit was deliberately dropped.
                return web.json_response(
                    {"error": "unsupported_response_type", "error_description": "response_type=token"},
                    status=400,
                    headers=NO_STORE,
                )
            user = self._identities.session_user(request)
            if user is None and query.get("prompt") != "none":
                # Doorkeeper's `before_action :authenticate_resource_owner!` (PlaceOS's resource_owner_authenticator)
                # runs before the request is looked at: without a session, a bad request too goes to the login page
                # first, and shows its error only after a sign-in. A probe without cookies learns nothing here;
                # app.auth.preflight asks introspection instead.
                return redirect(f"/login?continue={quote(f'{AUTHORIZE_PATH}?{urlencode(query)}', safe='')}")
            scopes, credentials = self.validate(request, query)
        except BadRequest as exc:
            return bad_request_page(exc)
        except (FatalClientError, OAuth2Error) as exc:
            # Pre-authorization errors are shown, never redirected (RFC 6749 §4.1.2.1, Doorkeeper's :render).
            return self.error_page(exc)
        if user is None:
            # OpenID Connect's prompt=none: a request that must not show a page (a renewal in a hidden frame)
            # learns at once that a sign-in is needed, instead of landing on a login page it cannot show.
            return self._refuse(credentials, "login_required", "A sign-in is needed.")
        app = self._store.app(query.get("client_id", ""))
        assert app is not None  # oauthlib validated the client
        if self._faults.always_deny or decision == "deny":
            return self._deny(credentials)
        if not app.skip_authorization and decision != "approve":
            cookies: dict[str, str] = {}
            page = pages.consent_page(
                app_name=app.name,
                scopes=scopes,
                fields=query,
                csrf_token=self._guard.token(request, cookies),
                user_email=user.email,
            )
            return self._guard.page(page, cookies=cookies)
        uri = f"{origin_of(request)}{AUTHORIZE_PATH}?{urlencode(query)}"
        headers, body, status = self._oauth.create_authorization_response(
            uri, "GET", None, oauth_headers(request), scopes, credentials={**credentials, "user": user}
        )
        if credentials.get("response_type") == "token" and "Location" in headers:
            headers["Location"] = implicit_location(headers["Location"])
        return text_response(headers, body, status, NO_STORE)

    def add_to(self, app: web.Application) -> None:
        app.router.add_route("GET", AUTHORIZE_PATH, self.authorize)
        app.router.add_route("POST", AUTHORIZE_PATH, self.authorize)


__all__ = ["AuthorizeRoutes", "implicit_location"]
