"""PlaceOS's answers, read strictly: JSON, an error's own words, and paging (an index answers a bare array with
X-Total-Count, or on older versions {total, results}, and a Link header naming the next page while more remain).
Anything else is an UnexpectedAnswer, never a crash."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from app.core.errors import UnexpectedAnswer
from app.core.ports import HttpResponse
from app.core.redact import log
from app.core.urls import ascii_int

LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
UNREADABLE = "PlaceOS sent a response the app cannot read."


def count(value: object) -> int | None:
    """A count from a header or a body (X-Total-Count, legacy `total`): whole, ASCII, not absurdly long."""
    return ascii_int(str(value) if isinstance(value, int) and not isinstance(value, bool) else value, 12)


def decode(response: HttpResponse) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):  # not JSON, an integer past the digit limit, nested too deep
        raise UnexpectedAnswer(UNREADABLE, response.status, response.headers.get("x-request-id")) from None


def records(value: Any, response: HttpResponse, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise UnexpectedAnswer(
            f"PlaceOS answered with something other than a list of {what}; the app cannot show it.",
            response.status,
            response.headers.get("x-request-id"),
        )
    return value


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    next_url: str | None  # from the Link header: present only when more remain


def page_of(response: HttpResponse, offset: int, limit: int, what: str = "systems") -> Page:
    """A page of records from either shape PlaceOS has used: a bare array with X-Total-Count, or the older
    {total, results}. Anything else is an UnexpectedAnswer, never a crash."""
    body = decode(response)
    if isinstance(body, dict):
        items = records(body.get("results", []), response, what)
        total = count(body.get("total"))
    else:
        items = records(body, response, what)
        total = count(response.headers.get("x-total-count"))
    if total is None:
        log.warning("PlaceOS sent no usable total; counting what arrived")
        total = offset + len(items)
    match = LINK_NEXT.search(response.headers.get("link", ""))
    return Page(items, max(total, offset + len(items)), offset, limit, match.group(1) if match else None)


def placeos_says(response: HttpResponse) -> str:
    """PlaceOS's own words in an error's body ({"error": …} or {"message": …}), short; "" where it sent none."""
    try:
        body = decode(response) if response.body else {}
    except UnexpectedAnswer:
        return ""
    said = next((body[k] for k in ("error", "message") if isinstance(body, dict) and isinstance(body.get(k), str)), "")
    return said[:200]


def json_or_none(response: HttpResponse) -> Any:
    """An answer's JSON; None for an empty one (PlaceOS's 202 and 204)."""
    return decode(response) if response.body.strip() else None


__all__ = ["LINK_NEXT", "UNREADABLE", "Page", "count", "decode", "json_or_none", "page_of", "placeos_says", "records"]
