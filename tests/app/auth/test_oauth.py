"""OAuth 2 wire formats (app.oauth): authorize URLs, authorization and token-endpoint responses, PKCE."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.auth.oauth import ErrorResponse, TokenResponse, build_authorize_url, parse_authorization_response
from app.core.errors import MalformedResponse
from tests.fakes import (
    BASE,
    config,
)


def test_authorize_url_has_the_implicit_parameters() -> None:
    cfg = config()
    url = build_authorize_url(cfg, "s" * 43, "token")
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


def test_pkce_challenge_matches_rfc7636_appendix_b() -> None:
    from app.auth.token_endpoint import pkce_challenge

    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
