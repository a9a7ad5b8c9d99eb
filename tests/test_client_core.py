"""The protocol core under CPython with injected clock, storage, randomness and transport: config, the wire
format, pending states, the loop breaker, the session and redaction."""

from __future__ import annotations

import hashlib
import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from app.config import ClientConfig, derive_client_id
from app.errors import (
    AuthorizationDenied,
    ConfigError,
    ExpiredState,
    MalformedResponse,
    NoState,
    SignInLoop,
    UnknownState,
)
from app.oauth import ErrorResponse, TokenResponse, build_authorize_url, parse_authorization_response
from app.ports import MemoryStorage
from app.redact import REDACTOR, DebugLog, Secret, fingerprint, log
from app.session import TOKEN_KEY, AuthSession
from app.states import PREFIX, safe_return_path
from tests.fakes import BASE, Clock, config, counter_states


def make_session(clock: Clock | None = None, **overrides: object) -> tuple[AuthSession, MemoryStorage, Clock]:
    clock = clock or Clock()
    storage = MemoryStorage()
    session = AuthSession(
        config(**overrides), session_storage=storage, token_storage=storage, clock=clock, new_state=counter_states()
    )
    return session, storage, clock


def pending(storage: MemoryStorage) -> int:
    """Sign-ins waiting for their response: what the state store holds."""
    from app.states import PREFIX

    return sum(1 for key in storage.keys() if key.startswith(PREFIX))


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


# config ----------------------------------------------------------------------------------------------------------


def test_config_defaults_derive_redirect_uri_and_client_id_as_placeos_does() -> None:
    cfg = ClientConfig.from_mapping({}, "http://127.0.0.1:8000/?q=x")
    assert cfg.placeos_base == BASE
    assert cfg.redirect_uri == BASE + "/"
    assert cfg.client_id == hashlib.md5(b"http://127.0.0.1:8000/").hexdigest()
    assert derive_client_id("HTTP://Example.com/App") == derive_client_id("http://example.com/app")


def test_config_explicit_values_and_cross_origin_base() -> None:
    cfg = ClientConfig.from_mapping(
        {"placeos_base": "https://placeos.example.com/", "client_id": "abc", "storage": "local", "kiosk": True},
        BASE + "/",
    )
    assert cfg.authorize_url == "https://placeos.example.com/auth/oauth/authorize"
    assert cfg.api_base == "https://placeos.example.com/api/engine/v2"
    assert cfg.client_id == "abc" and cfg.storage == "local" and cfg.kiosk


@pytest.mark.parametrize(
    "data",
    [
        {"placeos_base": "http://placeos.example.com"},  # plain http off loopback
        {"redirect_uri": "ftp://x/"},
        {"redirect_uri": "http://127.0.0.1:8000/#frag"},
        {"storage": "cookies"},
        {"expiry_warning_s": "soon"},
    ],
)
def test_config_refuses_unsafe_or_invalid_values(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        ClientConfig.from_mapping(data, BASE + "/")


# wire format (RFC 6749 §4.2) ---------------------------------------------------------------------------------------


def test_authorize_url_has_the_implicit_parameters() -> None:
    cfg = config()
    url = build_authorize_url(cfg, "s" * 43)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == BASE + "/auth/oauth/authorize"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "response_type": "token",
        "client_id": cfg.client_id,
        "state": "s" * 43,
        "redirect_uri": BASE + "/",
        "scope": "public",
    }


def test_parse_token_response_keeps_the_token_secret() -> None:
    result = parse_authorization_response("#access_token=abc.def&token_type=bearer&expires_in=7200&state=s1&x=y")
    assert isinstance(result, TokenResponse)
    assert result.access_token.reveal() == "abc.def" and "abc.def" not in repr(result)
    assert (result.token_type, result.expires_in, result.state) == ("Bearer", 7200, "s1")


def test_parse_error_response() -> None:
    result = parse_authorization_response("error=access_denied&error_description=No+thanks&state=s1")
    assert result == ErrorResponse("access_denied", "No thanks", None, "s1")


@pytest.mark.parametrize(
    "fragment",
    [
        "token_type=Bearer&state=s",  # no token
        "access_token=a&token_type=mac&state=s",
        "access_token=a&state=s",
        "access_token=a&token_type=Bearer&expires_in=-5&state=s",
        "access_token=a&token_type=Bearer&expires_in=soon&state=s",
        "access_token=a&access_token=b&token_type=Bearer&state=s",
    ],
)
def test_parse_refuses_malformed_responses(fragment: str) -> None:
    with pytest.raises(MalformedResponse):
        parse_authorization_response(fragment)


# pending states, single use, TTL -------------------------------------------------------------------------------------


def test_state_has_256_bits_from_secrets_in_production() -> None:
    from app.main import new_state

    states = {new_state() for _ in range(50)}
    assert len(states) == 50 and all(len(s) >= 43 for s in states)


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


def test_state_is_checked_on_error_responses_too() -> None:
    session, _, _ = make_session()
    with pytest.raises(UnknownState):
        session.complete("error=access_denied&state=forged", 0)
    state = state_of(session.sign_in_url("/"))
    with pytest.raises(AuthorizationDenied) as denied:
        session.complete(f"error=access_denied&state={state}", 0)
    assert denied.value.error == "access_denied" and "cancelled" in str(denied.value)


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


# expiry ------------------------------------------------------------------------------------------------------------


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


def test_token_in_local_storage_when_configured_otherwise_session() -> None:
    local, session_store = MemoryStorage(), MemoryStorage()
    session = AuthSession(
        config(storage="local"),
        session_storage=session_store,
        token_storage=local,
        clock=Clock(),
        new_state=counter_states(),
    )
    state = state_of(session.sign_in_url("/"))
    session.complete(f"access_token=t&token_type=Bearer&expires_in=60&state={state}", 0)
    assert local.get(TOKEN_KEY) and not session_store.get(TOKEN_KEY)


# loop breaker and automatic restarts ----------------------------------------------------------------------------------


def test_loop_breaker_stops_the_fourth_redirect_in_the_window_and_forgets_old_ones() -> None:
    session, _, clock = make_session()
    for _ in range(3):
        session.sign_in_url("/")
    with pytest.raises(SignInLoop, match="3 times"):
        session.sign_in_url("/")
    clock.advance(121)
    session.sign_in_url("/")


def test_automatic_restart_happens_once_per_window() -> None:
    session, _, clock = make_session()
    error = NoState("x")
    assert session.may_restart_automatically(error)
    assert not session.may_restart_automatically(error)
    clock.advance(121)
    assert session.may_restart_automatically(error)
    assert not session.may_restart_automatically(UnknownState("x"))


# redaction ---------------------------------------------------------------------------------------------------------


def test_secret_prints_as_fingerprint_only() -> None:
    secret = Secret("eyJhbGciOi.very-secret.value")
    assert "very-secret" not in repr(secret) and "very-secret" not in str(secret) and f"{secret}" == repr(secret)
    assert fingerprint("abc") == "#" + hashlib.sha256(b"abc").hexdigest()[:8]


def test_log_never_holds_a_token_even_when_one_slips_into_a_message() -> None:
    handler = DebugLog()
    handler.addFilter(REDACTOR)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        session, _, _ = make_session()
        state = state_of(session.sign_in_url("/"))
        session.complete(f"access_token=raw-token-0123456789&token_type=Bearer&expires_in=60&state={state}", 0)
        log.info("careless message with raw-token-0123456789 inside")
    finally:
        log.removeHandler(handler)
    text = "\n".join(handler.lines)
    assert "raw-token-0123456789" not in text and state not in text
    assert fingerprint("raw-token-0123456789") in text and fingerprint(state) in text


def test_core_modules_do_not_import_js() -> None:
    import ast
    from pathlib import Path

    for path in Path("app").glob("*.py"):
        if path.name in ("browser.py", "main.py"):
            continue
        tree = ast.parse(path.read_text())
        names = {
            alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        names |= {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        }
        assert not names & {"js", "pyodide"}, path
