"""An async client for the PlaceOS REST API: Bearer auth, PlaceOS paging, typed errors, retries with backoff.

A 401 is not a dead end: it raises AuthRequired after telling the session, and the app signs in again and runs
the request again from the place it saved. Network failures and 5xx are retried with exponential backoff.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .config import ClientConfig
from .errors import ApiError, AuthRequired, Forbidden, NetworkError, NotFound, ServerError
from .ports import Clock, HttpRequest, HttpResponse, Transport
from .redact import log
from .session import Token
from .urls import parse_qsl, quote, urlencode
from .urls import split as urlsplit

LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    next_url: str | None  # from the Link header: present only when more remain

    @property
    def next_offset(self) -> int | None:
        if not self.next_url:
            return None
        value = dict(parse_qsl(urlsplit(self.next_url).query)).get("offset")
        return int(value) if value and value.isdigit() else None


class PlaceOSClient:
    def __init__(
        self,
        config: ClientConfig,
        transport: Transport,
        token: Callable[[], Token | None],
        *,
        clock: Clock,
        sleep: Sleep,
        on_unauthorized: Callable[[], None] = lambda: None,
        token_in_query: bool = False,
        attempts: int = 4,
        backoff_s: float = 0.5,
    ) -> None:
        self._config = config
        self._transport = transport
        self._token = token
        self._clock = clock
        self._sleep = sleep
        self._on_unauthorized = on_unauthorized
        # RFC 6750 §2.3 allows the query form, RFC 9700 §4.3.2 forbids it where a header works: off by default.
        self.token_in_query = token_in_query
        self._attempts = attempts
        self._backoff_s = backoff_s

    def _url(self, path_or_url: str, params: Mapping[str, Any] | None) -> str:
        if path_or_url.startswith("/api/"):
            url = self._config.placeos_base + path_or_url
        elif path_or_url.startswith(("http://", "https://")):
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
            if token is None or token.remaining(self._clock()) <= 0:
                self._on_unauthorized()
                raise AuthRequired("Your session has ended. Sign in again to continue.", 401)
            headers = {"Accept": "application/json"}
            target = url
            if self.token_in_query:
                target += ("&" if "?" in url else "?") + urlencode({"bearer_token": token.access_token.reveal()})
            else:
                headers["Authorization"] = f"Bearer {token.access_token.reveal()}"
            last = attempt == self._attempts - 1
            try:
                response = await self._transport.send(HttpRequest(method, target, headers))
            except OSError:
                log.warning(
                    "%s %s: no response (attempt %d of %d)", method, urlsplit(url).path, attempt + 1, self._attempts
                )
                if last:
                    raise NetworkError(
                        "PlaceOS cannot be reached. Check your connection; the app will keep what is on screen."
                    ) from None
                await self._sleep(self._backoff_s * 2**attempt)
                continue
            request_id = response.headers.get("x-request-id")
            if response.status >= 500 and not last:
                log.warning("%s %s: %d, retrying", method, urlsplit(url).path, response.status)
                await self._sleep(self._retry_after(response) or self._backoff_s * 2**attempt)
                continue
            if response.status >= 400:
                raise self._error(response, request_id)
            return response
        raise AssertionError("unreachable")

    @staticmethod
    def _retry_after(response: HttpResponse) -> float | None:
        value = response.headers.get("retry-after", "")
        return min(float(value), 30.0) if value.isdigit() else None

    def _error(self, response: HttpResponse, request_id: str | None) -> ApiError:
        detail = ""
        try:
            body = json.loads(response.body) if response.body else {}
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                detail = body["error"]
        except ValueError:
            pass
        status = response.status
        if status == 401:
            self._on_unauthorized()
            log.info("API answered 401 (%s)", detail or "no detail")
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
        response = await self.request("GET", path, params)
        try:
            return json.loads(response.body)
        except ValueError:
            raise ApiError("PlaceOS sent a response the app cannot read.", response.status) from None

    async def systems(self, q: str = "", offset: int = 0, limit: int = 20, **filters: Any) -> Page:
        response = await self.request("GET", "/systems", {"q": q, "offset": offset, "limit": limit, **filters})
        items = json.loads(response.body)
        if isinstance(items, dict):  # older PlaceOS wraps results as {total, results}
            total, items = int(items.get("total", 0)), items.get("results", [])
        else:
            total = int(response.headers.get("x-total-count", len(items)))
        match = LINK_NEXT.search(response.headers.get("link", ""))
        return Page(items, total, offset, limit, match.group(1) if match else None)

    async def all_systems(self, q: str = "", limit: int = 100, **filters: Any) -> AsyncIterator[dict[str, Any]]:
        """Every matching system, following the Link headers page by page."""
        page = await self.systems(q, 0, limit, **filters)
        while True:
            for item in page.items:
                yield item
            if not page.next_url:
                return
            response = await self.request("GET", page.next_url)
            match = LINK_NEXT.search(response.headers.get("link", ""))
            page = Page(json.loads(response.body), page.total, 0, limit, match.group(1) if match else None)

    async def system(self, system_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.get_json(f"/systems/{quote(system_id, safe='@.')}")
        return result

    async def current_user(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.get_json("/users/current")
        return result
