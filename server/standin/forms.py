"""What the auth service's routes share: reading outside input strictly, the CSRF guard of its own forms, and the
responses it sends. Nothing here knows a route."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from . import pages

CSRF_COOKIE = "placeos_csrf"
AUTHORIZE_PATH = "/auth/oauth/authorize"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Under no-referrer Chromium sends `Origin: null` with form posts, which would defeat the Origin check below;
# same-origin still tells no other site anything.
PAGE_HEADERS = {**NO_STORE, "Referrer-Policy": "same-origin"}


class BadRequest(Exception):
    """Input the auth service cannot use; str() says what was wrong, for a 400."""


# -- reading input ----------------------------------------------------------------------------------------------------


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


def origin_of(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def hostname_of(request: web.Request) -> str:
    return urlsplit("//" + request.host).hostname or ""


def oauth_headers(request: web.Request) -> dict[str, str]:
    """The request's headers as oauthlib gets them: without cookies, which it has no business reading."""
    return {k: v for k, v in request.headers.items() if k.lower() != "cookie"}


def same_origin(request: web.Request) -> bool:
    """A request this origin's own pages made, or that a person typed ("none"); a cross-site page cannot forge
    Sec-Fetch-Site, and browsers too old to send it send Origin on every cross-site POST and fetch."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    return request.headers.get("Origin") == origin_of(request)


def rails_base_url(request: web.Request) -> str:
    """The origin Rails (PlaceOS's auth service) believes it serves: X-Forwarded-Proto and X-Forwarded-Host win
    over the request's own scheme and Host (ActionDispatch::Request#base_url)."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip() or request.scheme
    host = request.headers.get("X-Forwarded-Host", "").split(",")[-1].strip() or request.host
    return f"{proto}://{host}"


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


# -- responses -------------------------------------------------------------------------------------------------------


def redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={**NO_STORE, "Location": location})


def text_response(headers: dict[str, str], body: str, status: int, extra: dict[str, str]) -> web.Response:
    return web.Response(status=status, body=body or "", headers={**headers, **extra})


def json_error(error: str, description: str, status: int = 400) -> web.StreamResponse:
    return web.json_response({"error": error, "error_description": description}, status=status, headers=NO_STORE)


def bad_request_page(exc: BadRequest) -> web.StreamResponse:
    return web.Response(
        text=pages.error_page("Bad request", f"The request could not be used: {exc}."),
        status=400,
        content_type="text/html",
        headers=PAGE_HEADERS,
    )


class FormGuard:
    """The auth service's own HTML forms: pages that carry a CSRF field (the HMAC of a SameSite=Strict cookie), the
    check of a posted one, where `continue` may lead, and, with --strict-origin, Rails's Origin check."""

    def __init__(
        self, secret: bytes, *, secure_cookies: bool, strict_origin: bool, app_origins: Callable[[], set[str]]
    ) -> None:
        self._secret = secret
        self._secure_cookies = secure_cookies
        self._strict_origin = strict_origin
        self._app_origins = app_origins

    def token(self, request: web.Request, cookies: dict[str, str]) -> str:
        seed = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        cookies[CSRF_COOKIE] = seed
        return hmac.new(self._secret, seed.encode(), hashlib.sha256).hexdigest()

    def posted_ok(self, request: web.Request, form: dict[str, str]) -> bool:
        seed = request.cookies.get(CSRF_COOKIE, "")
        expected = hmac.new(self._secret, seed.encode(), hashlib.sha256).hexdigest()
        origin = request.headers.get("Origin")
        if origin and origin != origin_of(request):
            return False
        return bool(seed) and hmac.compare_digest(form.get("csrf_token", "").encode(), expected.encode())

    def rails_refusal(self, request: web.Request) -> web.StreamResponse | None:
        """With --strict-origin, a form post whose Origin is not the origin Rails would compute is refused with
        Rails's 422, as PlaceOS's auth service refuses it: proves a proxy forwards consistent headers."""
        origin = request.headers.get("Origin")
        if not self._strict_origin or origin is None or origin == rails_base_url(request):
            return None
        return self.page(
            pages.error_page(
                "The change you wanted was rejected",
                f"ActionController::InvalidAuthenticityToken: HTTP Origin header ({origin}) didn't match "
                f"request.base_url ({rails_base_url(request)})",
            ),
            status=422,
        )

    def continue_to(self, request: web.Request, value: str) -> str | None:
        return safe_continue(value, origin_of(request), self._app_origins())

    def page(self, html: str, status: int = 200, cookies: dict[str, str] | None = None) -> web.StreamResponse:
        response = web.Response(text=html, status=status, content_type="text/html", headers=PAGE_HEADERS)
        for name, value in (cookies or {}).items():
            response.set_cookie(name, value, path="/", httponly=True, samesite="Strict", secure=self._secure_cookies)
        return response


__all__ = [
    "AUTHORIZE_PATH",
    "BadRequest",
    "FormGuard",
    "NO_STORE",
    "bad_request_page",
    "hostname_of",
    "json_error",
    "oauth_headers",
    "origin_of",
    "read_form",
    "read_urlencoded",
    "redirect",
    "safe_continue",
    "same_origin",
    "single_values",
    "text_response",
]
