"""An async client for the PlaceOS REST API: Bearer auth, PlaceOS paging, typed errors, retries with backoff.

A 401 is not a dead end: it raises AuthRequired after telling the session, and the app signs in again and runs
the request again from the place it saved. Network failures and 5xx are retried with exponential backoff.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.api.early_answers import record
from app.auth.session import Token
from app.core.config import ClientConfig
from app.core.errors import (
    ApiError,
    AuthRequired,
    Forbidden,
    NetworkError,
    NotFound,
    NotSignedIn,
    ServerError,
    UnexpectedAnswer,
)
from app.core.ports import Clock, HttpRequest, HttpResponse, Sleep, Transport
from app.core.redact import log
from app.core.urls import ascii_int, quote, urlencode
from app.core.urls import split as urlsplit

LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
UNREADABLE = "PlaceOS sent a response the app cannot read."


def _count(value: object) -> int | None:
    """A count from a header or a body (X-Total-Count, legacy `total`): whole, ASCII, not absurdly long."""
    return ascii_int(str(value) if isinstance(value, int) and not isinstance(value, bool) else value, 12)


def _decode(response: HttpResponse) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):  # not JSON, an integer past the digit limit, nested too deep
        raise UnexpectedAnswer(UNREADABLE, response.status, response.headers.get("x-request-id")) from None


def _records(value: Any, response: HttpResponse, what: str) -> list[dict[str, Any]]:
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


class PlaceOSClient:
    def __init__(
        self,
        config: ClientConfig,
        transport: Transport,
        token: Callable[[], Token | None],
        *,
        clock: Clock,
        sleep: Sleep,
        token_in_query: bool = False,
        attempts: int = 4,
        backoff_s: float = 0.5,
    ) -> None:
        self._config = config
        self._transport = transport
        self._token = token
        self._clock = clock
        self._sleep = sleep
        # RFC 6750 §2.3 allows the query form, RFC 9700 §4.3.2 forbids it where a header works: off by default.
        self.token_in_query = token_in_query
        self._attempts = attempts
        self._backoff_s = backoff_s
        self.last_error: ApiError | None = None

    def _url(self, path_or_url: str, params: Mapping[str, Any] | None) -> str:
        if path_or_url.startswith("/api/"):
            url = self._config.placeos_base + path_or_url
        elif path_or_url.startswith(("http://", "https://")):
            # Only PlaceOS itself gets the token: a Link header naming another host is not followed there.
            if not path_or_url.startswith(self._config.placeos_base + "/"):
                raise UnexpectedAnswer("PlaceOS pointed the app to another site; the app did not follow.")
            url = path_or_url
        else:
            url = self._config.api_base + path_or_url
        if params:
            clean = {k: str(v) for k, v in params.items() if v is not None and v != ""}
            if clean:
                url += ("&" if "?" in url else "?") + urlencode(clean)
        return url

    async def request(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> HttpResponse:
        url = self._url(path, params)
        for attempt in range(self._attempts):
            token = self._token()
            if token is None:
                raise NotSignedIn("Not signed in: sign in to PlaceOS first, then try again.", 401)
            if token.remaining(self._clock()) <= 0:
                raise AuthRequired("Your session has ended. Sign in again to continue.", 401, expired=True)
            headers = {"Accept": "application/json"}
            target = url
            if self.token_in_query:
                target += ("&" if "?" in url else "?") + urlencode({"bearer_token": token.access_token.reveal()})
            else:
                headers["Authorization"] = f"Bearer {token.access_token.reveal()}"
                if method == "GET":
                    record(url)  # for the loader to ask again early on this tab's next load (app.api.early_answers)
            last = attempt == self._attempts - 1
            try:
                response = await self._transport.send(HttpRequest(method, target, headers))
            except OSError:
                log.warning(
                    "%s %s: no response (attempt %d of %d)", method, urlsplit(url).path, attempt + 1, self._attempts
                )
                if last:
                    self.last_error = NetworkError(
                        "PlaceOS cannot be reached. Check your connection; the app will keep what is on screen."
                    )
                    raise self.last_error from None
                await self._sleep(self._backoff_s * 2**attempt)
                continue
            request_id = response.headers.get("x-request-id")
            if response.status >= 500 and not last:
                log.warning("%s %s: %d, retrying", method, urlsplit(url).path, response.status)
                await self._sleep(self._retry_after(response) or self._backoff_s * 2**attempt)
                continue
            if response.status >= 400:
                self.last_error = self._error(response, request_id)  # for the auth doctor's report
                raise self.last_error
            return response
        raise AssertionError("unreachable")

    @staticmethod
    def _retry_after(response: HttpResponse) -> float | None:
        value = response.headers.get("retry-after", "")
        seconds = ascii_int(value, 6)
        return min(float(seconds), 30.0) if seconds is not None else None

    def _error(self, response: HttpResponse, request_id: str | None) -> ApiError:
        try:
            body = _decode(response) if response.body else {}
        except UnexpectedAnswer:
            body = {}
        detail = body["error"] if isinstance(body, dict) and isinstance(body.get("error"), str) else ""
        status = response.status
        if status == 401:
            log.info("API answered 401 (%s)", detail or "no detail")
            if "expired" in detail.lower():  # PlaceOS: "Signature is expired"
                return AuthRequired(
                    "Your session has ended. Sign in again to continue.", status, request_id, expired=True
                )
            return AuthRequired(
                "PlaceOS no longer accepts this sign-in. Sign in again to continue.", status, request_id
            )
        if status == 403:
            return Forbidden("Your account is not allowed to see this.", status, request_id)
        if status == 404:
            return NotFound("Not found: it may have been removed or renamed.", status, request_id)
        if status >= 500:
            return ServerError(
                f"PlaceOS had a problem answering (HTTP {status}). Try again in a moment.", status, request_id
            )
        return ApiError(
            f"PlaceOS refused the request (HTTP {status}{': ' + detail if detail else ''}).", status, request_id
        )

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return _decode(await self.request("GET", path, params))

    async def get_object(self, path: str, what: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = await self.request("GET", path, params)
        value = _decode(response)
        if not isinstance(value, dict):
            raise UnexpectedAnswer(
                f"PlaceOS answered with something other than {what}; the app cannot show it.",
                response.status,
                response.headers.get("x-request-id"),
            )
        return value

    def _page(self, response: HttpResponse, offset: int, limit: int, what: str = "systems") -> Page:
        """A page of records from either shape PlaceOS has used: a bare array with X-Total-Count, or the older
        {total, results}. Anything else is an UnexpectedAnswer, never a crash."""
        body = _decode(response)
        if isinstance(body, dict):
            items = _records(body.get("results", []), response, what)
            total = _count(body.get("total"))
        else:
            items = _records(body, response, what)
            total = _count(response.headers.get("x-total-count"))
        if total is None:
            log.warning("PlaceOS sent no usable total; counting what arrived")
            total = offset + len(items)
        match = LINK_NEXT.search(response.headers.get("link", ""))
        return Page(items, max(total, offset + len(items)), offset, limit, match.group(1) if match else None)

    async def systems(self, q: str = "", offset: int = 0, limit: int = 20, **filters: Any) -> Page:
        response = await self.request("GET", "/systems", {"q": q, "offset": offset, "limit": limit, **filters})
        return self._page(response, offset, limit)

    async def all_systems(self, q: str = "", limit: int = 100, **filters: Any) -> AsyncIterator[dict[str, Any]]:
        """Every matching system, following the Link headers page by page: `async for system in …`."""
        page = await self.systems(q, 0, limit, **filters)
        seen = len(page.items)
        followed: set[str] = set()
        while True:
            for item in page.items:
                yield item
            # A Link back to a page already read (a loop, from a broken or hostile server) ends the walk.
            if not page.next_url or not page.items or page.next_url in followed:
                return
            followed.add(page.next_url)
            page = self._page(await self.request("GET", page.next_url), seen, limit)
            seen += len(page.items)

    async def system(self, system_id: str, complete: bool = False) -> dict[str, Any]:
        """One system, by id or email; `complete` adds its zones' and modules' records (zone_data, module_data)."""
        params = {"complete": "true"} if complete else None
        return await self.get_object(f"/systems/{quote(system_id, safe='@.')}", "a system", params)

    async def signage_seen(self, system_id: str) -> None:
        """A display's heartbeat: PlaceOS stamps `signage_last_seen` on its system (only with preview=false; the
        default preview records nothing). Any signed-in user may send it."""
        await self.request("GET", f"/signage/{quote(system_id, safe='@.')}", {"preview": "false"})

    async def zones(self, tags: str = "", parent_id: str = "", offset: int = 0, limit: int = 100) -> Page:
        """Zones (an organisation's buildings, levels, areas) by tag and parent, as the filters offer them."""
        params = {k: v for k, v in (("tags", tags), ("parent_id", parent_id)) if v}
        response = await self.request("GET", "/zones", {**params, "offset": offset, "limit": limit})
        return self._page(response, offset, limit, "zones")

    async def zone(self, zone_id: str) -> dict[str, Any]:
        """One zone (a building, a level, an area) by id."""
        return await self.get_object(f"/zones/{quote(zone_id, safe='@.')}", "a zone")

    async def current_user(self) -> dict[str, Any]:
        return await self.get_object("/users/current", "a user")


__all__ = ["Page", "PlaceOSClient"]
