"""The stand-in auth service, routed as PlaceOS mounts it: /auth/authority, /login, /auth/signin,
/auth/oauth/{authorize,token,revoke} and /auth/logout. oauthlib runs the grants; this module is the web glue.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from aiohttp import web
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import FatalClientError, OAuth2Error
from oauthlib.oauth2.rfc6749.errors import InvalidClientIdError

from . import pages
from .oauth import RevocationRefused
from .store import verify_password
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
# What Doorkeeper's implicit response carries, and nothing else (oauthlib adds every token field, scope included).
IMPLICIT_FIELDS = ("access_token", "token_type", "expires_in", "state")
# The only response mode each response type may use: never an access token in a query (RFC 9700 §4.3.2; OAuth 2.0
# Multiple Response Type Encoding Practices §2.1).
RESPONSE_MODES = {"token": "fragment", "code": "query"}


class BadRequest(Exception):
    """Input the auth service cannot use; str() says what was wrong, for a 400."""


def safe_continue(value: str, own_origin: str, app_origins: Iterable[str] = ()) -> str | None:
    """Where to send the browser after sign-in or sign-out, or None: this origin, or a registered app's origin
    (checklist A7), never anywhere else (no open redirect)."""
    if not value or any(ord(c) < 0x20 or c == "\\" for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin != own_origin:
            return value if origin in app_origins and parts.path.startswith("/") else None
        value = parts.path + (f"?{parts.query}" if parts.query else "")
    if not value.startswith("/") or value.startswith("//"):
        return None
    return value


def single_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Parameters as a dict, refusing a repeated one (RFC 6749 §3.1: "MUST NOT be included more than once")
    instead of silently keeping one of its values."""
    values: dict[str, str] = {}
    for key, value in pairs:
        if key in values:
            raise BadRequest(f"the parameter {key!r} is repeated; send it once")
        values[key] = value
    return values


async def read_form(request: web.Request) -> dict[str, str]:
    """A posted form's fields, or BadRequest for a body that is not one (bad UTF-8, a broken multipart)."""
    try:
        data = await request.post()
    except (ValueError, AssertionError, LookupError) as exc:
        # UnicodeDecodeError is a ValueError; a multipart body without a boundary raises AssertionError.
        raise BadRequest(f"the form could not be read ({type(exc).__name__})") from None
    if any(not isinstance(value, str) for value in data.values()):
        raise BadRequest("the form carries a file where text was expected")
    return single_values((key, str(value)) for key, value in data.items())


async def read_urlencoded(request: web.Request) -> list[tuple[str, str]]:
    try:
        body = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    return parse_qsl(body, keep_blank_values=True)


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _hostname(request: web.Request) -> str:
    return urlsplit("//" + request.host).hostname or ""


def _headers(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k.lower() not in ("cookie",)}


def _same_origin(request: web.Request) -> bool:
    """A request this origin's own pages made, or that a person typed ("none"); a cross-site page cannot forge
    Sec-Fetch-Site, and browsers too old to send it send Origin on every cross-site POST and fetch."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    return request.headers.get("Origin") == _origin(request)


def rails_base_url(request: web.Request) -> str:
    """The origin Rails (PlaceOS's auth service) believes it serves: X-Forwarded-Proto and X-Forwarded-Host win
    over the request's own scheme and Host (ActionDispatch::Request#base_url)."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() or request.scheme
    host = request.headers.get("X-Forwarded-Host", "").split(",")[-1].strip() or request.host
    return f"{proto}://{host}"


def _bad_request_page(exc: BadRequest) -> web.StreamResponse:
    return web.Response(
        text=pages.error_page("Bad request", f"The request could not be used: {exc}."),
        status=400,
        content_type="text/html",
        headers=PAGE_HEADERS,
    )


def _json_error(error: str, description: str, status: int = 400) -> web.StreamResponse:
    return web.json_response({"error": error, "error_description": description}, status=status, headers=NO_STORE)


def _redirect(location: str, headers: dict[str, str]) -> web.Response:
    return web.Response(status=302, headers={**headers, "Location": location})


def _text_response(
    headers: dict[str, str], body: str, status: int, extra: dict[str, str] | None = None
) -> web.Response:
    response = web.Response(status=status, body=body or "", headers={**headers, **(extra or {})})
    return response


def implicit_location(location: str) -> str:
    """The implicit redirect with exactly Doorkeeper's fields (or an error's), whatever oauthlib added."""
    base, _, fragment = location.partition("#")
    pairs = parse_qsl(fragment, keep_blank_values=True)
    if any(key == "error" for key, _ in pairs):
        return location
    kept = [(key, value) for key, value in pairs if key in IMPLICIT_FIELDS]
    return f"{base}#{urlencode(kept)}"


# The login page's stylesheet, under a path the auth service owns: a PlaceOS-style proxy forwards /auth, /api
# and /login only, so /static/app.css would not reach the login page through it.
LOGIN_CSS_PATH = pages.LOGIN_CSS_PATH


async def login_css(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        pages.LOGIN_CSS_FILE, headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache"}
    )


class AuthRoutes:
    def __init__(self, standin: Standin) -> None:
        self.s = standin
        self.throttle = standin.throttle

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
        return bool(seed) and hmac.compare_digest(form.get("csrf_token", "").encode(), expected.encode())

    def _rails_refusal(self, request: web.Request) -> web.StreamResponse | None:
        """With --strict-origin, a form post whose Origin is not the origin Rails would compute is refused with
        Rails's 422, as PlaceOS's auth service refuses it: proves a proxy forwards consistent headers."""
        origin = request.headers.get("Origin")
        if not self.s.settings.strict_origin or origin is None or origin == rails_base_url(request):
            return None
        return self._page(
            pages.error_page(
                "The change you wanted was rejected",
                f"ActionController::InvalidAuthenticityToken: HTTP Origin header ({origin}) didn't match "
                f"request.base_url ({rails_base_url(request)})",
            ),
            status=422,
        )

    def _continue(self, request: web.Request, value: str) -> str | None:
        return safe_continue(value, _origin(request), self.s.app_origins())

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
                "grant_types_supported": ["authorization_code", "refresh_token"]
                + ([] if self.s.faults.implicit_disabled else ["implicit"]),
                "response_modes_supported": ["query", "fragment"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "revocation_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": list(self.s.app_scopes),
            }
        )

    # GET /login?continue=…
    async def login_form(self, request: web.Request) -> web.StreamResponse:
        continue_to = self._continue(request, request.query.get("continue", "")) or "/"
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
        self,
        request: web.Request,
        form: dict[str, str],
        continue_to: str | None,
        status: int,
        error: str,
        headers: dict[str, str] | None = None,
    ) -> web.StreamResponse:
        cookies: dict[str, str] = {}
        response = self._page(
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
        response.headers.update(headers or {})
        return response

    async def _check_password(self, email: str, password: str) -> User | None:
        user, stored = self.s.store.password_record(email)
        # scrypt takes ~40 ms of CPU on purpose: in a thread, so sign-ins do not stall every other request.
        ok = await asyncio.to_thread(verify_password, password, stored)
        return user if ok else None

    # POST /auth/signin
    async def signin(self, request: web.Request) -> web.StreamResponse:
        try:
            form = await read_form(request)
            form.update({k: v for k, v in single_values(request.query.items()).items() if k not in form})
        except BadRequest as exc:
            return _bad_request_page(exc)
        if refusal := self._rails_refusal(request):
            return refusal
        continue_to = self._continue(request, form.get("continue", ""))
        if not self._csrf_ok(request, form):
            return self._login_again(
                request,
                form,
                continue_to,
                403,
                "Your sign-in form expired or came from another site. Please sign in again.",
            )
        if form.get("action") == "cancel" and continue_to and continue_to.startswith(AUTHORIZE_PATH + "?"):
            return self._deny_from_query(request, parse_qsl(urlsplit(continue_to).query, keep_blank_values=True))
        email = form.get("email", "")
        keys = self.throttle.keys(email, request.remote or "")
        wait = self.throttle.retry_after(keys)
        if wait:
            return self._login_again(
                request,
                form,
                continue_to,
                429,
                f"Too many failed sign-ins. Wait {wait} seconds, then try again.",
                {"Retry-After": str(wait)},
            )
        user = await self._check_password(email, form.get("password", ""))
        if user is None:
            self.throttle.failed(keys)
            return self._login_again(
                request,
                form,
                continue_to,
                401,
                "That email and password don't match an account. Check them and try again.",
            )
        self.throttle.succeeded(email)
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
        response_type = query.get("response_type", "")
        mode = query.get("response_mode")
        if mode is not None and response_type in RESPONSE_MODES and mode != RESPONSE_MODES[response_type]:
            where = "an access token in the address's query" if response_type == "token" else "a code there"
            raise BadRequest(
                f"response_mode={mode} is not offered for response_type={response_type} (it would put {where}); "
                f"leave it out, or send {RESPONSE_MODES[response_type]}"
            )
        uri = f"{_origin(request)}{AUTHORIZE_PATH}?{urlencode(query)}"
        scopes, credentials = self.s.oauth.validate_authorization_request(uri, "GET", None, _headers(request))
        return scopes, credentials

    def _deny_from_query(self, request: web.Request, pairs: list[tuple[str, str]]) -> web.StreamResponse:
        try:
            _, credentials = self._validate(request, single_values(pairs))
        except BadRequest as exc:
            return _bad_request_page(exc)
        except (FatalClientError, OAuth2Error) as exc:
            return self._oauth_error_page(exc)
        return self._deny(credentials)

    def _deny(self, credentials: dict[str, object]) -> web.StreamResponse:
        """access_denied, sent to the redirect URI oauthlib validated (or the registered default), never to one
        taken from the raw request."""
        params = [("error", "access_denied"), ("error_description", DENIED)]
        if credentials.get("state"):
            params.append(("state", str(credentials["state"])))
        fragment = credentials.get("response_type") == "token"
        location = add_params_to_uri(str(credentials["redirect_uri"]), params, fragment=fragment)
        return _redirect(location, headers=NO_STORE)

    # GET /auth/oauth/authorize (and POST from the consent page)
    async def authorize(self, request: web.Request) -> web.StreamResponse:
        try:
            if request.method == "POST":
                form = await read_form(request)
                if refusal := self._rails_refusal(request):
                    return refusal
                if not self._csrf_ok(request, form):
                    return self._page(
                        pages.error_page("Request expired", "The consent form expired; start again."), 403
                    )
                decision = form.pop("decision", "")
                form.pop("csrf_token", None)
                query = form
            else:
                decision = ""
                query = single_values(request.query.items())
        except BadRequest as exc:
            return _bad_request_page(exc)
        if query.get("response_type") == "token" and self.s.faults.implicit_disabled:
            # What PlaceOS's newer auth service (auth.cr) answers: implicit was deliberately dropped.
            return web.json_response(
                {"error": "unsupported_response_type", "error_description": "response_type=token"},
                status=400,
                headers=NO_STORE,
            )
        try:
            scopes, credentials = self._validate(request, query)
        except BadRequest as exc:
            return _bad_request_page(exc)
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
            return self._deny(credentials)
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
        if credentials.get("response_type") == "token" and "Location" in headers:
            headers["Location"] = implicit_location(headers["Location"])
        return _text_response(headers, body, status, NO_STORE)

    # POST /auth/oauth/token
    async def token(self, request: web.Request) -> web.StreamResponse:
        # PlaceOS takes the parameters from the query too (ts-client sends its code exchange there); oauthlib
        # refuses a query on POST, so they move into the form, where a body value wins.
        try:
            params = single_values(request.query.items())
            params.update(single_values(await read_urlencoded(request)))
        except BadRequest as exc:
            return _json_error("invalid_request", str(exc))
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
        try:
            body = urlencode(single_values(await read_urlencoded(request)))
        except BadRequest as exc:
            return _json_error("invalid_request", str(exc))
        try:
            headers, payload, status = self.s.oauth.create_revocation_response(
                str(request.url), "POST", body, _headers(request)
            )
        except RevocationRefused as exc:
            headers, payload, status = {}, exc.json, exc.status_code
        return _text_response(headers, payload or "{}", status, {"Content-Type": "application/json", **NO_STORE})

    # GET (PlaceOS's logout_url) or POST (its confirmation form) /auth/logout: ends the session and every token
    # issued to the user before now.
    async def logout(self, request: web.Request) -> web.StreamResponse:
        token, bearer_user = self._bearer_user(request)
        if request.method == "POST":
            try:
                form = await read_form(request)
            except BadRequest as exc:
                return _bad_request_page(exc)
            if refusal := self._rails_refusal(request):
                return refusal
            if not self._csrf_ok(request, form):
                return self._page(pages.error_page("Request expired", "The sign-out form expired; start again."), 403)
            continue_value = form.get("continue", "")
        else:
            continue_value = request.query.get("continue", "")
            if bearer_user is None and not _same_origin(request):
                # Logout CSRF: a link on another site must not end the person's session. They confirm instead.
                cookies: dict[str, str] = {}
                continue_to = self._continue(request, continue_value) or "/"
                return self._page(pages.logout_page(continue_to, self._csrf(request, cookies)), cookies=cookies)
        user = self._session_user(request) or bearer_user
        if token:
            jti = self.s.issuer.peek_jti(token)
            if jti:
                self.s.store.revoke_access_token(jti)
        if user is not None:
            self.s.store.log_out(user.id)
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            self.s.store.end_session(session)
        target = self._continue(request, continue_value) or "/"
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
        app.router.add_post("/auth/logout", self.logout)
        app.router.add_get(LOGIN_CSS_PATH, login_css)
