"""The composition root's choices (app.main), under CPython: randomness and the flow."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import main
from app.auth.flows import CodeFlow, ImplicitFlow
from app.auth.session import AuthSession
from app.core.ports import MemoryStorage
from tests.fakes import Clock, MockTransport, config, counter_states


def test_states_and_verifiers_are_drawn_from_secrets_with_enough_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    real = secrets.token_urlsafe

    def recording(nbytes: Any = None) -> str:
        asked.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(secrets, "token_urlsafe", recording)
    state, verifier = main.new_state(), main.new_verifier()
    assert asked == [32, 64]  # 256 bits of state (RFC 6749 §10.10); a 512-bit PKCE verifier
    assert len(state) == 43 and 43 <= len(verifier) <= 128  # RFC 7636 §4.1
    assert set(state + verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(("flow", "kind"), [("implicit", ImplicitFlow), ("code", CodeFlow)])
def test_the_flow_is_picked_once_from_the_configuration(flow: str, kind: type) -> None:
    cfg = config(flow=flow)
    storage = MemoryStorage()
    session = AuthSession(
        cfg, session_storage=storage, token_storage=storage, clock=Clock(), new_state=counter_states()
    )
    assert isinstance(main.make_flow(cfg, session, MockTransport(lambda request: OSError())), kind)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("/", "/"), ("", "/"), ("apps/placeos-py", "/apps/placeos-py/"), ("/apps/placeos-py/", "/apps/placeos-py/")],
)
def test_serve_takes_a_base_path_in_any_spelling(given: str, expected: str) -> None:
    import serve

    assert serve.parse_args(["--base-path", given]).base_path == expected


@pytest.mark.parametrize("bad", ["/apps/../x", "/a?b", "/a#b", "/a b/", "/a/%2e%2e/"])
def test_serve_refuses_a_base_path_that_is_not_a_plain_path(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    import serve

    with pytest.raises(SystemExit):
        serve.parse_args(["--base-path", bad])
    assert "--base-path must be a plain path" in capsys.readouterr().err


@pytest.mark.property
@given(st.text(max_size=60))
def test_any_base_path_is_refused_or_a_plain_path(value: str) -> None:
    import serve

    try:
        path = serve.parse_args(["--base-path", value]).base_path
    except SystemExit:
        return
    assert path.startswith("/") and path.endswith("/") and "//" not in path
    assert all(c.isascii() and (c.isalnum() or c in "/._~-") for c in path) and "/../" not in path + "/"
