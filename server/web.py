"""Middleware every route shares: security headers, X-Request-ID, and an access log that never holds a secret."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Query parameters whose values may be printed; every other value is left out, because tokens, codes, states,
# passwords and the login page's `continue` (which carries a whole authorize URL, state included) travel there.
_LOGGABLE_PARAMS = frozenset({"limit", "offset", "response_type", "scope", "complete", "bookable", "capacity"})


# The one page that may be framed, and only by the app's own origin: where a renewal in a hidden frame returns.
CALLBACK_CSP = (
    "default-src 'none'; script-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'; object-src 'none'"
)


def content_security_policy(
    connect_origins: Iterable[str] = (),
    form_origins: Iterable[str] = (),
    frame_origins: Iterable[str] = (),
    image_origins: Iterable[str] = (),
) -> str:
    """A CSP with no inline script and no eval; Pyodide needs only 'wasm-unsafe-eval' to compile its wasm.

    frame-src: a renewal's hidden frame loads PlaceOS's authorize endpoint, which sends it back to this origin."""
    connect = " ".join(["'self'", *connect_origins])
    forms = " ".join(["'self'", *form_origins])
    frames = " ".join(["'self'", *frame_origins])
    images = " ".join(["'self'", "data:", *image_origins])
    return (
        "default-src 'none'; "
        "script-src 'self' 'wasm-unsafe-eval'; "
        "style-src 'self'; "
        f"img-src {images}; "
        "font-src 'self'; "
        f"connect-src {connect}; "
        f"form-action {forms}; "
        f"frame-src {frames}; "
        "base-uri 'none'; "
        "frame-ancestors 'none'; "
        "object-src 'none'"
    )


# Sent with every response, by serve.py and by the nginx server block of the production build (server/dist.py).
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def security_headers(csp: str) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        request_id = request.headers.get("X-Request-ID", "")
        if not (0 < len(request_id) <= 64 and request_id.replace("-", "").isalnum()):
            request_id = secrets.token_hex(8)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        headers = response.headers
        headers["X-Request-ID"] = request_id
        headers.setdefault("Content-Security-Policy", csp)
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)
        if isinstance(response, web.HTTPException):
            raise response
        return response

    return middleware


def redact_target(target: str) -> str:
    """The request target as it may be logged: the path, and query values only for harmless parameters."""
    parts = urlsplit(target)
    if not parts.query:
        return parts.path
    shown = []
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        shown.append(f"{name}={value}" if name in _LOGGABLE_PARAMS else name)
    return f"{parts.path}?{'&'.join(shown)}"


class RedactingAccessLogger(AbstractAccessLogger):
    """aiohttp's default access log prints the whole request line, `?bearer_token=…` included; this one cannot."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %.1fms',
            request.remote,
            request.method,
            redact_target(request.raw_path),
            response.status,
            time * 1000,
        )


access_logger = logging.getLogger("serve.access")
