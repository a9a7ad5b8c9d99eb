"""An async client for the PlaceOS REST API: Bearer auth, every verb, PlaceOS paging, typed errors that say what
was asked, retries with backoff (never of a POST or PATCH that may have arrived). A 401 raises AuthRequired: the
app signs in again and runs the request again from the place it saved."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from app.api.answers import Page, decode, json_or_none, page_of, placeos_says
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

IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")  # RFC 9110 §9.2.2: safe to send again
NO_BODY: Any = object()  # no body at all (None is JSON's null, which a developer may mean to send)


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

    async def request(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, body: Any = NO_BODY
    ) -> HttpResponse:
        """`method` on `path` (under the API, or a whole PlaceOS URL a Link header named), `body` sent as JSON.
        Errors are typed and name what was asked (ApiError.technical)."""
        url = self._url(path, params)
        try:
            return await self._send(method, url, None if body is NO_BODY else json.dumps(body))
        except ApiError as error:
            error.method, error.path = method, urlsplit(url).path
            raise

    async def _send(self, method: str, url: str, payload: str | None) -> HttpResponse:
        # A POST or PATCH that may have reached PlaceOS is not sent twice (a second booking); the others are safe.
        attempts = self._attempts if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            token = self._token()
            if token is None:
                raise NotSignedIn("Not signed in: sign in to PlaceOS first, then try again.", 401)
            if token.remaining(self._clock()) <= 0:
                raise AuthRequired("Your session has ended. Sign in again to continue.", 401, expired=True)
            headers = {"Accept": "application/json"}
            if payload is not None:
                headers["Content-Type"] = "application/json"
            target = url
            if self.token_in_query:
                target += ("&" if "?" in url else "?") + urlencode({"bearer_token": token.access_token.reveal()})
            else:
                headers["Authorization"] = f"Bearer {token.access_token.reveal()}"
                if method == "GET":
                    record(url)  # for the loader to ask again early on this tab's next load (app.api.early_answers)
            last = attempt == attempts - 1
            try:
                response = await self._transport.send(HttpRequest(method, target, headers, payload))
            except OSError:
                log.warning("%s %s: no response (attempt %d of %d)", method, urlsplit(url).path, attempt + 1, attempts)
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

    # -- every verb, for a developer's console and pages: the answer's JSON, or None for an empty one -----------
    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET `path` (under /api/engine/v2 unless it starts with /api/): its JSON."""
        return json_or_none(await self.request("GET", path, params))

    async def post(self, path: str, params: Mapping[str, Any] | None = None, json: Any = NO_BODY) -> Any:
        """POST `json` to `path`: its answer's JSON. Never sent twice, even when no answer came."""
        return json_or_none(await self.request("POST", path, params, json))

    async def put(self, path: str, params: Mapping[str, Any] | None = None, json: Any = NO_BODY) -> Any:
        """PUT `json` at `path` (a whole record): its answer's JSON."""
        return json_or_none(await self.request("PUT", path, params, json))

    async def patch(self, path: str, params: Mapping[str, Any] | None = None, json: Any = NO_BODY) -> Any:
        """PATCH `path` with `json` (the fields to change): its answer's JSON. Never sent twice."""
        return json_or_none(await self.request("PATCH", path, params, json))

    async def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE `path`: its answer's JSON, or None (PlaceOS mostly answers 202 with no body)."""
        return json_or_none(await self.request("DELETE", path, params))

    async def pages(
        self, path: str, params: Mapping[str, Any] | None = None, limit: int = 100, what: str = "records"
    ) -> AsyncIterator[dict[str, Any]]:
        """Every record of a paged index, following PlaceOS's Link headers: `async for zone in api.pages("/zones")`."""
        page = page_of(await self.request("GET", path, {**(params or {}), "limit": limit}), 0, limit, what)
        seen = len(page.items)
        followed: set[str] = set()
        while True:
            for item in page.items:
                yield item
            # A Link back to a page already read (a loop, from a broken or hostile server) ends the walk.
            if not page.next_url or not page.items or page.next_url in followed:
                return
            followed.add(page.next_url)
            page = page_of(await self.request("GET", page.next_url), seen, limit, what)
            seen += len(page.items)

    @staticmethod
    def _retry_after(response: HttpResponse) -> float | None:
        value = response.headers.get("retry-after", "")
        seconds = ascii_int(value, 6)
        return min(float(seconds), 30.0) if seconds is not None else None

    def _error(self, response: HttpResponse, request_id: str | None) -> ApiError:
        detail = placeos_says(response)  # the body read once, for the typed error and for a developer's message
        error = self._typed_error(response.status, detail, request_id)
        error.detail = detail
        return error

    @staticmethod
    def _typed_error(status: int, detail: str, request_id: str | None) -> ApiError:
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
        return decode(await self.request("GET", path, params))

    async def get_object(self, path: str, what: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = await self.request("GET", path, params)
        value = decode(response)
        if not isinstance(value, dict):
            raise UnexpectedAnswer(
                f"PlaceOS answered with something other than {what}; the app cannot show it.",
                response.status,
                response.headers.get("x-request-id"),
            )
        return value

    async def page(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        offset: int = 0,
        limit: int = 20,
        what: str = "records",
    ) -> Page:
        """One page of a PlaceOS index (`offset` and `limit` go in `params` as the index takes them)."""
        return page_of(await self.request("GET", path, params), offset, limit, what)

    async def systems(self, q: str = "", offset: int = 0, limit: int = 20, **filters: Any) -> Page:
        params = {"q": q, "offset": offset, "limit": limit, **filters}
        return await self.page("/systems", params, offset, limit, "systems")

    async def all_systems(self, q: str = "", limit: int = 100, **filters: Any) -> AsyncIterator[dict[str, Any]]:
        """Every matching system, following the Link headers page by page: `async for system in …`."""
        async for system in self.pages("/systems", {"q": q, **filters}, limit, "systems"):
            yield system

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
        params = {"tags": tags, "parent_id": parent_id, "offset": offset, "limit": limit}
        return await self.page("/zones", params, offset, limit, "zones")

    async def zone(self, zone_id: str) -> dict[str, Any]:
        """One zone (a building, a level, an area) by id."""
        return await self.get_object(f"/zones/{quote(zone_id, safe='@.')}", "a zone")

    async def current_user(self) -> dict[str, Any]:
        return await self.get_object("/users/current", "a user")


__all__ = ["Page", "PlaceOSClient"]
