"""Property-based tests of the client core against hostile input (issue 8, items 2 and 3).

Generated: sign-in responses for both flows (random, repeated, huge, Unicode and malformed parameters; forged,
missing, expired and replayed states; error= with and without state; garbage expires_in), token-endpoint
answers, addresses, and well-formed but hostile API answers. What must hold: nothing but a typed error escapes,
no token is accepted without a live pending state, every state is used at most once, every refusal has a message
for the screen that names no secret, and whatever the API sends renders.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.client import Page, PlaceOSClient
from app.auth.flows import CodeFlow, Flow, ImplicitFlow
from app.auth.oauth import RESPONSE_PARAMS, split_response
from app.auth.session import AuthSession, SignedIn, Token
from app.auth.states import PREFIX
from app.browse.state import BrowseState
from app.core.errors import ApiError, CallbackError
from app.core.ports import HttpResponse, MemoryStorage
from app.core.urls import quote, urlencode
from app.shell.controller import App
from app.shell.units import Ports
from app.shell.view import Model, Place, render
from tests.fakes import (
    BASE,
    Clock,
    FakeNavigator,
    FakeScreen,
    MockTransport,
    config,
    counter_states,
    counter_verifiers,
)

pytestmark = pytest.mark.property

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "²", "٣", "-1", "1e9", "0", "0x10", " 7", "Bearer", "bearer", "\x00", "%", "%zz", "&", "="]),
    st.integers(min_value=0, max_value=10**400).map(str),
    st.text(alphabet="0123456789", min_size=300, max_size=5000),
)


@dataclass
class World:
    """A tab with some sign-ins started: live, expired and already-used states."""

    kind: str
    answer: HttpResponse = HttpResponse(500, {}, "")  # what the token endpoint says (code flow)
    clock: Clock = field(default_factory=Clock)
    storage: MemoryStorage = field(default_factory=MemoryStorage)
    session: AuthSession = field(init=False)
    transport: MockTransport = field(init=False)
    flow: Flow = field(init=False)
    live: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        cfg = config(flow=self.kind)
        self.session = AuthSession(
            cfg, session_storage=self.storage, token_storage=self.storage, clock=self.clock, new_state=counter_states()
        )
        self.transport = MockTransport(lambda request: self.answer)
        self.flow = (
            CodeFlow(cfg, self.session, transport=self.transport, clock=self.clock, new_verifier=counter_verifiers())
            if self.kind == "code"
            else ImplicitFlow(cfg, self.session)
        )

    def start(self, expired: int, used: int, live: int) -> None:
        for _ in range(expired):
            self.dead.append(self._state())
        self.clock.advance(self.session.config.state_ttl_s + 1)
        for _ in range(used):
            state = self._state()
            self.storage.remove(PREFIX + state)  # as if its response had come back already
            self.dead.append(state)
        for _ in range(live):
            self.live.append(self._state())

    def _state(self) -> str:
        self.session.loop.reset()
        url = self.flow.sign_in_url("/?q=x")
        return next(value for key, value in _pairs(url.partition("?")[2]) if key == "state")

    def pending(self) -> set[str]:
        return {key[len(PREFIX) :] for key in self.storage.keys() if key.startswith(PREFIX)}


def _pairs(query: str) -> list[tuple[str, str]]:
    from app.core.urls import parse_qsl

    return parse_qsl(query, keep_blank_values=True)


@st.composite
def callbacks(draw: st.DrawFn, world: World) -> str:
    states = (
        st.sampled_from(world.live + world.dead + ["", "forged-" + "x" * 40])
        if world.live or world.dead
        else HOSTILE_TEXT
    )
    names = st.one_of(st.sampled_from(sorted(RESPONSE_PARAMS)), st.text(max_size=12))
    value_for = {
        "state": st.one_of(states, HOSTILE_TEXT),
        "token_type": st.one_of(st.sampled_from(["Bearer", "bearer", "MAC"]), HOSTILE_TEXT),
        "expires_in": st.one_of(st.integers(-5, 10**12).map(str), HOSTILE_TEXT),
        "error": st.one_of(st.sampled_from(["access_denied", "invalid_scope", "server_error"]), HOSTILE_TEXT),
    }
    pairs: list[tuple[str, str]] = []
    if draw(st.booleans()):  # a plausible response, so that the interesting paths are reached often
        token_key = "code" if world.flow == "code" else "access_token"
        pairs += [(token_key, "tok-" + draw(st.text("abcdef0123456789", min_size=8, max_size=40)))]
        pairs += [("token_type", draw(value_for["token_type"])), ("expires_in", draw(value_for["expires_in"]))]
        pairs += [("state", draw(value_for["state"]))]
    for _ in range(draw(st.integers(0, 6))):
        name = draw(names)
        pairs.append((name, draw(value_for.get(name, HOSTILE_TEXT))))
    pairs = draw(st.permutations(pairs))
    encoded = draw(st.booleans())
    return "&".join(f"{quote(k, '') if encoded else k}={quote(v, '') if encoded else v}" for k, v in pairs)


TOKEN_ANSWERS = st.one_of(
    st.builds(
        lambda status, data: HttpResponse(status, {}, json.dumps(data)),
        st.sampled_from([200, 200, 400, 401, 500]),
        st.dictionaries(
            st.sampled_from(["access_token", "token_type", "expires_in", "refresh_token", "scope", "error"]),
            st.one_of(
                st.text(max_size=20), st.integers(-10, 10**30), st.none(), st.booleans(), st.lists(st.integers())
            ),
        ),
    ),
    st.builds(lambda body: HttpResponse(200, {}, body), st.text(max_size=60)),
    st.just(HttpResponse(200, {}, "[" * 50_000)),
    st.just(HttpResponse(200, {}, '{"access_token": "a", "token_type": "Bearer", "expires_in": 1' + "0" * 400 + "}")),
)


def _check_outcome(world: World, text: str, before: set[str], outcome: SignedIn | BaseException) -> None:
    after = world.pending()
    if isinstance(outcome, SignedIn):
        named = [value for key, value in _pairs(text) if key == "state"]
        assert len(named) == 1 and named[0] in before, "a token was accepted without a live pending state"
        assert named[0] not in after, "a state was left usable after its response"
        assert world.session.token() is not None
    else:
        assert isinstance(outcome, CallbackError), f"{type(outcome).__name__}: {outcome}"
        message = str(outcome)
        assert message and message[0].isupper()
        for key, value in _pairs(text):
            if key in ("access_token", "code") and len(value) >= 8:
                assert value not in message
    assert after <= before  # no state is ever created by a response, and used ones never come back


def _complete_hostile(world: World, data: st.DataObject) -> SignedIn | BaseException:
    """One generated response through the world's flow; the outcome, after the properties are checked."""
    text = data.draw(callbacks(world))
    before = world.pending()
    outcome: SignedIn | BaseException
    try:
        outcome = asyncio.run(world.flow.complete(text, world.clock.now))
    except Exception as error:  # noqa: BLE001 - the property is exactly which exceptions escape
        outcome = error
    _check_outcome(world, text, before, outcome)
    return outcome


@given(st.data(), st.integers(0, 2), st.integers(0, 2), st.integers(0, 3))
def test_implicit_callbacks_never_crash_and_never_accept_without_a_live_state(
    data: st.DataObject, expired: int, used: int, live: int
) -> None:
    world = World("implicit")
    world.start(expired, used, live)
    _complete_hostile(world, data)


@given(st.data(), st.integers(0, 2), st.integers(0, 2), st.integers(0, 3), TOKEN_ANSWERS)
def test_code_callbacks_never_crash_and_never_accept_without_a_live_state(
    data: st.DataObject, expired: int, used: int, live: int, answer: HttpResponse
) -> None:
    world = World("code", answer)
    world.start(expired, used, live)
    outcome = _complete_hostile(world, data)
    if isinstance(outcome, SignedIn):
        assert world.transport.requests and "code_verifier=" in (world.transport.requests[0].body or "")


@given(st.data(), st.sampled_from(["implicit", "code"]), TOKEN_ANSWERS)
def test_the_app_starts_whatever_the_address_holds(data: st.DataObject, flow: str, answer: HttpResponse) -> None:
    """The whole start, as the loader hands it over: it never fails, and a response in the wrong place is refused."""
    world = World(flow, answer)
    world.start(0, 0, 1)
    fragment, query = data.draw(callbacks(world)), data.draw(callbacks(world))
    place_query = data.draw(st.dictionaries(st.sampled_from(["q", "offset", "system"]), HOSTILE_TEXT, max_size=3))
    navigator = FakeNavigator("/?" + urlencode(place_query))
    screen = FakeScreen()
    world.transport.handler = lambda request: answer if "/auth/" in request.url else HttpResponse(200, {}, "[]")
    transport = world.transport
    api = PlaceOSClient(world.session.config, transport, world.session.token, clock=world.clock, sleep=_no_sleep)
    tasks: list[Any] = []
    app = App(
        Ports(
            config=world.session.config,
            session=world.session,
            flow=world.flow,
            api=api,
            transport=transport,
            navigator=navigator,
            screen=screen,
            clock=world.clock,
            spawn=tasks.append,
        )
    )

    async def run() -> None:
        await app.start(fragment, world.clock.now, query)
        for task in tasks:
            await task

    asyncio.run(run())
    assert screen.frames, "nothing was shown"
    misplaced = split_response(query if flow == "implicit" else fragment)[0]
    if misplaced:
        assert world.session.token() is None and "where this app never asks for one" in screen.text


async def _no_sleep(seconds: float) -> None:
    return None


# the address bar -----------------------------------------------------------------------------------------------------


@given(st.dictionaries(st.sampled_from(["q", "offset", "system", "x"]), HOSTILE_TEXT))
def test_a_place_is_read_from_any_address_and_round_trips(query: dict[str, str]) -> None:
    place = Place.from_query(query)
    assert 0 <= place.offset < 10**9 and len(place.q) <= 200 and len(place.system) <= 200
    again = Place.from_query(dict(_pairs(place.path().partition("?")[2])))
    assert again == place


# API answers ----------------------------------------------------------------------------------------------------

JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False), st.text(max_size=10)
)
JSON = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)
SYSTEM_KEYS = [
    "id",
    "name",
    "capacity",
    "features",
    "description",
    "type",
    "code",
    "created_at",
    "support_url",
    "zones",
]
SYSTEMS_LIKE = st.lists(st.dictionaries(st.sampled_from(SYSTEM_KEYS), JSON, max_size=8), max_size=5)
HEADER_TEXT = st.one_of(HOSTILE_TEXT.filter(lambda s: "\n" not in s and "\r" not in s), st.just("40"))


@st.composite
def api_answers(draw: st.DrawFn) -> HttpResponse:
    body = draw(
        st.one_of(
            SYSTEMS_LIKE.map(json.dumps),
            st.builds(lambda total, results: json.dumps({"total": total, "results": results}), JSON, JSON),
            JSON.map(json.dumps),
            st.text(max_size=30),
            st.just("[" * 20_000),
        )
    )
    headers = {}
    for name in ("x-total-count", "link", "retry-after", "x-request-id"):
        if draw(st.booleans()):
            headers[name] = draw(
                st.one_of(
                    HEADER_TEXT,
                    st.sampled_from(
                        [
                            '</api/engine/v2/systems?offset=20>; rel="next"',
                            '<https://evil.example.com/steal>; rel="next"',
                            f'<{BASE}/api/engine/v2/systems?offset=2>; rel="next"',
                        ]
                    ),
                )
            )
    status = draw(st.sampled_from([200, 200, 200, 204, 301, 400, 401, 403, 404, 429, 500, 503]))
    return HttpResponse(status, headers, body)


@given(st.lists(api_answers(), min_size=1, max_size=4))
def test_hostile_api_answers_raise_only_typed_errors_and_always_render(answers: list[HttpResponse]) -> None:
    cycle = iter(answers * 8)
    transport = MockTransport(lambda request: next(cycle, answers[-1]))
    token = Token.from_json(json.dumps({"access_token": "tok-abcdefgh", "expires_at": 2e9, "scope": "public"}))
    api = PlaceOSClient(config(), transport, lambda: token, clock=Clock(), sleep=_no_sleep, attempts=2)

    async def run() -> None:
        model = Model(screen="app")
        for call in (api.systems, api.current_user, lambda: api.system("sys-1"), _collect(api)):
            try:
                result = await call()
            except ApiError as error:
                assert str(error)
                model.browse.list_error = str(error)
                continue
            if isinstance(result, Page):
                assert all(isinstance(item, dict) for item in result.items) and result.total >= len(result.items)
                model.browse.systems, model.browse.total = result.items, result.total
            elif isinstance(result, dict):
                model.browse.user, model.browse.detail = result, result
                render(Model(screen="app", browse=BrowseState(detail=result, place=Place(system="sys-1"))))  # type: ignore[arg-type]
            render(model)
        for request in transport.requests:
            assert request.url.startswith(BASE + "/"), "the token went to another host"

    asyncio.run(run())


def _collect(api: PlaceOSClient) -> Any:
    async def collect() -> list[dict[str, Any]]:
        return [system async for system in api.all_systems(limit=2)]

    return collect
