"""app.shell.sign_in_return: the sign-in's return decided as a value, under CPython, with a real flow over fake
storage."""

from __future__ import annotations

from typing import Any

from app.auth.flows import ImplicitFlow
from app.auth.session import AuthSession
from app.core.ports import MemoryStorage
from app.shell.sign_in_return import IGNORED_LINK, NOTHING, UNREACHABLE, Failed, Proceed, Restart, SignInReturn
from tests.fakes import Clock, config, counter_states, state_of


def arrival_for(**overrides: Any) -> tuple[SignInReturn, ImplicitFlow, AuthSession, Clock]:
    clock = Clock()
    conf = config(**overrides)
    storage = MemoryStorage()
    session = AuthSession(conf, session_storage=storage, token_storage=storage, clock=clock, new_state=counter_states())
    flow = ImplicitFlow(conf, session)
    return SignInReturn(flow, session, conf.base_path), flow, session, clock


def response(state: str, **extra: str) -> str:
    fields = {"access_token": "tok-abcdefgh", "token_type": "Bearer", "expires_in": "3600", "state": state, **extra}
    return "&".join(f"{k}={v}" for k, v in fields.items())


def test_nothing_arrived_is_nothing_to_decide() -> None:
    arrival, *_ = arrival_for()
    assert arrival.response_in({"fragment": "", "query": ""}) is NOTHING
    assert arrival.response_in({"fragment": "q=room"}) is NOTHING  # the app's own parameters are no response


async def test_a_response_to_a_sign_in_started_here_proceeds_back_to_the_persons_place() -> None:
    arrival, flow, session, clock = arrival_for()
    state = state_of(flow.sign_in_url("/?q=room&system=sys-1"))
    found = arrival.response_in({"fragment": response(state), "query": ""})
    assert isinstance(found, str)
    decision = await arrival.complete(found, clock())
    assert decision == Proceed("/?q=room&system=sys-1", "signed in", None)
    token = session.token()
    assert token is not None and token.access_token.reveal() == "tok-abcdefgh"


async def test_a_return_path_outside_the_app_goes_to_the_apps_base_instead() -> None:
    arrival, flow, _, clock = arrival_for()
    state = state_of(flow.sign_in_url("https://evil.example/"))
    decision = await arrival.complete(response(state), clock())
    assert isinstance(decision, Proceed) and decision.back == "/"


async def test_an_unknown_state_fails_with_its_own_title_and_uses_nothing() -> None:
    arrival, _, session, clock = arrival_for()
    decision = await arrival.complete(response("never-issued-here"), clock())
    assert isinstance(decision, Failed) and decision.title == "This sign-in was not started here"
    assert decision.actions == (("Sign in", "sign_in"),) and session.token() is None


async def test_a_replayed_response_fails() -> None:
    arrival, flow, session, clock = arrival_for()
    state = state_of(flow.sign_in_url("/"))
    assert isinstance(await arrival.complete(response(state), clock()), Proceed)
    session.forget()
    again = await arrival.complete(response(state), clock())
    assert isinstance(again, Failed)


async def test_in_a_signed_in_tab_a_link_not_started_here_is_refused_as_strictly_but_the_app_stays_with_a_notice() -> (
    None
):
    arrival, flow, session, clock = arrival_for()
    state = state_of(flow.sign_in_url("/?q=room"))
    assert isinstance(await arrival.complete(response(state), clock()), Proceed)
    for stray in (response(state, access_token="tok-replayed"), response("never-issued-here", access_token="tok-x")):
        decision = await arrival.complete(stray, clock())
        assert isinstance(decision, Proceed) and decision.back is None  # the person's place is not moved
        assert decision.notice is not None and decision.notice.text == IGNORED_LINK
        assert decision.notice.actions == (("Why?", "doctor"), ("Dismiss", "dismiss_notice"))
        assert "not started here" in decision.outcome or "used" in decision.outcome, decision.outcome
        token = session.token()
        assert token is not None and token.access_token.reveal() == "tok-abcdefgh"  # nothing of the link was used
    misplaced = arrival.response_in({"fragment": "", "query": response("never-issued-here")})
    assert isinstance(misplaced, Proceed) and misplaced.notice is not None


async def test_an_oauth_error_fails_with_try_again() -> None:
    arrival, flow, _, clock = arrival_for()
    state = state_of(flow.sign_in_url("/"))
    decision = await arrival.complete(f"error=access_denied&state={state}", clock())
    assert isinstance(decision, Failed) and decision.title == "Sign-in did not complete"
    assert ("Try again", "sign_in") in decision.actions


async def test_a_response_without_state_restarts_the_sign_in_once_then_stops_restarting() -> None:
    arrival, _, _, clock = arrival_for()
    first = await arrival.complete("access_token=tok-abcdefgh&token_type=Bearer&expires_in=60", clock())
    assert isinstance(first, Restart) and first.message.endswith("Starting sign-in again…")
    second = await arrival.complete("access_token=tok-abcdefgh&token_type=Bearer&expires_in=60", clock())
    assert isinstance(second, Failed)


def test_a_token_in_the_query_is_refused_whole_where_the_flow_expects_a_fragment() -> None:
    arrival, flow, session, _ = arrival_for()
    state = state_of(flow.sign_in_url("/"))
    decision = arrival.response_in({"fragment": "", "query": response(state)})
    assert isinstance(decision, Failed) and "where this app never asks for one" in decision.message
    assert session.token() is None


async def test_no_answer_from_placeos_says_so() -> None:
    class Unreachable(ImplicitFlow):
        async def complete(self, response: str, received_at: float) -> Any:
            raise OSError("offline")

    arrival, flow, session, clock = arrival_for()
    cut_off = SignInReturn(Unreachable(flow._config, session), session, "/")
    assert await cut_off.complete(response("x"), clock()) is UNREACHABLE
