"""Pending sign-ins (app.states): one per state, used once, expiring; the return path; the loop breaker."""

from __future__ import annotations

import pytest

from app.auth.states import PREFIX, safe_return_path
from app.core.errors import ExpiredState, NoState, SignInLoop, UnknownState
from tests.fakes import (
    make_session,
    pending,
    state_of,
)


def test_several_pending_states_each_usable_once() -> None:
    session, storage, _ = make_session()
    first = state_of(session.sign_in_url("/?q=a"))
    second = state_of(session.sign_in_url("/?q=b"))
    assert storage.get(PREFIX + first) and storage.get(PREFIX + second)
    signed_in = session.complete(f"access_token=t2&token_type=Bearer&expires_in=60&state={second}", 0)
    assert signed_in.return_to == "/?q=b"
    session.complete(f"access_token=t1&token_type=Bearer&expires_in=60&state={first}", 0)
    with pytest.raises(UnknownState):
        session.complete(f"access_token=t1&token_type=Bearer&expires_in=60&state={first}", 0)


def test_missing_unknown_and_expired_states_are_typed() -> None:
    session, storage, clock = make_session()
    with pytest.raises(NoState):
        session.complete("access_token=t&token_type=Bearer", clock.now)
    with pytest.raises(UnknownState):
        session.complete("access_token=t&token_type=Bearer&state=never-issued", clock.now)
    state = state_of(session.sign_in_url("/"))
    clock.advance(901)
    with pytest.raises(ExpiredState):
        session.complete(f"access_token=t&token_type=Bearer&state={state}", clock.now)
    assert session.token() is None
    assert not storage.get(PREFIX + state)


def test_abandoned_states_are_purged_once_expired_by_the_next_sign_in() -> None:
    session, storage, clock = make_session()
    old = state_of(session.sign_in_url("/"))
    clock.advance(600)
    session.sign_in_url("/")
    assert pending(storage) == 2  # both still within 15 minutes
    clock.advance(301)
    session.loop.reset()
    session.sign_in_url("/")
    assert pending(storage) == 2  # the first, 901 s old, is gone
    with pytest.raises(UnknownState):
        session.complete(f"access_token=t&token_type=Bearer&state={old}", clock.now)


def test_return_path_is_same_origin_only() -> None:
    assert safe_return_path("/?q=x&offset=20") == "/?q=x&offset=20"
    for bad in ["https://evil.example.com/", "//evil.example.com", "/\\evil", "javascript:x", "/a\nb"]:
        assert safe_return_path(bad) == "/"


def test_loop_breaker_stops_the_fourth_redirect_in_the_window_and_forgets_old_ones() -> None:
    session, _, clock = make_session()
    for _ in range(3):
        session.sign_in_url("/")
    with pytest.raises(SignInLoop, match="3 times"):
        session.sign_in_url("/")
    clock.advance(121)
    session.sign_in_url("/")
