"""The two flows (app.flows): the implicit grant and the code grant with PKCE, behind one interface."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.auth.session import TOKEN_KEY, Token
from app.core.errors import AuthorizationDenied, UnknownState
from app.core.ports import MemoryStorage
from app.core.redact import Secret
from tests.fakes import Clock, CodeServer, MockTransport, config, make_session, state_of


def test_state_is_checked_on_error_responses_too() -> None:
    session, _, _ = make_session()
    with pytest.raises(UnknownState):
        session.complete("error=access_denied&state=forged", 0)
    state = state_of(session.sign_in_url("/"))
    with pytest.raises(AuthorizationDenied) as denied:
        session.complete(f"error=access_denied&state={state}", 0)
    assert denied.value.error == "access_denied" and "cancelled" in str(denied.value)


def test_expiry_is_absolute_from_receipt_and_missing_expires_in_is_short() -> None:
    session, storage, clock = make_session()
    state = state_of(session.sign_in_url("/"))
    signed_in = session.complete(f"access_token=tok-123456&token_type=Bearer&state={state}", clock.now - 2)
    assert signed_in.token.expires_at == clock.now - 2 + 300
    assert json.loads(storage.get(TOKEN_KEY) or "{}")["expires_at"] == signed_in.token.expires_at
    clock.advance(299)
    assert session.valid_token() is None and session.token() is not None


def test_granted_scope_different_from_requested_warns() -> None:
    session, _, _ = make_session()
    state = state_of(session.sign_in_url("/"))
    signed_in = session.complete(f"access_token=t&token_type=Bearer&expires_in=60&scope=users.read&state={state}", 0)
    assert signed_in.scope_warning and "users.read" in signed_in.scope_warning


# the code flow, without the controller ------------------------------------------------------------------------------


def code_flow(server: Any, **overrides: Any) -> tuple[Any, Any, MockTransport, Clock]:
    from app.auth.flows import CodeFlow
    from app.auth.session import AuthSession
    from tests.fakes import counter_states, counter_verifiers

    clock, storage = Clock(), MemoryStorage()
    session = AuthSession(
        config(flow="code", **overrides),
        session_storage=storage,
        token_storage=storage,
        clock=clock,
        new_state=counter_states(),
    )
    transport = MockTransport(server)
    flow = CodeFlow(session.config, session, transport=transport, clock=clock, new_verifier=counter_verifiers())
    return flow, session, transport, clock


async def test_the_code_flow_sends_the_injected_verifiers_challenge_and_exchanges_with_it() -> None:
    from app.auth.token_endpoint import pkce_challenge

    server = CodeServer()
    flow, session, transport, clock = code_flow(server)
    url = flow.sign_in_url("/?q=a")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    verifier = "verifier-0001-" + "v" * 60
    assert params["code_challenge"] == pkce_challenge(verifier) and params["code_challenge_method"] == "S256"
    signed_in = await flow.complete(server.authorize(url), clock.now)
    assert signed_in.return_to == "/?q=a" and signed_in.token.refresh_token is not None
    exchange = transport.requests[-1]
    assert f"code_verifier={verifier}" in (exchange.body or "") and exchange.credentials == "omit"


async def test_the_code_flow_renews_with_rotation_and_a_refused_renewal_drops_the_refresh_token() -> None:
    server = CodeServer()
    flow, session, transport, clock = code_flow(server)
    await flow.complete(server.authorize(flow.sign_in_url("/")), clock.now)
    assert flow.renews_silently(session.token())
    renewed = await flow.renew()
    assert renewed is not None and renewed.access_token.reveal() == "access-2-abcdefgh"
    server.refresh_tokens.clear()
    assert await flow.renew() is None
    kept = session.token()
    assert kept is not None and kept.refresh_token is None and not flow.renews_silently(kept)


async def test_the_code_flow_offline_keeps_what_renews() -> None:
    server = CodeServer()
    flow, session, transport, clock = code_flow(server)
    await flow.complete(server.authorize(flow.sign_in_url("/")), clock.now)
    transport.handler = lambda request: OSError("offline")
    with pytest.raises(OSError):
        await flow.renew()
    assert (session.token() or Token(Secret("x"), 0, "")).refresh_token is not None


async def test_a_code_response_for_a_state_started_without_a_verifier_is_refused() -> None:
    session, _, clock = make_session()  # an implicit sign-in's state: no verifier kept with it
    state = state_of(session.sign_in_url("/"))
    flow, *_ = code_flow(CodeServer())
    flow._session = session.session
    with pytest.raises(UnknownState):
        await flow.complete(f"code=abcdefgh&state={state}", clock.now)


def test_the_implicit_flow_never_renews_silently_and_answers_in_the_fragment() -> None:
    session, _, _ = make_session()
    assert session.flow.response_place == "fragment" and not session.flow.renews_silently(session.token())
    flow, *_ = code_flow(CodeServer())
    assert flow.response_place == "query"
