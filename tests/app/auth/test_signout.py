"""Signing out (app.signout): revoke what can be revoked, then PlaceOS's logout_url with `continue` back."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from app.auth.session import Token
from app.auth.signout import logout_url, sign_out
from app.auth.token_endpoint import revocation_requests
from app.core.ports import HttpRequest, HttpResponse
from app.core.redact import Secret
from tests.fakes import BASE, MockTransport, config

CONTINUE = "?continue=" + quote(BASE + "/", safe="")


@pytest.mark.parametrize(
    ("authority", "expected"),
    [
        (HttpResponse(200, {}, json.dumps({"logout_url": "/auth/logout"})), BASE + "/auth/logout" + CONTINUE),
        (
            HttpResponse(200, {}, json.dumps({"logout_url": "/auth/logout?x=1"})),
            BASE + "/auth/logout?x=1&" + CONTINUE[1:],
        ),
        (
            HttpResponse(200, {}, json.dumps({"logout_url": "https://sso.example.com/out"})),
            "https://sso.example.com/out" + CONTINUE,
        ),
        (HttpResponse(200, {}, json.dumps({"logout_url": "javascript:alert(1)"})), BASE + "/auth/logout" + CONTINUE),
        (HttpResponse(200, {}, json.dumps({"logout_url": "//evil.example.com/"})), BASE + "/auth/logout" + CONTINUE),
        (
            HttpResponse(200, {}, json.dumps({"logout_url": "http://plain.example.com/"})),
            BASE + "/auth/logout" + CONTINUE,
        ),
        (HttpResponse(200, {}, "[" * 10_000), BASE + "/auth/logout" + CONTINUE),
        (HttpResponse(404, {}, ""), BASE + "/auth/logout" + CONTINUE),
        (OSError("no CORS"), BASE + "/auth/logout" + CONTINUE),
    ],
)
async def test_the_logout_url_is_the_authoritys_over_https_or_placeos_own(
    authority: HttpResponse | OSError, expected: str
) -> None:
    assert await logout_url(config(), MockTransport(lambda request: authority)) == expected


async def test_sign_out_revokes_both_tokens_without_cookies_then_asks_for_the_logout_url() -> None:
    token = Token(Secret("tok-abcdefgh"), 0, "public", Secret("ref-abcdefgh"))
    transport = MockTransport(lambda request: OSError("no CORS"))  # failures never stop a sign-out
    url = await sign_out(config(), transport, revocation_requests(config(), token))
    revoke_access, revoke_refresh, authority = transport.requests
    for request, value in ((revoke_access, "tok-abcdefgh"), (revoke_refresh, "ref-abcdefgh")):
        assert request.method == "POST" and request.url == BASE + "/auth/oauth/revoke"
        assert f"token={value}" in (request.body or "") and request.credentials == "omit"
    assert authority == HttpRequest("GET", BASE + "/auth/authority")
    assert url.startswith(BASE + "/auth/logout?continue=")
