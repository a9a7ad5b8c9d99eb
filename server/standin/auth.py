"""The stand-in auth service, routed as PlaceOS mounts it: /auth/authority, /login, /auth/signin,
/auth/oauth/{authorize,token,revoke} and /auth/logout. oauthlib runs the grants; this module is the web glue.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from aiohttp import web
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import FatalClientError, OAuth2Error
from oauthlib.oauth2.rfc6749.errors import InvalidClientIdError

from . import pages
from .tokens import TokenRejected

if TYPE_CHECKING:
    from . import Standin
    from .store import User

SESSION_COOKIE = "user"
CSRF_COOKIE = "placeos_csrf"
AUTHORIZE_PATH = "/auth/oauth/authorize"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Under no-referrer Chromium sends `Origin: null` with form posts, which would defeat the Origin check below;
# same-origin still tells no other site anything.
PAGE_HEADERS = {**NO_STORE, "Referrer-Policy": "same-origin"}
DENIED = "The resource owner or authorization server denied the request."


def safe_continue(value: str, own_origin: str) -> str | None:
    """A place on this origin to send the browser after sign-in, or None: never off-site (no open redirect)."""
    if not value or any(ord(c) < 0x20 or c == "\\" for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        if f"{parts.scheme}://{parts.netloc}" != own_origin:
            return None
        value = parts.path + (f"?{parts.query}" if parts.query else "")
    if not value.startswith("/") or value.startswith("//"):
        return None
    return value


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _hostname(request: web.Request) -> str:
    return urlsplit("//" + request.host).hostname or ""


def _headers(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k.lower() not in ("cookie",)}


def _redirect(location: str, headers: dict[str, str]) -> web.Response:
    return web.Response(status=302, headers={**headers, "Location": location})


def _text_response(
    headers: dict[str, str], body: str, status: int, extra: dict[str, str] | None = None
) -> web.Response:
    response = web.Response(status=status, body=body or "", headers={**headers, **(extra or {})})
    return response


class AuthRoutes:
    def __init__(self, standin: Standin) -> None:
        self.s = standin

    # CSRF for the server's own forms: a random cookie (SameSite=Strict) and a field that is its HMAC
    def _csrf(self, request: web.Request, response_cookies: dict[str, str]) -> str:
        seed = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        response_cookies[CSRF_COOKIE] = seed
        return hmac.new(self.s.csrf_secret, seed.encode(), hashlib.sha256).hexdigest()

    def _csrf_ok(self, request: web.Request, form: dict[str, str]) -> bool:
        seed = request.cookies.get(CSRF_COOKIE, "")
        expected = hmac.new(self.s.csrf_secret, seed.encode(), hashlib.sha256).hexdigest()
        origin = request.headers.get("Origin")
        if origin and origin != _origin(request):
            return False
        return bool(seed) and hmac.compare_digest(form.get("csrf_token", ""), expected)

    def _with_cookies(self, response: web.StreamResponse, cookies: dict[str, str]) -> web.StreamResponse:
        for name, value in cookies.items():
            response.set_cookie(name, value, path="/", httponly=True, samesite="Strict", secure=self.s.secure_cookies)
        return response

    def _session_user(self, request: web.Request) -> User | None:
        session = request.cookies.get(SESSION_COOKIE)
        return self.s.store.session_user(session) if session else None

    def _bearer_user(self, request: web.Request) -> tuple[str | None, User | None]:
        token = self.s.bearer_token(request)
        if not token:
            return None, None
        try:
            _, user = self.s.issuer.verify(token, _hostname(request))
        except TokenRejected:
            return token, None
        return token, user

    def _page(self, html: str, status: int = 200, cookies: dict[str, str] | None = None) -> web.StreamResponse:
        response = web.Response(text=html, status=status, content_type="text/html", headers=PAGE_HEADERS)
        return self._with_cookies(response, cookies or {})

    # GET /auth/authority
    async def authority(self, request: web.Request) -> web.StreamResponse:
        if "health" in request.query:
            return web.json_response({})
        domain = _hostname(request)
        if domain not in self.s.domains:
            return web.json_response({"error": "authority not found"}, status=404)
        _, bearer_user = self._bearer_user(request)
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
                "updated_at": self.s.started_at,
                "version": "v2.0.0",
                "session": self._session_user(request) is not None,
                "token_valid": bearer_user is not None,
                "production": False,
            }
        )

    # GET /.well-known/oauth-authorization-server (RFC 8414)
    async def metadata(self, request: web.Request) -> web.StreamResponse:
        origin = _origin(request)
        return web.json_response(
            {
                "issuer": origin,
                "authorization_endpoint": f"{origin}{AUTHORIZE_PATH}",
                "token_endpoint": f"{origin}/auth/oauth/token",
                "revocation_endpoint": f"{origin}/auth/oauth/revoke",
                "response_types_supported": ["code"] if self.s.faults.implicit_disabled else ["code", "token"],
                "grant_types_supported": ["authorization_code", "refresh_token", "password"]
                + ([] if self.s.faults.implicit_disabled else ["implicit"]),
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "revocation_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": list(self.s.app_scopes),
            }
        )

    # GET /login?continue=…
    async def login_form(self, request: web.Request) -> web.StreamResponse:
        continue_to = safe_continue(request.query.get("continue", ""), _origin(request)) or "/"
        cookies: dict[str, str] = {}
        csrf = self._csrf(request, cookies)
        return self._page(
            pages.login_page(
                continue_to=continue_to,
                csrf_token=csrf,
                can_cancel=continue_to.startswith(AUTHORIZE_PATH + "?"),
                demo_hint=self.s.demo_hint,
            ),
            cookies=cookies,
        )

    def _login_again(
        self, request: web.Request, form: dict[str, str], continue_to: str | None, status: int, error: str
    ) -> web.StreamResponse:
        cookies: dict[str, str] = {}
        return self._page(
            pages.login_page(
                continue_to=continue_to or "/",
                csrf_token=self._csrf(request, cookies),
                email=form.get("email", ""),
                error=error,
                can_cancel=bool(continue_to and continue_to.startswith(AUTHORIZE_PATH + "?")),
                demo_hint=self.s.demo_hint,
            ),
            status=status,
            cookies=cookies,
        )

    # POST /auth/signin
    async def signin(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        form.update({k: v for k, v in request.query.items() if k not in form})
        continue_to = safe_continue(form.get("continue", ""), _origin(request))
        if not self._csrf_ok(request, form):
            return self._login_again(
                request,
                form,
                continue_to,
                403,
                "Your sign-in form expired or came from another site. Please sign in again.",
            )
        if form.get("action") == "cancel" and continue_to and continue_to.startswith(AUTHORIZE_PATH + "?"):
            return self._deny_from_query(request, dict(parse_qsl(urlsplit(continue_to).query)))
        user = self.s.store.check_credentials(form.get("email", ""), form.get("password", ""))
        if user is None:
            return self._login_again(
                request,
                form,
                continue_to,
                401,
                "That email and password don't match an account. Check them and try again.",
            )
        session = self.s.store.create_session(user.id)
        response: web.Response
        if continue_to:
            response = _redirect(continue_to, headers=NO_STORE)
        else:
            response = web.Response(status=202, headers=NO_STORE)
        response.set_cookie(
            SESSION_COOKIE,
            session,
            path="/auth",
            httponly=True,
            samesite="Lax",
            max_age=24 * 3600,
            secure=self.s.secure_cookies,
        )
        return response

    def _oauth_error_page(self, exc: OAuth2Error) -> web.StreamResponse:
        unknown_client = isinstance(exc, InvalidClientIdError) or exc.error in ("invalid_client", "unauthorized_client")
        status = 401 if unknown_client else 400
        titles = {
            "invalid_client": "Unknown application",
            "invalid_request": "Invalid sign-in request",
            "invalid_scope": "Invalid scope",
            "unsupported_response_type": "Unsupported response type",
            "invalid_redirect_uri": "Invalid redirect URI",
            "mismatching_redirect_uri": "Invalid redirect URI",
            "missing_redirect_uri": "Missing redirect URI",
        }
        title = titles.get(exc.error, "Invalid sign-in request")
        description = exc.description or "The request was refused."
        return self._page(pages.error_page(title, f"{description} ({exc.error})"), status=status)

    def _validate(self, request: web.Request, query: dict[str, str]) -> tuple[list[str], dict[str, object]]:
        uri = f"{_origin(request)}{AUTHORIZE_PATH}?{urlencode(query)}"
        scopes, credentials = self.s.oauth.validate_authorization_request(uri, "GET", None, _headers(request))
        return scopes, credentials

    def _deny_from_query(self, request: web.Request, query: dict[str, str]) -> web.StreamResponse:
        try:
            self._validate(request, query)
        except (FatalClientError, OAuth2Error) as exc:
            return self._oauth_error_page(exc)
        return self._deny(query)

    def _deny(self, query: dict[str, str]) -> web.StreamResponse:
        params = [("error", "access_denied"), ("error_description", DENIED)]
        if query.get("state"):
            params.append(("state", query["state"]))
        location = add_params_to_uri(query["redirect_uri"], params, fragment=query.get("response_type") == "token")
        return _redirect(location, headers=NO_STORE)

    # GET /auth/oauth/authorize (and POST from the consent page)
    async def authorize(self, request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            form = {k: str(v) for k, v in (await request.post()).items()}
            if not self._csrf_ok(request, form):
                return self._page(pages.error_page("Request expired", "The consent form expired; start again."), 403)
            decision = form.pop("decision", "")
            form.pop("csrf_token", None)
            query = form
        else:
            decision = ""
            query = dict(request.query)
        if query.get("response_type") == "token" and self.s.faults.implicit_disabled:
            # What PlaceOS's newer auth service (auth.cr) answers: implicit was deliberately dropped.
            return web.json_response(
                {"error": "unsupported_response_type", "error_description": "response_type=token"},
                status=400,
                headers=NO_STORE,
            )
        try:
            scopes, credentials = self._validate(request, query)
        except (FatalClientError, OAuth2Error) as exc:
            # Pre-authorization errors are shown, never redirected (RFC 6749 §4.1.2.1, Doorkeeper's :render).
            return self._oauth_error_page(exc)
        user = self._session_user(request)
        if user is None:
            target = f"{AUTHORIZE_PATH}?{urlencode(query)}"
            return _redirect(f"/login?continue={quote(target, safe='')}", headers=NO_STORE)
        app = self.s.store.app(query.get("client_id", ""))
        assert app is not None
        if self.s.faults.always_deny or decision == "deny":
            return self._deny(query)
        if not app.skip_authorization and decision != "approve":
            cookies: dict[str, str] = {}
            return self._page(
                pages.consent_page(
                    app_name=app.name,
                    scopes=scopes,
                    fields=query,
                    csrf_token=self._csrf(request, cookies),
                    user_email=user.email,
                ),
                cookies=cookies,
            )
        uri = f"{_origin(request)}{AUTHORIZE_PATH}?{urlencode(query)}"
        headers, body, status = self.s.oauth.create_authorization_response(
            uri, "GET", None, _headers(request), scopes, credentials={**credentials, "user": user}
        )
        return _text_response(headers, body, status, NO_STORE)

    # POST /auth/oauth/token
    async def token(self, request: web.Request) -> web.StreamResponse:
        # PlaceOS takes the parameters from the query too (ts-client sends its code exchange there); oauthlib
        # refuses a query on POST, so they move into the form, where a body value wins.
        params = dict(request.query)
        params.update(parse_qsl(await request.text(), keep_blank_values=True))
        headers = {**_headers(request), "Content-Type": "application/x-www-form-urlencoded"}
        try:
            headers, payload, status = self.s.oauth.create_token_response(
                str(request.url.with_query(None)), "POST", urlencode(params), headers
            )
        except OAuth2Error as exc:
            headers, payload, status = {"Content-Type": "application/json"}, exc.json, exc.status_code
        if status == 200:
            data = json.loads(payload)
            data["created_at"] = int(self.s.clock())
            payload = json.dumps(data)
        return _text_response(headers, payload, status, {**NO_STORE, "Cache-Control": "no-store, no-cache"})

    # POST /auth/oauth/revoke (RFC 7009)
    async def revoke(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        headers, payload, status = self.s.oauth.create_revocation_response(
            str(request.url), "POST", body, _headers(request)
        )
        return _text_response(headers, payload or "{}", status, {"Content-Type": "application/json", **NO_STORE})

    # GET /auth/logout: ends the session and every token issued to the user before now
    async def logout(self, request: web.Request) -> web.StreamResponse:
        user = self._session_user(request)
        token, bearer_user = self._bearer_user(request)
        user = user or bearer_user
        if token:
            jti = self.s.issuer.peek_jti(token)
            if jti:
                self.s.store.revoke_access_token(jti)
        if user is not None:
            self.s.store.log_out(user.id)
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            self.s.store.end_session(session)
        target = safe_continue(request.query.get("continue", ""), _origin(request)) or "/"
        response = _redirect(target, headers=NO_STORE)
        response.del_cookie(SESSION_COOKIE, path="/auth")
        return response

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/auth/authority", self.authority)
        app.router.add_get("/.well-known/oauth-authorization-server", self.metadata)
        app.router.add_get("/login", self.login_form)
        app.router.add_post("/auth/signin", self.signin)
        app.router.add_route("GET", AUTHORIZE_PATH, self.authorize)
        app.router.add_route("POST", AUTHORIZE_PATH, self.authorize)
        app.router.add_post("/auth/oauth/token", self.token)
        app.router.add_post("/auth/oauth/revoke", self.revoke)
        app.router.add_get("/auth/logout", self.logout)
