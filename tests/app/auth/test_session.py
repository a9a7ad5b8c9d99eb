"""The session (app.session): where the token is kept, automatic restarts, the signed-out marker."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.auth.session import MAX_FEATURES, PAGE_KEY, TOKEN_KEY, AuthSession
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


def test_a_page_is_kept_with_the_features_the_tab_has_shown_and_gone_at_sign_out() -> None:
    session, storage, _ = make_session()
    session.keep_page("/?q=room", [["main", {}, "rooms"]], ["https://p/api"], {"Whiteboard", "Camera"})
    assert json.loads(storage.get(PAGE_KEY) or "")["features"] == ["Camera", "Whiteboard"]
    assert session.kept_features() == ["Camera", "Whiteboard"]
    session.forget_view()
    assert session.kept_features() == []


@pytest.mark.property
@given(
    st.one_of(
        st.text(max_size=200),
        st.builds(
            json.dumps,
            st.recursive(
                st.none() | st.text() | st.integers(),
                lambda inner: st.lists(inner) | st.dictionaries(st.sampled_from(["features", "path", "nodes"]), inner),
            ),
        ),
    )
)
def test_kept_features_from_whatever_the_tab_holds_are_short_strings(held: str) -> None:
    session, storage, _ = make_session()
    storage.set(PAGE_KEY, held)
    features = session.kept_features()
    assert len(features) <= MAX_FEATURES and all(isinstance(f, str) and len(f) <= 40 for f in features)
