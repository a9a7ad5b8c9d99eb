"""Addresses from API data: made safe to put in an href (only http(s) and one plain email), and easy to wrap."""

from __future__ import annotations

from app.core.urls import quote
from app.ui.elements import Child, h


def safe_href(value: object) -> str | None:
    """An http(s) URL from API data, or None: no javascript:, data: or whitespace tricks reach an href."""
    text = str(value or "")
    ok = text.lower().startswith(("http://", "https://")) and not any(ord(c) <= 0x20 or c == "\\" for c in text)
    return text if ok else None


def mail_href(value: object) -> str | None:
    """mailto: for what reads as one plain address; None for anything else (several, headers, odd characters)."""
    text = str(value or "")
    local, at, domain = text.partition("@")
    plain = at and local and "." in domain and "@" not in domain
    if not plain or any(ord(c) <= 0x20 or c in '\\"<>()[],;:?&%' for c in text) or len(text) > 254:
        return None
    return "mailto:" + quote(text, safe="@.+-_")


def breakable(text: str) -> list[Child]:
    """An address with places to wrap where a reader expects them (after @, / and . and before ?, & and =), so a
    long email or link on a phone wraps there rather than in the middle of a word. <wbr> is not copied with it."""
    parts: list[Child] = []
    word = ""
    for char in text:
        if char in "?&=" and word:
            parts += [word, h("wbr", {})]
            word = ""
        word += char
        if char in "@/.":
            parts += [word, h("wbr", {})]
            word = ""
    return [*parts, word] if word else parts[:-1]


__all__ = ["breakable", "mail_href", "safe_href"]
