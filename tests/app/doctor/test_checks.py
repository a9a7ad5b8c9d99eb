"""The auth doctor under CPython (app.doctor, app.doctor_checks) over a mock transport: every answer PlaceOS may
give, and what the doctor makes of it."""

from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.ports import HttpRequest, HttpResponse
from app.doctor.checks import PROBE_STATE, Checks
from app.doctor.findings import OK, PROBLEM, Finding
from tests.fakes import Clock, MockTransport, config

NOW = 1_800_000_000.0


JSON_BODIES = st.recursive(
    st.none() | st.text(max_size=20) | st.integers(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=10,
)


def checks(handler: Any, **overrides: Any) -> tuple[Checks, MockTransport]:
    transport = MockTransport(handler)
    return Checks(config(**overrides), transport, Clock(NOW), None), transport


def authority(body: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {}, json.dumps(body or {"name": "PlaceOS", "version": "v2.0.0"}))


async def test_the_authority_answers_or_says_what_to_check() -> None:
    ok, _ = checks(lambda r: authority())
    assert (await ok.authority())[0] == Finding("PlaceOS says", "/auth/authority", "PlaceOS, v2.0.0", OK)
    missing, _ = checks(lambda r: authority({"error": "authority not found"}, 404))
    assert (await missing.authority())[0].status == PROBLEM and "--placeos-base" in (await missing.authority())[0].fix
    down, _ = checks(lambda r: OSError("refused"))
    assert "cannot be reached" in (await down.authority())[0].fix


@pytest.mark.parametrize(
    ("status", "body", "token", "verdict"),
    [
        (0, "", (200, '{"active": false}'), "knows this client_id, the MD5 of this redirect URI"),  # the login page
        (302, "", (200, '{"active": false}'), "knows this client_id, the MD5 of this redirect URI"),
        (302, "", (401, '{"error":"invalid_client"}'), "does not know client_id"),  # PlaceOS: login first
        (302, "", (404, "<h1>Not here</h1>"), "knows this client_id"),  # an introspection that says nothing
        (401, "<h1>Unknown application</h1>", None, "does not know client_id"),
        (400, "<h1>Invalid redirect URI</h1>", None, "refuses the redirect URI"),
        (400, "unsupported_response_type", None, "does not offer the implicit flow"),
        (400, "<h1>Something else</h1>", None, "refused the request (HTTP 400)"),
    ],
)
async def test_the_authorize_endpoint_is_asked_without_a_session_and_read(
    status: int, body: str, token: tuple[int, str] | None, verdict: str
) -> None:
    def answer(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            assert token is not None, "introspection is asked only after a redirect"
            return HttpResponse(token[0], {}, token[1])
        return HttpResponse(status, {}, body)

    probe, transport = checks(answer)
    finding = await probe.authorize()
    assert verdict in finding.value
    request, *then = transport.requests
    assert request.credentials == "omit" and not request.follow and f"state={PROBE_STATE}" in request.url
    assert len(then) == (token is not None)
    for asked in then:
        assert asked.credentials == "omit" and asked.url.endswith("/auth/oauth/introspect")


async def test_a_client_id_set_for_another_redirect_uri_is_the_problem_introspection_cannot_rule_out() -> None:
    def placeos(request: HttpRequest) -> HttpResponse:
        return HttpResponse(0, {}, "") if request.method == "GET" else HttpResponse(200, {}, '{"active": false}')

    probe, _ = checks(placeos, client_id="0123456789abcdef0123456789abcdef")
    finding = await probe.authorize()
    assert finding.status == PROBLEM and "knows client_id 0123456789abcdef" in finding.value
    assert "is not the MD5 of the redirect URI" in finding.value and "Backoffice" in finding.fix


def api_answer(skew: float) -> HttpResponse:
    return HttpResponse(401, {"date": formatdate(NOW + skew, usegmt=True)}, '{"error":"no token"}')


async def test_the_clock_is_read_from_the_api_and_a_skew_is_a_problem() -> None:
    fine, _ = checks(lambda r: api_answer(20))
    assert (await fine.api())[-1].status == OK
    skewed, _ = checks(lambda r: api_answer(-3600))
    finding = (await skewed.api())[-1]
    assert finding.status == PROBLEM and "3600 s ahead of PlaceOS's" in finding.value and "NTP" in finding.fix


async def test_a_placeos_elsewhere_needs_cors_and_the_doctor_says_so() -> None:
    def no_cors(request: HttpRequest) -> HttpResponse | Exception:
        return OSError("CORS")

    elsewhere, _ = checks(no_cors, placeos_base="https://placeos.example.com")
    (api,) = await elsewhere.api()
    assert api.status == PROBLEM and "no CORS headers for http://127.0.0.1:8000" in api.value
    (token,) = await elsewhere.token_endpoint()
    assert token.status != PROBLEM  # the implicit flow never calls the token endpoint
    code_flow, _ = checks(no_cors, placeos_base="https://placeos.example.com", flow="code")
    assert (await code_flow.token_endpoint())[0].status == PROBLEM
    same, _ = checks(lambda r: api_answer(0))
    assert (await same.token_endpoint())[0].value.startswith("not needed")


@pytest.mark.property
@given(
    st.integers(min_value=0, max_value=599),
    st.text(max_size=300)
    | st.recursive(
        st.none() | st.text(max_size=20) | st.integers(),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=10), c),
        max_leaves=10,
    ).map(json.dumps),
    st.text(max_size=80),
)
async def test_whatever_placeos_answers_the_doctor_reads_without_crashing(status: int, body: str, date: str) -> None:
    probe, _ = checks(lambda r: HttpResponse(status, {"date": date}, body))
    for finding in [*await probe.authority(), await probe.authorize(), *await probe.api()]:
        assert finding.status in (OK, PROBLEM, "info") and finding.value


@pytest.mark.parametrize(
    ("answer", "opened", "verdict"),
    [
        (HttpResponse(200, {}, "{}"), True, "accepts the token"),
        (HttpResponse(401, {}, '{"error":"token revoked"}'), False, "the API refuses this token (HTTP 401)"),
        (OSError("refused"), False, "the API refuses this token (no answer)"),
    ],
)
async def test_the_websocket_is_opened_only_with_a_token_the_api_takes(answer: Any, opened: bool, verdict: str) -> None:
    """A refused websocket's URL, token and all, is printed by the browser: the token is tried over HTTP first."""
    urls: list[str] = []

    class Socket:
        async def close(self) -> None:
            pass

    async def connect(url: str) -> Socket:
        urls.append(url)
        return Socket()

    transport = MockTransport(lambda r: answer)
    probe = Checks(config(), transport, Clock(NOW), connect)  # type: ignore[arg-type]
    finding = await probe.socket("tok-abcdefgh")
    assert verdict in finding.value and bool(urls) is opened
    (asked,) = transport.requests
    assert (
        asked.url.endswith("/api/engine/v2/users/current") and asked.headers["Authorization"] == "Bearer tok-abcdefgh"
    )
