"""Fakes for the app's ports: the pure core runs under CPython with these, no browser (see tests/e2e/test_flow.py
for the same stories in real Chromium)."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.api.client import PlaceOSClient
from app.api.live import Live
from app.auth.flows import CodeFlow, Flow, ImplicitFlow
from app.auth.session import AuthSession, SignedIn, Token
from app.auth.states import PREFIX
from app.auth.token_endpoint import pkce_challenge
from app.core.config import ClientConfig
from app.core.ports import Exclusive, Frame, HttpRequest, HttpResponse, MemoryStorage, run_alone
from app.core.redact import Secret
from app.shell.controller import App
from app.shell.units import Ports
from app.shell.view import El

BASE = "http://127.0.0.1:8000"


def config(**overrides: Any) -> ClientConfig:
    data: dict[str, Any] = {"scope": "public", **overrides}
    return ClientConfig.from_mapping(data, BASE + "/")


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def counter_states() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"state-{next(numbers):04d}-xxxxxxxxxxxxxxxxxxxxxxxx"


class FakeHost:
    """app.ui.host's Host for one unit alone: counts what it was asked to draw, keeps what it was asked to run."""

    made: list[FakeHost] = []  # conftest closes what a test left spawned but never ran

    def __init__(self, clock: Clock | None = None, working: bool = True) -> None:
        FakeHost.made.append(self)
        self.clock = clock or Clock()
        self.working = working
        self.shown: list[str | None] = []  # the focus of each show()
        self.tasks: list[Coroutine[Any, Any, object]] = []
        self.spawn = self.tasks.append

    def show(self, focus: str | None = None) -> None:
        self.shown.append(focus)

    async def settle(self) -> None:
        while self.tasks:
            await self.tasks.pop(0)

    def drop(self) -> None:
        for task in self.tasks:
            task.close()
        self.tasks.clear()


class MockTransport:
    """Answers each request with handler(request); records every request."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse | Exception]) -> None:
        self.handler = handler
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        result = self.handler(request)
        if isinstance(result, Exception):
            raise result
        return result


def json_response(status: int, body: str, **headers: str) -> HttpResponse:
    return HttpResponse(status, {k.lower().replace("_", "-"): v for k, v in headers.items()}, body)


class FakeNavigator:
    def __init__(self, path: str = "/") -> None:
        self.path = path
        self.assigned: list[str] = []
        self.history: list[str] = [path]

    def assign(self, url: str) -> None:
        self.assigned.append(url)

    def new_page(self, path: str) -> None:
        """The browser left and came back: a new page at `path`, with its own history."""
        self.path, self.history, self.assigned = path, [path], []

    def replace(self, path: str) -> None:
        self.path = path
        self.history[-1] = path

    def push(self, path: str) -> None:
        self.path = path
        self.history.append(path)

    def current(self) -> str:
        return self.path


class FakeScreen:
    def __init__(self) -> None:
        self.frames: list[list[El]] = []
        self.focus: list[str | None] = []
        self.title = ""

    def set_title(self, text: str) -> None:
        self.title = text

    def render(self, nodes: list[El], focus: str | None = None) -> None:
        self.frames.append(nodes)
        self.focus.append(focus)

    @property
    def text(self) -> str:
        return " ".join(text_of(node) for node in self.frames[-1]) if self.frames else ""


def text_of(node: El | str) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text_of(child) for child in node.children)


def find(node: El | str, predicate: Callable[[El], bool]) -> list[El]:
    if isinstance(node, str):
        return []
    found = [node] if predicate(node) else []
    for child in node.children:
        found += find(child, predicate)
    return found


def counter_verifiers() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"verifier-{next(numbers):04d}-" + "v" * 60  # RFC 7636: 43 to 128 characters


# the session and a flow, driven from synchronous tests ---------------------------------------------------------------


class SessionDriver:
    """An AuthSession with the implicit flow on top, for tests that only care about the protocol: sign_in_url()
    and complete() as the flow has them (complete() run to its end), everything else the session's."""

    def __init__(self, session: AuthSession) -> None:
        self.session = session
        self.flow = ImplicitFlow(session.config, session)

    def sign_in_url(self, return_to: str) -> str:
        return self.flow.sign_in_url(return_to)

    def complete(self, fragment: str, received_at: float) -> SignedIn:
        return asyncio.run(self.flow.complete(fragment, received_at))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


def make_session(clock: Clock | None = None, **overrides: object) -> tuple[SessionDriver, MemoryStorage, Clock]:
    clock = clock or Clock()
    storage = MemoryStorage()
    session = AuthSession(
        config(**overrides), session_storage=storage, token_storage=storage, clock=clock, new_state=counter_states()
    )
    return SessionDriver(session), storage, clock


def pending(storage: MemoryStorage) -> int:
    """Sign-ins waiting for their response: what the state store holds."""
    return sum(1 for key in storage.keys() if key.startswith(PREFIX))


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


# a tiny PlaceOS -------------------------------------------------------------------------------------------------------

SYSTEMS = [{"id": f"sys-{i:010d}", "name": f"Room {i}", "capacity": i} for i in range(45)]


ZONES = [
    {"id": "zone-b1", "name": "North Building", "tags": ["building"], "parent_id": None},
    {"id": "zone-l1", "name": "Level 1", "tags": ["level"], "parent_id": "zone-b1"},
    {"id": "zone-l2", "name": "Level 2", "tags": ["level"], "parent_id": "zone-b1"},
]


def standin(request: HttpRequest) -> HttpResponse:
    """users/current, zones and paged systems, as PlaceOS answers them; the authorize endpoint's login redirect for a
    known app (opaque to a page that does not follow it, app.auth.preflight)."""
    if "/auth/oauth/authorize" in request.url:
        return HttpResponse(0, {}, "")
    if "/users/current" in request.url:
        return HttpResponse(200, {}, json.dumps({"name": "Ada Lovelace", "email": "ada@example.com"}))
    if "/zones" in request.url:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        found = [
            z
            for z in ZONES
            if query.get("tags", "") in z["tags"] and query.get("parent_id", z["parent_id"]) == z["parent_id"]
        ]
        return HttpResponse(200, {"x-total-count": str(len(found))}, json.dumps(found))
    if "/systems/" in request.url.split("?")[0]:
        system_id = request.url.split("?")[0].rsplit("/", 1)[1]
        match = [s for s in SYSTEMS if s["id"] == system_id]
        return HttpResponse(200, {}, json.dumps(match[0])) if match else HttpResponse(404, {}, '{"error":"nope"}')
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


def api_client(
    handler: Any, clock: Clock | None = None, token: Token | None = None, **kwargs: Any
) -> tuple[PlaceOSClient, MockTransport, Sleeps]:
    clock = clock or Clock()
    token = token or Token(Secret("tok-abcdefgh"), clock.now + 3600, "public")
    transport, sleeps = MockTransport(handler), Sleeps()
    return PlaceOSClient(config(), transport, lambda: token, clock=clock, sleep=sleeps, **kwargs), transport, sleeps


def signed_in_parts(
    conf: ClientConfig, clock: Clock, handler: Callable[[HttpRequest], HttpResponse | Exception] | None = None
) -> tuple[AuthSession, PlaceOSClient, Live]:
    """For one unit alone: a session holding a live token, the API client over a mock PlaceOS (`handler`, the
    stand-in by default), and the page's socket with no server behind it."""
    storage = MemoryStorage()
    session = AuthSession(conf, session_storage=storage, token_storage=storage, clock=clock, new_state=counter_states())
    session.keep(Token(Secret("tok-abcdefgh"), clock() + 3600, "public", None, 3600))
    api = PlaceOSClient(conf, MockTransport(handler or standin), session.token, clock=clock, sleep=Sleeps())
    return session, api, Live(None, spawn=lambda work: work.close(), clock=clock)


class CodeServer:
    """A token endpoint that checks the PKCE verifier and rotates refresh tokens."""

    def __init__(self) -> None:
        self.challenges: dict[str, str] = {}
        self.refresh_tokens: set[str] = set()
        self.issued = 0

    def authorize(self, url: str) -> str:
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
        code = f"code-{len(self.challenges)}-abcdefgh"
        self.challenges[code] = params["code_challenge"]
        return f"code={code}&state={params['state']}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.url.endswith("/auth/oauth/token"):
            return standin(request)
        form = {k: v[0] for k, v in parse_qs(request.body or "").items()}
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


# the whole app --------------------------------------------------------------------------------------------------------


class Harness:
    """The controller with every port faked, as app.main wires the real ones."""

    made: list[Harness] = []  # conftest closes what a test left spawned but never ran

    def __init__(
        self,
        handler: Any = standin,
        path: str = "/",
        *,
        frame: Frame | None = None,
        exclusive: Exclusive = run_alone,
        broadcast: Callable[[str], None] = lambda message: None,
        live: Live | None = None,
        **config_overrides: Any,
    ) -> None:
        Harness.made.append(self)
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
        self.flow: Flow = (
            CodeFlow(
                self.config, self.session, transport=self.transport, clock=self.clock, new_verifier=counter_verifiers()
            )
            if self.config.flow == "code"
            else ImplicitFlow(self.config, self.session)
        )
        self.api = PlaceOSClient(self.config, self.transport, self.session.token, clock=self.clock, sleep=Sleeps())
        self.navigator = FakeNavigator(path)
        self.screen = FakeScreen()
        self.tasks: list[Coroutine[Any, Any, object]] = []
        self.ports = Ports(
            config=self.config,
            session=self.session,
            flow=self.flow,
            api=self.api,
            transport=self.transport,
            navigator=self.navigator,
            screen=self.screen,
            clock=self.clock,
            spawn=self.tasks.append,
            frame=frame,
            exclusive=exclusive,
            broadcast=broadcast,
            live=live,
        )
        self.app = App(self.ports)

    async def settle(self) -> None:
        while self.tasks:
            await self.tasks.pop(0)

    def drop_unrun(self) -> None:
        """A test that stops before the app's background work ran: that work is abandoned, as a closed tab's is."""
        for task in self.tasks:
            task.close()
        self.tasks.clear()

    def returning(self) -> None:
        """The browser comes back from PlaceOS: a new page at the redirect URI."""
        self.navigator.new_page("/")

    async def sign_in(self, expires_in: int = 3600) -> None:
        """What a round trip to the authorization server looks like from the app's side."""
        self.app.sign_in()
        state = state_of(self.navigator.assigned[-1])
        self.returning()
        await self.app.start(
            f"access_token=tok-{state[:12]}&token_type=Bearer&expires_in={expires_in}&state={state}", self.clock.now
        )
        await self.settle()


async def signed_in_at(path: str, **kwargs: Any) -> Harness:
    """A person who opened this address, signed in from there and came back to it."""
    h_ = Harness(path=path, **kwargs)
    await h_.app.start("", h_.clock.now)
    await h_.sign_in()
    return h_


async def code_sign_in(h: Harness, server: CodeServer) -> None:
    await h.app.start("", h.clock.now)
    h.app.sign_in()
    query = server.authorize(h.navigator.assigned[-1])
    await h.app.start("", h.clock.now, query)
    await h.settle()
