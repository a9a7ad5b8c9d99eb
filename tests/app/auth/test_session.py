"""The session (app.session): where the token is kept, automatic restarts, the signed-out marker."""

from __future__ import annotations

from app.auth.session import TOKEN_KEY, AuthSession
from app.core.errors import NoState, UnknownState
from app.core.ports import MemoryStorage
from tests.fakes import (
    Clock,
    SessionDriver,
    config,
    counter_states,
    make_session,
    state_of,
)


def test_token_in_local_storage_when_configured_otherwise_session() -> None:
    local, session_store = MemoryStorage(), MemoryStorage()
    session = SessionDriver(
        AuthSession(
            config(storage="local"),
            session_storage=session_store,
            token_storage=local,
            clock=Clock(),
            new_state=counter_states(),
        )
    )
    state = state_of(session.sign_in_url("/"))
    session.complete(f"access_token=t&token_type=Bearer&expires_in=60&state={state}", 0)
    assert local.get(TOKEN_KEY) and not session_store.get(TOKEN_KEY)


def test_automatic_restart_happens_once_per_window() -> None:
    session, _, clock = make_session()
    error = NoState("x")
    assert session.may_restart_automatically(error)
    assert not session.may_restart_automatically(error)
    clock.advance(121)
    assert session.may_restart_automatically(error)
    assert not session.may_restart_automatically(UnknownState("x"))


def test_the_signed_out_marker_is_read_once() -> None:
    session, storage, _ = make_session()
    assert session.take_signed_out() is False
    session.note_signed_out()
    assert session.take_signed_out() is True and session.take_signed_out() is False


def test_a_stored_token_that_is_not_usable_reads_as_signed_out() -> None:
    session, storage, _ = make_session()
    for raw in ("nonsense", "[]", '{"access_token": "a"}', '{"access_token": "a", "expires_at": "inf"}', "[" * 10_000):
        storage.set(TOKEN_KEY, raw)
        assert session.token() is None
