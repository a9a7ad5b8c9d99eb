"""app.auth.preflight: does PlaceOS know this app? Its authorize endpoint's answer to a probe no sign-in made, and
where that is a login redirect (PlaceOS's Doorkeeper), its introspection endpoint's about a token no sign-in made."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.auth.preflight import (
    ACCEPTED,
    BAD_REDIRECT,
    NO_IMPLICIT,
    PROBE_STATE,
    PROBE_TOKEN,
    REFUSED,
    UNANSWERED,
    UNKNOWN_CLIENT,
    ask,
    client_probe,
    client_verdict,
    in_words,
    probe,
    verdict,
)
from app.core.ports import HttpRequest, HttpResponse
from tests.fakes import MockTransport, config


def test_the_probe_asks_as_a_sign_in_would_but_with_no_cookie_and_a_state_no_sign_in_made() -> None:
    request = probe(config(client_id="abc"))
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    assert request.url.startswith(config().authorize_url + "?") and request.credentials == "omit"
    assert not request.follow  # the login page it would redirect to is not fetched
    assert query == {
        "response_type": "token", "client_id": "abc", "redirect_uri": config().redirect_uri, "scope": "public",
        "state": PROBE_STATE,
    }  # fmt: skip
    code = {k: v[0] for k, v in parse_qs(urlsplit(probe(config(flow="code")).url).query).items()}
    assert code["response_type"] == "code" and code["code_challenge_method"] == "S256"  # PKCE, as a sign-in asks


@pytest.mark.parametrize(
    ("status", "body", "found"),
    [
        (0, "", ACCEPTED),  # the login redirect, opaque to the page
        (302, "", ACCEPTED),
        (401, "", UNKNOWN_CLIENT),
        (400, "<h1>Client authentication failed due to unknown client (invalid_client)</h1>", UNKNOWN_CLIENT),
        (400, "<p>The redirect uri included is not valid.</p>", BAD_REDIRECT),
        (400, "unsupported_response_type", NO_IMPLICIT),
        (500, "oops", REFUSED),
        (200, "<html>a page</html>", REFUSED),
    ],
)
def test_placeos_s_answer_is_a_verdict(status: int, body: str, found: str) -> None:
    assert verdict(HttpResponse(status, {}, body)) == found


async def test_no_answer_is_nothing_known_and_each_problem_has_words_and_a_fix() -> None:
    def refuse(request: HttpRequest) -> Exception:
        return OSError("CORS")

    assert await ask(config(), MockTransport(refuse)) == (UNANSWERED, 0)
    assert in_words(ACCEPTED, config()) == ("", "") and in_words(UNANSWERED, config()) == ("", "")
    title, fix = in_words(UNKNOWN_CLIENT, config(client_id="wrong"))
    assert "does not know this app (client_id wrong)" in title and config().client_id in fix
    assert "Add this exact redirect URI" in in_words(BAD_REDIRECT, config())[1]
    assert "(HTTP 500)" in in_words(REFUSED, config(), 500)[0]


@given(st.integers(-1, 999), st.text(max_size=300))
def test_any_answer_is_one_verdict(status: int, body: str) -> None:
    assert verdict(HttpResponse(status, {}, body)) in {ACCEPTED, UNKNOWN_CLIENT, BAD_REDIRECT, NO_IMPLICIT, REFUSED}


def test_the_client_probe_asks_about_a_token_no_sign_in_made_with_no_cookie() -> None:
    request = client_probe(config(client_id="abc"))
    form = {k: v[0] for k, v in parse_qs(request.body or "").items()}
    assert request.method == "POST" and request.url == config().introspect_url and request.credentials == "omit"
    assert form == {"token": PROBE_TOKEN, "client_id": "abc"}
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("status", "body", "found"),
    [
        (200, '{"active": false}', ACCEPTED),  # Doorkeeper knows the client; the token is none of its
        (401, '{"error":"invalid_client","error_description":"Client authentication failed"}', UNKNOWN_CLIENT),
        (401, "", UNKNOWN_CLIENT),
        (400, '{"error":"invalid_client"}', UNKNOWN_CLIENT),
        (200, '{"active": true}', UNANSWERED),  # a made-up token active: not a server to believe
        (400, '{"error":"invalid_request"}', UNANSWERED),
        (404, "<h1>Not found</h1>", UNANSWERED),
        (401, '{"error":"invalid_token"}', UNANSWERED),
        (200, "<html>a page</html>", UNANSWERED),
    ],
)
def test_introspection_s_answer_says_whether_the_client_is_known(status: int, body: str, found: str) -> None:
    assert client_verdict(HttpResponse(status, {}, body)) == found


async def test_a_login_redirect_asks_the_token_endpoint_which_has_the_last_word() -> None:
    def placeos(client_known: bool) -> MockTransport:
        def answer(request: HttpRequest) -> HttpResponse:
            if request.method == "GET":
                return HttpResponse(0, {}, "")  # Doorkeeper: the login page first, whatever the client
            return (
                HttpResponse(400, {}, '{"error":"invalid_grant"}')
                if client_known
                else HttpResponse(401, {}, '{"error":"invalid_client"}')
            )

        return MockTransport(answer)

    assert await ask(config(), placeos(client_known=True)) == (ACCEPTED, 0)
    assert await ask(config(), placeos(client_known=False)) == (UNKNOWN_CLIENT, 401)

    def token_unreadable(request: HttpRequest) -> HttpResponse | Exception:
        return HttpResponse(302, {}, "") if request.method == "GET" else OSError("CORS")

    assert await ask(config(), MockTransport(token_unreadable)) == (ACCEPTED, 302)

    def error_page(request: HttpRequest) -> HttpResponse:
        assert request.method == "GET", "an answer from the authorize endpoint needs no second question"
        return HttpResponse(401, {}, "<h1>Unknown application</h1>")

    assert await ask(config(), MockTransport(error_page)) == (UNKNOWN_CLIENT, 401)


VALUES = st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.lists(st.text(max_size=5), max_size=3)
ANSWERS = st.dictionaries(st.sampled_from(["error", "active", "scope"]) | st.text(max_size=5), VALUES, max_size=3)


@given(st.integers(-1, 999), st.text(max_size=300) | st.builds(json.dumps, ANSWERS | VALUES))
def test_any_token_endpoint_answer_is_one_verdict(status: int, body: str) -> None:
    assert client_verdict(HttpResponse(status, {}, body)) in {ACCEPTED, UNKNOWN_CLIENT, UNANSWERED}
