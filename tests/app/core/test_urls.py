"""app.core.urls must give urllib.parse's answers (it exists only to keep ipaddress and urllib.parse out of
start-up)."""

from __future__ import annotations

import random
import urllib.parse

import pytest

from app.core import urls
from app.shell.view import safe_href

ALPHABET = "abcXYZ019 &=+%#?/:@;,.-_~!$'()*[]\"<>\\^`{|}\t\né€😀\x00\x7f"


def random_strings(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    samples = ["", "%", "%2", "%zz", "%41%42", "a=1&&b=&c", "=x", "a+b=c+d", "%E2%82%AC", "%ff%fe", "&", "==="]
    for _ in range(count):
        samples.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24))))
    return samples


@pytest.mark.parametrize("text", random_strings(400, 1))
def test_quote_unquote_match_urllib(text: str) -> None:
    assert urls.quote(text, safe="") == urllib.parse.quote(text, safe="")
    assert urls.quote(text) == urllib.parse.quote(text)
    assert urls.quote_plus(text) == urllib.parse.quote_plus(text)
    assert urls.unquote(text) == urllib.parse.unquote(text)


@pytest.mark.parametrize("query", random_strings(400, 2))
def test_parse_qsl_matches_urllib(query: str) -> None:
    for keep in (False, True):
        assert urls.parse_qsl(query, keep_blank_values=keep) == urllib.parse.parse_qsl(query, keep_blank_values=keep)


def test_urlencode_matches_urllib_and_round_trips() -> None:
    for seed in range(50):
        pairs = list(zip(random_strings(5, seed), random_strings(5, seed + 100), strict=False))
        encoded = urls.urlencode(pairs)
        assert encoded == urllib.parse.urlencode(pairs)
        assert urls.parse_qsl(encoded, keep_blank_values=True) == [(k, v) for k, v in pairs]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/?q=a#frag",
        "https://User@Example.COM:443/p/a?x=1",
        "//host/path",
        "/path?x#y",
        "http://[::1]:8000/",
        "HTTP://Upper.example/",
        " \thttp://x.example/\n",
        "javascript:alert(1)",
        "mailto:a@b",
        "http://host",
        "?q",
        "#only",
        "",
    ],
)
def test_split_matches_urlsplit(url: str) -> None:
    ours, theirs = urls.split(url), urllib.parse.urlsplit(url)
    assert tuple(ours) == tuple(theirs)
    assert ours.hostname == theirs.hostname


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://support.example.com/rooms/x", "https://support.example.com/rooms/x"),
        ("http://x.example/", "http://x.example/"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("https://x.example/\nevil", None),
        ("//x.example", None),
        ("HTTPS://X.EXAMPLE/", "HTTPS://X.EXAMPLE/"),
        (None, None),
        (42, None),
    ],
)
def test_safe_href_keeps_only_plain_http_urls(value: object, expected: str | None) -> None:
    assert safe_href(value) == expected
