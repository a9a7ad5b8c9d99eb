"""GET /auth/logout (PlaceOS's logout_url) and POST (its confirmation form): ends the session and every token
issued to the user before now. A link from another site only gets a confirmation page (logout CSRF)."""

from __future__ import annotations

from aiohttp import web

from . import pages
from .forms import BadRequest, FormGuard, bad_request_page, read_form, redirect, same_origin
from .identity import SESSION_COOKIE, Identities
from .store import Store
from .tokens import TokenIssuer


class LogoutRoutes:
    def __init__(self, store: Store, issuer: TokenIssuer, identities: Identities, guard: FormGuard) -> None:
        self._store = store
        self._issuer = issuer
        self._identities = identities
        self._guard = guard

    async def logout(self, request: web.Request) -> web.StreamResponse:
        token, bearer_user = self._identities.bearer_user(request)
        if request.method == "POST":
            try:
                form = await read_form(request)
            except BadRequest as exc:
                return bad_request_page(exc)
            if refusal := self._guard.rails_refusal(request):
                return refusal
            if not self._guard.posted_ok(request, form):
                expired = pages.error_page("Request expired", "The sign-out form expired; start again.")
                return self._guard.page(expired, 403)
            continue_value = form.get("continue", "")
        else:
            continue_value = request.query.get("continue", "")
            if bearer_user is None and not same_origin(request):
                cookies: dict[str, str] = {}
                continue_to = self._guard.continue_to(request, continue_value) or "/"
                page = pages.logout_page(continue_to, self._guard.token(request, cookies))
                return self._guard.page(page, cookies=cookies)
        user = self._identities.session_user(request) or bearer_user
        if token and (jti := self._issuer.peek_jti(token)):
            self._store.revoke_access_token(jti)
        if user is not None:
            self._store.log_out(user.id)
        if session := request.cookies.get(SESSION_COOKIE):
            self._store.end_session(session)
        response = redirect(self._guard.continue_to(request, continue_value) or "/")
        response.del_cookie(SESSION_COOKIE, path="/auth")
        return response

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/auth/logout", self.logout)
        app.router.add_post("/auth/logout", self.logout)


__all__ = ["LogoutRoutes"]
