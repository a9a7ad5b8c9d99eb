"""The client configuration: what /app-config.json says, completed as PlaceOS would."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.config import ClientConfig, derive_client_id
from app.core.errors import ConfigError
from tests.fakes import (
    BASE,
)


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
    assert (cfg.pages, cfg.reload) == ("", False)  # serve.py's --pages and --reload alone set them
    dev = ClientConfig.from_mapping({"pages": "_pages/", "reload": True}, BASE + "/")
    assert (dev.pages, dev.reload) == ("_pages/", True)


@pytest.mark.parametrize(
    "data",
    [
        {"placeos_base": "http://placeos.example.com"},  # plain http off loopback
        {"redirect_uri": "ftp://x/"},
        {"redirect_uri": "http://127.0.0.1:8000/#frag"},
        {"storage": "cookies"},
        {"expiry_warning_s": "soon"},
        {"pages": "https://elsewhere.example/"},  # a page's source runs as the app: only from beside it
        {"pages": "../"},
    ],
)
def test_config_refuses_unsafe_or_invalid_values(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        ClientConfig.from_mapping(data, BASE + "/")


@pytest.mark.parametrize(
    ("redirect_uri", "base"),
    [
        ("http://127.0.0.1:8000/", "/"),
        ("https://placeos.example.com/apps/placeos-py/", "/apps/placeos-py/"),
        ("https://placeos.example.com/apps/placeos-py/index.html", "/apps/placeos-py/"),
        ("https://placeos.example.com", "/"),
    ],
)
def test_the_base_path_is_the_redirect_uris_folder(redirect_uri: str, base: str) -> None:
    assert ClientConfig.from_mapping({"redirect_uri": redirect_uri}, "http://127.0.0.1:8000/").base_path == base


def test_places_are_addresses_under_the_base_path() -> None:
    from app.browse.place import Place

    assert Place().path("/apps/x/") == "/apps/x/"
    assert Place(q="board", offset=20, system="sys-1").path("/apps/x/") == "/apps/x/?q=board&offset=20&system=sys-1"
    assert Place(q="a b").path() == "/?q=a+b"


@given(st.one_of(st.text(max_size=20), st.from_regex(r"\d\d:\d\d-\d\d:\d\d", fullmatch=True), st.integers()))
def test_quiet_hours_of_any_shape_are_two_times_of_day_or_a_config_error(value: object) -> None:
    from app.kiosk.state import quiet_span

    try:
        parsed = ClientConfig.from_mapping({"board_quiet": value}, "http://127.0.0.1:8000/")
    except ConfigError as error:
        assert "board_quiet" in str(error)
        return
    span = quiet_span(parsed.board_quiet)
    assert span is None or (all(0 <= m < 24 * 60 for m in span) and span[0] != span[1])
