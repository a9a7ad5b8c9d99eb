"""The few URL functions the app needs, matching urllib.parse's results (tests/test_urls.py checks them against it).

Why not urllib.parse: Pyodide's stdlib ships as source, and importing urllib.parse (which imports ipaddress)
compiles ~130 KB of Python on every page load: 60+ ms of start-up for five small functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

_ALWAYS_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_HEXDIGITS = frozenset("0123456789abcdefABCDEF")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")


def quote(text: str, safe: str = "/") -> str:
    allowed = _ALWAYS_SAFE | frozenset(safe.encode())
    return "".join(chr(b) if b in allowed else f"%{b:02X}" for b in text.encode("utf-8"))


def quote_plus(text: str) -> str:
    return quote(text, " ").replace(" ", "+") if " " in text else quote(text, "")


def unquote(text: str) -> str:
    """Percent-decoding as UTF-8 with replacement characters, like urllib.parse.unquote."""
    if "%" not in text:
        return text
    out = bytearray()
    pieces = text.split("%")
    out += pieces[0].encode("utf-8")
    for piece in pieces[1:]:
        if len(piece) >= 2 and piece[0] in _HEXDIGITS and piece[1] in _HEXDIGITS:
            out.append(int(piece[:2], 16))
            out += piece[2:].encode("utf-8")
        else:
            out += b"%" + piece.encode("utf-8")
    return out.decode("utf-8", "replace")


def ascii_int(text: object, max_digits: int) -> int | None:
    """A whole number written in ASCII digits, at most max_digits long; None for anything else. Outside input
    ('²' passes str.isdigit, and a 5,000-digit string passes it too, then int() refuses it) is read only this way."""
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def urlencode(pairs: Mapping[str, object] | Iterable[tuple[str, object]]) -> str:
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return "&".join(f"{quote_plus(str(k))}={quote_plus(str(v))}" for k, v in items)


def parse_qsl(query: str, keep_blank_values: bool = False) -> list[tuple[str, str]]:
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        name, has_value, value = part.partition("=")
        if not has_value and not keep_blank_values:
            continue
        if value or keep_blank_values:
            pairs.append((unquote(name.replace("+", " ")), unquote(value.replace("+", " "))))
    return pairs


class Split(NamedTuple):
    scheme: str
    netloc: str
    path: str
    query: str
    fragment: str

    @property
    def hostname(self) -> str | None:
        host = self.netloc.rpartition("@")[2]
        if host.startswith("["):
            return host[1 : host.find("]")].lower() if "]" in host else None
        host = host.partition(":")[0]
        return host.lower() or None


def split(url: str) -> Split:
    """scheme://netloc/path?query#fragment, with the characters browsers strip removed first (as urllib does)."""
    url = url.strip("".join(chr(c) for c in range(0x21)))
    for char in "\t\r\n":
        url = url.replace(char, "")
    url, _, fragment = url.partition("#")
    url, _, query = url.partition("?")
    scheme = ""
    colon = url.find(":")
    if colon > 0 and url[0].isalpha() and all(c in _SCHEME_CHARS for c in url[:colon]):
        scheme, url = url[:colon].lower(), url[colon + 1 :]
    netloc = ""
    if url.startswith("//"):
        end = url.find("/", 2)
        netloc, url = (url[2:], "") if end < 0 else (url[2:end], url[end:])
    return Split(scheme, netloc, url, query, fragment)


def origin_of(url: str) -> str:
    """scheme://host[:port] of an absolute URL."""
    parts = split(url)
    return f"{parts.scheme}://{parts.netloc}"


__all__ = ["Split", "ascii_int", "origin_of", "parse_qsl", "quote", "quote_plus", "split", "unquote", "urlencode"]
