"""app.auth.token_endpoint: the token endpoint's wire format (RFC 6749 §4.1.3, §5, §6; RFC 7636; RFC 7009)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.auth.session import Token
from app.auth.token_endpoint import (
    code_exchange_body,
    parse_token_endpoint_response,
    pkce_challenge,
    refresh_body,
    revocation_requests,
)
from app.core.errors import AuthorizationDenied, MalformedResponse
from app.core.redact import Secret
from tests.fakes import BASE, config


def test_the_pkce_challenge_is_rfc_7636s_own_example() -> None:
    # RFC 7636 Appendix B.
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_a_code_is_exchanged_as_a_public_client_with_its_verifier() -> None:
    body = parse_qs(code_exchange_body(config(), Secret("code-1"), "verifier-1"))
    assert body == {
        "grant_type": ["authorization_code"],
        "code": ["code-1"],
        "redirect_uri": [BASE + "/"],
        "client_id": [config().client_id],
        "code_verifier": ["verifier-1"],
    }
    assert parse_qs(refresh_body(config(), Secret("refresh-1"))) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["refresh-1"],
        "client_id": [config().client_id],
    }


def test_a_token_answer_is_read_and_its_secrets_stay_secret() -> None:
    answer = parse_token_endpoint_response(
        200,
        json.dumps(
            {
                "access_token": "tok-abc",
                "token_type": "bearer",
                "expires_in": "7200",
                "refresh_token": "r",
                "scope": "x",
            }
        ),
    )
    assert answer.access_token.reveal() == "tok-abc" and answer.expires_in == 7200 and answer.scope == "x"
    assert answer.refresh_token is not None and "tok-abc" not in repr(answer)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, '{"error": "invalid_grant", "error_description": "expired"}', "invalid_grant"),
        (401, "", "http_401"),
        (200, '{"error": "invalid_request"}', "invalid_request"),
    ],
)
def test_an_error_answer_is_a_refusal_with_the_servers_code(status: int, body: str, error: str) -> None:
    with pytest.raises(AuthorizationDenied) as refused:
        parse_token_endpoint_response(status, body)
    assert refused.value.error == error


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", '{"access_token": "t", "token_type": "mac"}', '{"token_type": "Bearer"}', "9" * 5000],
)
def test_an_unusable_answer_is_malformed(body: str) -> None:
    with pytest.raises(MalformedResponse):
        parse_token_endpoint_response(200, body)


@pytest.mark.property
@given(st.integers(0, 599), st.text(max_size=300))
def test_any_answer_is_a_token_or_a_typed_error(status: int, body: str) -> None:
    try:
        parse_token_endpoint_response(status, body)
    except (AuthorizationDenied, MalformedResponse) as error:
        assert str(error)


def test_revocation_names_each_token_and_the_client_and_sends_no_cookies() -> None:
    token = Token(Secret("tok-abc"), 0, "public", Secret("refresh-1"), None)
    requests = revocation_requests(config(), token)
    bodies = [parse_qs(r.body or "") for r in requests]
    assert [b["token_type_hint"][0] for b in bodies] == ["access_token", "refresh_token"]
    assert all(r.url == BASE + "/auth/oauth/revoke" and r.credentials == "omit" for r in requests)
    assert len(revocation_requests(config(), Token(Secret("tok-abc"), 0, "public", None, None))) == 1
