"""The login page (GET /login) and its post (POST /auth/signin): CSRF-guarded, throttled, scrypt off the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from . import pages
from .forms import AUTHORIZE_PATH, NO_STORE, BadRequest, FormGuard, bad_request_page, read_form, redirect, single_values
from .identity import SESSION_COOKIE
from .store import Store, User, verify_password
from .throttle import LoginThrottle

Deny = Callable[[web.Request, list[tuple[str, str]]], web.StreamResponse]


class LoginRoutes:
    def __init__(
        self,
        store: Store,
        throttle: LoginThrottle,
        guard: FormGuard,
        *,
        deny: Deny,
        demo_hint: str,
        secure_cookies: bool,
        session_s: Callable[[], int],
    ) -> None:
        self._store = store
        self._throttle = throttle
        self._guard = guard
        self._deny = deny  # the login page's Cancel ends the authorization it interrupted with access_denied
        self._demo_hint = demo_hint
        self._secure_cookies = secure_cookies
        self._session_s = session_s  # read at each sign-in: the switch may change while the stand-in runs

    def _page(
        self,
        request: web.Request,
        continue_to: str | None,
        *,
        status: int = 200,
        email: str = "",
        error: str = "",
        headers: dict[str, str] | None = None,
    ) -> web.StreamResponse:
        cookies: dict[str, str] = {}
        page = pages.login_page(
            continue_to=continue_to or "/",
            csrf_token=self._guard.token(request, cookies),
            email=email,
            error=error,
            can_cancel=bool(continue_to and continue_to.startswith(AUTHORIZE_PATH + "?")),
            demo_hint=self._demo_hint,
        )
        response = self._guard.page(page, status, cookies)
        response.headers.update(headers or {})
        return response

    # GET /login?continue=…
    async def login_form(self, request: web.Request) -> web.StreamResponse:
        return self._page(request, self._guard.continue_to(request, request.query.get("continue", "")) or "/")

    async def _check_password(self, email: str, password: str) -> User | None:
        user, stored = self._store.password_record(email)
        # scrypt takes ~40 ms of CPU on purpose: in a thread, so sign-ins do not stall every other request.
        ok = await asyncio.to_thread(verify_password, password, stored)
        return user if ok else None

    # POST /auth/signin
    async def signin(self, request: web.Request) -> web.StreamResponse:
        try:
            form = await read_form(request)
            form.update({k: v for k, v in single_values(request.query.items()).items() if k not in form})
        except BadRequest as exc:
            return bad_request_page(exc)
        if refusal := self._guard.rails_refusal(request):
            return refusal
        continue_to = self._guard.continue_to(request, form.get("continue", ""))
        email = form.get("email", "")
        if not self._guard.posted_ok(request, form):
            expired = "Your sign-in form expired or came from another site. Please sign in again."
            return self._page(request, continue_to, status=403, email=email, error=expired)
        if form.get("action") == "cancel" and continue_to and continue_to.startswith(AUTHORIZE_PATH + "?"):
            return self._deny(request, parse_qsl(urlsplit(continue_to).query, keep_blank_values=True))
        keys = self._throttle.keys(email, request.remote or "")
        if wait := self._throttle.retry_after(keys):
            message = f"Too many failed sign-ins. Wait {wait} seconds, then try again."
            return self._page(
                request, continue_to, status=429, email=email, error=message, headers={"Retry-After": str(wait)}
            )
        user = await self._check_password(email, form.get("password", ""))
        if user is None:
            self._throttle.failed(keys)
            wrong = "That email and password don't match an account. Check them and try again."
            return self._page(request, continue_to, status=401, email=email, error=wrong)
        self._throttle.succeeded(email)
        response = redirect(continue_to) if continue_to else web.Response(status=202, headers=NO_STORE)
        lasts = self._session_s()
        response.set_cookie(
            SESSION_COOKIE,
            self._store.create_session(user.id, lasts),
            path="/auth",
            httponly=True,
            samesite="Lax",
            max_age=lasts,
            secure=self._secure_cookies,
        )
        return response

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/login", self.login_form)
        app.router.add_post("/auth/signin", self.signin)


__all__ = ["LoginRoutes"]
