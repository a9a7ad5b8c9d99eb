"""Property-based tests of the server's parsers of outside input (issue 8, item 11): whatever arrives, the answer is
never a 500 and never a traceback. Requests go to the real serve.py app listening on loopback, through
http.client, so bodies, content types and targets arrive exactly as generated.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.proxy import PROXIED_PREFIXES, upstream_path
from server.settings import Settings
from server.standin.container import STANDIN
from server.standin.fixtures import fixture_systems
from server.standin.wiring import DEV_SECRET_HEADER
from tests.live import LiveServer

pytestmark = pytest.mark.property

FAULTS_RESET = {
    "implicit_disabled": False,
    "always_deny": False,
    "api_latency_ms": 0,
    "api_error_rate": 0.0,
    "unauthorized_storm": 0,
    "date_skew_s": 0,
    "token_ttl_s": 7200,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = replace(Settings(), data_path=Path(tmp_path_factory.mktemp("props")) / "standin.sqlite3")
    live = LiveServer(settings).start()
    yield live
    live.stop()


def send(
    server: LiveServer, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.settings.port, timeout=30)
    try:
        connection.request(method, target, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def assert_handled(status: int, body: str) -> None:
    assert status < 500, body[:500]
    assert "Traceback" not in body


TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "²", "%", "%zz", "&", "=", "\x00", "token", "code", "S256", "plain", "query", "fragment"]),
    st.text(alphabet="0123456789", min_size=300, max_size=5000),
)
OAUTH_NAMES = st.sampled_from(
    [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "response_mode",
        "code_challenge",
        "code_challenge_method",
        "grant_type",
        "code",
        "refresh_token",
        "code_verifier",
        "token",
        "token_type_hint",
        "email",
        "password",
        "continue",
        "csrf_token",
        "action",
        "decision",
    ]
)
PAIRS = st.lists(st.tuples(st.one_of(OAUTH_NAMES, st.text(max_size=8)), TEXT), max_size=8)
BODIES = st.one_of(
    PAIRS.map(lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()),
    st.binary(max_size=300),
    st.just(b"email=\xff\xfe&password=\xc3"),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=nope",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "application/json",
        "text/plain",
        "",
    ]
)


def query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


@given(
    st.sampled_from(
        [
            "/auth/signin",
            "/auth/oauth/token",
            "/auth/oauth/revoke",
            "/auth/oauth/introspect",
            "/auth/oauth/authorize",
            "/auth/logout",
        ]
    ),
    BODIES,
    CONTENT_TYPES,
    PAIRS,
)
def test_auth_form_posts_of_any_shape_are_never_a_500(
    server: LiveServer, path: str, body: bytes, content_type: str, pairs: list[tuple[str, str]]
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert_handled(*send(server, "POST", f"{path}?{query(pairs)}" if pairs else path, body, headers))


@given(st.sampled_from(["/auth/oauth/authorize", "/login", "/auth/logout", "/auth/authority"]), PAIRS)
def test_auth_queries_of_any_shape_are_never_a_500(server: LiveServer, path: str, pairs: list[tuple[str, str]]) -> None:
    assert_handled(*send(server, "GET", f"{path}?{query(pairs)}", headers={"Sec-Fetch-Site": "cross-site"}))


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(), st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
FAULT_BODIES = st.one_of(
    st.dictionaries(st.sampled_from(sorted(FAULTS_RESET)), JSON, max_size=4).map(lambda d: json.dumps(d).encode()),
    JSON.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=100),
    st.just(b"[" * 100_000),
)


@given(FAULT_BODIES)
def test_fault_switch_bodies_of_any_shape_are_400_or_applied_within_limits(server: LiveServer, body: bytes) -> None:
    headers = {"Content-Type": "application/json", DEV_SECRET_HEADER: server.settings.dev_secret}
    try:
        status, text = send(server, "POST", "/_dev/faults", body, headers)
        assert_handled(status, text)
        if status == 200:
            state = json.loads(text)
            assert 1 <= state["token_ttl_s"] <= 7 * 24 * 3600 and 0 <= state["api_latency_ms"] <= 60_000
    finally:
        send(server, "POST", "/_dev/faults", json.dumps(FAULTS_RESET).encode(), headers)


@given(
    PAIRS,
    st.sampled_from(
        [
            "/api/engine/v2/systems",
            "/api/engine/v2/systems/sys-x",
            "/api/control/systems",
            "/api/engine/v2/zones",
            "/api/engine/v2/zones/zone-x",
            "/api/engine/v2/signage/sys-x",
            "/standin/images/harbour.svg",
        ]
    ),
)
def test_api_queries_of_any_shape_are_never_a_500(server: LiveServer, pairs: list[tuple[str, str]], path: str) -> None:
    assert_handled(*send(server, "GET", f"{path}?{query(pairs)}", headers={"Authorization": "Bearer nonsense"}))


@pytest.fixture(scope="module")
def real_token(server: LiveServer) -> str:
    """A token the stand-in issued to its demo user for the app, as after a sign-in."""
    assert server.app is not None
    standin = server.app[STANDIN]
    audience = server.settings.host
    issued = server.call(
        lambda: standin.issuer.issue(standin.demo_user, "props", list(standin.app_scopes), audience, 7200)
    )
    return str(issued[0])


@given(
    st.one_of(st.sampled_from(["sys-x", fixture_systems()[0]["id"]]), st.text(max_size=40)),
    st.one_of(st.none(), st.sampled_from(["true", "false", "FALSE", "0", ""]), st.text(max_size=20)),
)
def test_a_signage_heartbeat_of_any_shape_with_a_real_token_stamps_only_a_known_system_and_only_preview_false(
    server: LiveServer, real_token: str, sys_id: str, preview: str | None
) -> None:
    assert server.app is not None
    seen = server.app[STANDIN].signage_last_seen
    before = dict(seen)
    params = "" if preview is None else f"?preview={quote(preview, safe='')}"
    status, body = send(
        server,
        "GET",
        f"/api/engine/v2/signage/{quote(sys_id, safe='')}{params}",
        headers={"Authorization": f"Bearer {real_token}"},
    )
    assert_handled(status, body)
    known = sys_id in server.app[STANDIN].systems.by_id
    if status == 200:
        assert known and preview in (None, "true", "false"), (sys_id, preview)
        assert json.loads(body)["id"] == sys_id
    else:
        assert status in (400, 404) and json.loads(body)["error"], (status, body)
    stamped = {key for key in seen if seen[key] != before.get(key)}
    assert stamped <= ({sys_id} if status == 200 and preview == "false" else set())


@given(st.text(max_size=400))
def test_static_paths_of_any_shape_are_never_a_500(server: LiveServer, name: str) -> None:
    assert_handled(*send(server, "GET", "/static/" + quote(name)))


# the proxy's request target -------------------------------------------------------------------------------------------

SEGMENTS = st.lists(
    st.sampled_from(["api", "auth", "login", "admin", ".", "..", "%2e", "%2E%2e", "", "x", "v2"]), max_size=7
)


@given(SEGMENTS, st.text(max_size=20), st.booleans())
def test_the_proxy_forwards_only_normalised_paths_under_its_prefixes(
    segments: list[str], tail: str, absolute: bool
) -> None:
    target = ("http://evil.example.com" if absolute else "") + "/" + "/".join(segments) + "?" + quote(tail)
    result = upstream_path(target)
    if result is None:
        return
    path = result.partition("?")[0]
    assert not absolute
    assert path.startswith(PROXIED_PREFIXES) or path in ("/api", "/auth", "/login")
    decoded = [segment.replace("%2e", ".").replace("%2E", ".") for segment in path.split("/")]
    assert "." not in decoded and ".." not in decoded
    assert upstream_path(result) == result  # already normal: idempotent
