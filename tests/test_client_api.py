"""The API client and the controller under CPython with a mock transport (tests/test_flow_browser.py runs the same
stories in Chromium)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from app.api import PlaceOSClient
from app.controller import App
from app.errors import AuthRequired, Forbidden, NetworkError, NotFound, ServerError
from app.ports import HttpRequest, HttpResponse, MemoryStorage
from app.redact import Secret
from app.session import AuthSession, Token
from tests.fakes import BASE, Clock, FakeNavigator, FakeScreen, MockTransport, config, counter_states, find

SYSTEMS = [{"id": f"sys-{i:010d}", "name": f"Room {i}", "capacity": i} for i in range(45)]


def standin(request: HttpRequest) -> HttpResponse:
    """A tiny PlaceOS: users/current and paged systems."""
    if "/users/current" in request.url:
        return HttpResponse(200, {}, json.dumps({"name": "Ada Lovelace", "email": "ada@example.com"}))
    if "/systems/" in request.url.split("?")[0]:
        system_id = request.url.split("?")[0].rsplit("/", 1)[1]
        match = [s for s in SYSTEMS if s["id"] == system_id]
        return HttpResponse(200, {}, json.dumps(match[0])) if match else HttpResponse(404, {}, '{"error":"nope"}')
    from urllib.parse import parse_qs, urlsplit

    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
    page = SYSTEMS[offset : offset + limit]
    headers = {"x-total-count": str(len(SYSTEMS))}
    if offset + limit < len(SYSTEMS):
        headers["link"] = f'</api/engine/v2/systems?offset={offset + limit}&limit={limit}>; rel="next"'
    return HttpResponse(200, headers, json.dumps(page))


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client(
    handler: Any, clock: Clock | None = None, token: Token | None = None, **kwargs: Any
) -> tuple[PlaceOSClient, MockTransport, Sleeps]:
    clock = clock or Clock()
    token = token or Token(Secret("tok-abcdefgh"), clock.now + 3600, "public")
    transport, sleeps = MockTransport(handler), Sleeps()
    return PlaceOSClient(config(), transport, lambda: token, clock=clock, sleep=sleeps, **kwargs), transport, sleeps


# API client --------------------------------------------------------------------------------------------------------


async def test_api_sends_the_bearer_header_and_reads_paging() -> None:
    api, transport, _ = client(standin)
    page = await api.systems(q="room", offset=20, limit=20)
    request = transport.requests[0]
    assert request.headers["Authorization"] == "Bearer tok-abcdefgh"
    assert request.url == BASE + "/api/engine/v2/systems?q=room&offset=20&limit=20"
    assert [s["id"] for s in page.items] == [s["id"] for s in SYSTEMS[20:40]]
    assert page.total == 45 and page.next_url is not None and "offset=40" in page.next_url


async def test_api_bearer_token_query_option_for_where_headers_are_impossible() -> None:
    api, transport, _ = client(standin, token_in_query=True)
    await api.current_user()
    request = transport.requests[0]
    assert "Authorization" not in request.headers
    assert request.url.endswith("/users/current?bearer_token=tok-abcdefgh")


async def test_api_follows_link_headers_through_every_page() -> None:
    api, transport, _ = client(standin)
    ids = [s["id"] async for s in api.all_systems(limit=10)]
    assert ids == [s["id"] for s in SYSTEMS]
    assert len(transport.requests) == 5


async def test_api_accepts_the_legacy_total_results_shape() -> None:
    api, _, _ = client(lambda r: HttpResponse(200, {}, json.dumps({"total": 3, "results": [{"id": "a"}]})))
    page = await api.systems()
    assert page.total == 3 and page.items == [{"id": "a"}] and page.next_url is None


async def test_api_retries_network_errors_and_5xx_with_backoff() -> None:
    answers: list[Any] = [OSError("offline"), HttpResponse(503, {}, "{}"), HttpResponse(200, {}, "[]")]
    api, transport, sleeps = client(lambda r: answers.pop(0))
    page = await api.systems()
    assert page.items == [] and len(transport.requests) == 3
    assert sleeps.calls == [0.5, 1.0]


async def test_api_gives_up_with_typed_errors_after_retries() -> None:
    api, _, sleeps = client(lambda r: OSError("offline"))
    with pytest.raises(NetworkError, match="cannot be reached"):
        await api.systems()
    assert sleeps.calls == [0.5, 1.0, 2.0]
    api, _, _ = client(lambda r: HttpResponse(500, {"x-request-id": "req-1"}, "{}"))
    with pytest.raises(ServerError) as error:
        await api.systems()
    assert error.value.request_id == "req-1"


@pytest.mark.parametrize(("status", "kind"), [(401, AuthRequired), (403, Forbidden), (404, NotFound)])
async def test_api_maps_statuses_to_typed_errors_without_retrying(status: int, kind: type) -> None:
    api, transport, _ = client(lambda r: HttpResponse(status, {}, '{"error":"x"}'))
    with pytest.raises(kind):
        await api.current_user()
    assert len(transport.requests) == 1


async def test_api_401_is_auth_required_and_never_leaks_the_token() -> None:
    clock = Clock()
    token = Token(Secret("tok-abcdefgh"), clock.now + 3600, "public")
    transport = MockTransport(lambda r: HttpResponse(401, {}, '{"error":"Signature is expired"}'))
    api = PlaceOSClient(config(), transport, lambda: token, clock=clock, sleep=Sleeps())
    with pytest.raises(AuthRequired) as error:
        await api.current_user()
    assert error.value.status == 401 and "tok-abcdefgh" not in str(error.value)


async def test_api_expired_token_is_not_even_sent() -> None:
    clock = Clock()
    api, transport, _ = client(standin, clock, Token(Secret("tok-abcdefgh"), clock.now - 1, "public"))
    with pytest.raises(AuthRequired):
        await api.current_user()
    assert transport.requests == []


# controller --------------------------------------------------------------------------------------------------------


class Harness:
    def __init__(self, handler: Any = standin, path: str = "/", **config_overrides: Any) -> None:
        self.clock = Clock()
        self.storage = MemoryStorage()
        self.config = config(**config_overrides)
        self.session = AuthSession(
            self.config,
            session_storage=self.storage,
            token_storage=self.storage,
            clock=self.clock,
            new_state=counter_states(),
        )
        self.transport = MockTransport(handler)
        self.api = PlaceOSClient(self.config, self.transport, self.session.token, clock=self.clock, sleep=Sleeps())
        self.navigator = FakeNavigator(path)
        self.screen = FakeScreen()
        self.tasks: list[Any] = []
        self.app = App(
            self.config,
            self.session,
            self.api,
            self.transport,
            self.navigator,
            self.screen,
            self.clock,
            self.tasks.append,
        )

    async def settle(self) -> None:
        while self.tasks:
            await self.tasks.pop(0)

    async def sign_in(self, expires_in: int = 3600) -> None:
        """What a round trip to the authorization server looks like from the app's side."""
        self.app.sign_in()
        url = self.navigator.assigned[-1]
        from urllib.parse import parse_qs, urlsplit

        state = parse_qs(urlsplit(url).query)["state"][0]
        self.navigator = FakeNavigator("/")
        self.app.navigator = self.navigator
        self.app._leaving = False
        await self.app.start(
            f"access_token=tok-{state[:12]}&token_type=Bearer&expires_in={expires_in}&state={state}", self.clock.now
        )
        await self.settle()


async def test_controller_signed_out_then_sign_in_lists_systems_and_restores_the_place() -> None:
    h = Harness(path="/?q=room&offset=20")
    await h.app.start("", h.clock.now)
    assert "Sign in to PlaceOS" in h.screen.text
    await h.sign_in()
    assert h.navigator.path == "/?q=room&offset=20"
    assert "Ada Lovelace" in h.screen.text and "21–40 of 45 systems" in h.screen.text


async def test_controller_expiry_prompt_then_expired_notice_keeps_data() -> None:
    h = Harness(expiry_warning_s=300)
    await h.sign_in(expires_in=600)
    h.clock.advance(301)
    h.app.tick()
    assert "Your session ends in 4 min. Stay signed in?" in h.screen.text
    h.clock.advance(300)
    h.app.tick()
    assert "Your session has ended" in h.screen.text and "Room 0" in h.screen.text


async def test_controller_401_keeps_data_and_offers_sign_in() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(401, {}, '{"error":"logged out"}')
    h.app.dispatch("page", "20")
    await h.settle()
    assert "no longer accepts your sign-in" in h.screen.text and "Room 0" in h.screen.text
    assert h.session.token() is None


async def test_controller_kiosk_renews_before_expiry_without_a_person() -> None:
    h = Harness(kiosk=True, expiry_warning_s=60)
    await h.sign_in(expires_in=120)
    h.clock.advance(61)
    h.app.tick()
    assert h.navigator.assigned and "/auth/oauth/authorize?" in h.navigator.assigned[-1]


async def test_controller_network_error_keeps_data_and_online_retries() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: OSError("offline")
    h.app.dispatch("page", "20")
    await h.settle()
    assert "cannot be reached" in h.screen.text and "Room 0" in h.screen.text
    h.transport.handler = standin
    h.app.online()
    await h.settle()
    assert "21–40 of 45" in h.screen.text and "cannot be reached" not in h.screen.text


async def test_controller_open_and_back_move_focus_and_history() -> None:
    h = Harness()
    await h.sign_in()
    h.app.dispatch("open", "sys-0000000003")
    await h.settle()
    assert h.navigator.path == "/?system=sys-0000000003" and h.screen.focus[-1] == "detail-title"
    h.app.dispatch("back")
    await h.settle()
    assert h.screen.focus[-1] == "row-sys-0000000003"


async def test_controller_sign_out_revokes_logs_out_and_forgets() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(
        200, {}, json.dumps({"logout_url": "/auth/logout"}) if r.url.endswith("/auth/authority") else "{}"
    )
    await h.app.sign_out()
    revoke, authority = h.transport.requests[-2:]
    assert revoke.method == "POST" and revoke.url == BASE + "/auth/oauth/revoke" and "token=tok-" in (revoke.body or "")
    assert revoke.credentials == "omit" and authority.url == BASE + "/auth/authority"
    assert h.session.token() is None and "Signing you out" in h.screen.text
    # PlaceOS's logout needs its session cookie, which only a top-level navigation carries to another origin.
    assert h.navigator.assigned[-1] == BASE + "/auth/logout?continue=" + quote(BASE + "/", safe="")
    # PlaceOS sends the browser back; the app says what happened.
    back = Harness()
    back.storage.data.update(h.storage.data)
    await back.app.start("", back.clock.now)
    assert "You have signed out." in back.screen.text
    again = Harness()
    again.storage.data.update(back.storage.data)
    await again.app.start("", again.clock.now)
    assert "You have signed out." not in again.screen.text  # said once


async def test_controller_sign_out_without_cors_still_reaches_placeos_logout() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: OSError("CORS refused")  # a PlaceOS on another origin, no CORS headers
    await h.app.sign_out()
    assert h.session.token() is None
    assert h.navigator.assigned[-1].startswith(BASE + "/auth/logout?continue=")


async def test_controller_sign_out_follows_an_sso_logout_url_over_https_only() -> None:
    for logout_url, expected in (
        ("https://sso.example.com/logout", "https://sso.example.com/logout?continue="),
        ("javascript:alert(1)", BASE + "/auth/logout?continue="),
        ("//evil.example.com/x", BASE + "/auth/logout?continue="),
    ):
        h = Harness()
        await h.sign_in()
        h.transport.handler = lambda r, u=logout_url: HttpResponse(200, {}, json.dumps({"logout_url": u}))
        await h.app.sign_out()
        assert h.navigator.assigned[-1].startswith(expected), logout_url


async def test_controller_markup_stays_text_in_the_tree() -> None:
    evil = [{"id": "sys-x", "name": "<img src=x onerror=alert(1)>", "capacity": 1}]
    h = Harness(handler=lambda r: standin(r) if "users" in r.url else HttpResponse(200, {}, json.dumps(evil)))
    await h.sign_in()
    frame = h.screen.frames[-1]
    assert not [el for node in frame for el in find(node, lambda e: e.tag in ("img", "script"))]
    assert "<img src=x onerror=alert(1)>" in h.screen.text


async def test_controller_sign_out_is_announced_and_other_tabs_follow() -> None:
    h = Harness()
    sent: list[str] = []
    h.app.broadcast = sent.append
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(200, {}, "{}")
    await h.app.sign_out()
    assert sent == ["signed-out"]

    other = Harness(path="/?q=room")
    await other.app.start("", other.clock.now)
    await other.sign_in()
    other.app.message_from_other_tab("signed-out")
    assert "You signed out in another tab." in other.screen.text
    assert other.session.token() is None and other.app.model.place.q == "room"


async def test_controller_adopts_a_token_another_tab_received() -> None:
    h = Harness(expiry_warning_s=0)
    await h.sign_in(expires_in=60)
    h.clock.advance(61)
    h.app.tick()
    assert "Your session has ended" in h.screen.text
    fresh = Token(Secret("tok-from-the-other-tab"), h.clock.now + 3600, "public")
    h.storage.set("placeos.token", fresh.to_json())
    h.app.token_changed_elsewhere()
    await h.settle()
    assert "Your session has ended" not in h.screen.text and "Room 0" in h.screen.text
    assert h.transport.requests[-1].headers["Authorization"] == "Bearer tok-from-the-other-tab"


async def test_kiosk_retries_a_failed_load_by_itself_with_backoff() -> None:
    h = Harness(kiosk=True)
    await h.sign_in()
    h.transport.handler = lambda r: OSError("offline")
    h.app.dispatch("reload")
    await h.settle()
    assert "cannot be reached" in h.screen.text
    sent = len(h.transport.requests)
    h.app.tick()  # the watchdog notices
    h.clock.advance(29)
    h.app.tick()
    await h.settle()
    assert len(h.transport.requests) == sent  # not yet
    h.transport.handler = standin
    h.clock.advance(2)
    h.app.tick()
    await h.settle()
    assert "1–20 of 45" in h.screen.text and "cannot be reached" not in h.screen.text


async def test_kiosk_stopped_by_the_loop_breaker_tries_again_later() -> None:
    h = Harness(kiosk=True)
    for _ in range(3):
        h.session.loop.record()
    h.app.sign_in()
    assert "Sign-in stopped" in h.screen.text and "try again by itself" in h.screen.text
    assigned = len(h.navigator.assigned)
    h.app.tick()
    h.clock.advance(31)
    h.app.tick()
    assert len(h.navigator.assigned) == assigned + 1


async def test_controller_error_shows_the_request_id_for_support() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(500, {"x-request-id": "req-7f3a"}, "{}")
    h.app.dispatch("reload")
    await h.settle()
    assert "(reference req-7f3a)" in h.screen.text


# code flow with PKCE ---------------------------------------------------------------------------------------------


def test_pkce_challenge_matches_rfc7636_appendix_b() -> None:
    from app.oauth import pkce_challenge

    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


class CodeServer:
    """A token endpoint that checks the PKCE verifier and rotates refresh tokens."""

    def __init__(self) -> None:
        self.challenges: dict[str, str] = {}
        self.refresh_tokens: set[str] = set()
        self.issued = 0

    def authorize(self, url: str) -> str:
        from urllib.parse import parse_qs, urlsplit

        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
        code = f"code-{len(self.challenges)}-abcdefgh"
        self.challenges[code] = params["code_challenge"]
        return f"code={code}&state={params['state']}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from urllib.parse import parse_qs

        if not request.url.endswith("/auth/oauth/token"):
            return standin(request)
        form = {k: v[0] for k, v in parse_qs(request.body or "").items()}
        from app.oauth import pkce_challenge

        if form["grant_type"] == "authorization_code":
            if pkce_challenge(form["code_verifier"]) != self.challenges.pop(form["code"], None):
                return HttpResponse(400, {}, '{"error":"invalid_grant"}')
        elif form["refresh_token"] in self.refresh_tokens:
            self.refresh_tokens.discard(form["refresh_token"])
        else:
            return HttpResponse(400, {}, '{"error":"invalid_grant"}')
        self.issued += 1
        refresh = f"refresh-{self.issued}-abcdefgh"
        self.refresh_tokens.add(refresh)
        body = {
            "access_token": f"access-{self.issued}-abcdefgh",
            "token_type": "Bearer",
            "expires_in": 120,
            "refresh_token": refresh,
            "scope": "public",
        }
        return HttpResponse(200, {}, json.dumps(body))


async def code_sign_in(h: Harness, server: CodeServer) -> None:
    await h.app.start("", h.clock.now)
    h.app.sign_in()
    query = server.authorize(h.navigator.assigned[-1])
    h.app._leaving = False
    await h.app.start("", h.clock.now, query)
    await h.settle()


async def test_code_flow_exchanges_the_code_with_the_verifier_and_lists_systems() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", path="/?q=room")
    await code_sign_in(h, server)
    token = h.session.token()
    assert token and token.access_token.reveal() == "access-1-abcdefgh" and token.refresh_token
    assert h.navigator.path == "/?q=room" and "Ada Lovelace" in h.screen.text
    exchange = next(r for r in h.transport.requests if r.url.endswith("/token"))
    assert "code_verifier=" in (exchange.body or "") and exchange.credentials == "omit"


async def test_code_flow_with_a_wrong_verifier_is_refused() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code")
    await h.app.start("", h.clock.now)
    h.app.sign_in()
    query = server.authorize(h.navigator.assigned[-1])
    code = query.split("&")[0].split("=")[1]
    server.challenges[code] = "not-the-challenge"
    await h.app.start("", h.clock.now, query)
    assert "Sign-in did not complete" in h.screen.text and h.session.token() is None


async def test_code_flow_renews_silently_before_expiry_and_rotates() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    await code_sign_in(h, server)
    h.clock.advance(70)  # 50 s left of 120
    h.app.tick()
    await h.settle()
    token = h.session.token()
    assert token and token.access_token.reveal() == "access-2-abcdefgh"
    assert token.refresh_token and token.refresh_token.reveal() == "refresh-2-abcdefgh"
    assert "refresh-1-abcdefgh" not in server.refresh_tokens  # rotated
    assert "Stay signed in" not in h.screen.text
    assert len(h.navigator.assigned) == 1  # no redirect


async def test_code_flow_refused_refresh_falls_back_to_sign_in_again() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    await code_sign_in(h, server)
    server.refresh_tokens.clear()  # e.g. a logout elsewhere revoked it
    h.clock.advance(121)
    h.app.tick()
    await h.settle()
    assert "Your session has ended" in h.screen.text and "Room 0" in h.screen.text


async def test_code_flow_offline_refresh_keeps_the_refresh_token_and_retries() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    await code_sign_in(h, server)
    h.transport.handler = lambda r: OSError("offline")
    h.clock.advance(121)
    h.app.tick()
    await h.settle()
    assert "cannot be reached to renew it" in h.screen.text
    assert (h.session.token() or Token(Secret("x"), 0, "")).refresh_token is not None
    h.transport.handler = server
    h.clock.advance(11)
    h.app.tick()
    await h.settle()
    assert h.session.valid_token() is not None and "cannot be reached" not in h.screen.text
