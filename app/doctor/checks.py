"""What PlaceOS says, for the auth doctor (app.doctor): the authority, the authorize endpoint (does it know this
client_id and redirect URI?), CORS for a PlaceOS on another origin, the clock, the websocket. One request per check,
over the app's own transport; none of them carries the session cookie or makes a token."""

from __future__ import annotations

import json
from typing import Any

from app.api.realtime import OpenWith
from app.auth.preflight import (
    ACCEPTED,
    BAD_REDIRECT,
    NO_IMPLICIT,
    PROBE_STATE,
    UNANSWERED,
    UNKNOWN_CLIENT,
    ask,
    in_words,
)
from app.core.config import ClientConfig, derive_client_id
from app.core.ports import Clock, HttpRequest, Transport
from app.core.urls import urlencode
from app.doctor.findings import INFO, OK, PROBLEM, Finding, origin

SKEW_LIMIT_S = 60


class Checks:
    """What PlaceOS says, one request per check."""

    def __init__(self, config: ClientConfig, transport: Transport, clock: Clock, connect: OpenWith | None) -> None:
        self._config = config
        self._transport = transport
        self._clock = clock
        self._connect = connect
        self.cross_origin = origin(config.redirect_uri) != config.placeos_base

    async def authority(self) -> list[Finding]:
        url = self._config.placeos_base + "/auth/authority"
        try:
            response = await self._transport.send(HttpRequest("GET", url, {"Accept": "application/json"}))
        except OSError:
            return [Finding("PlaceOS says", "/auth/authority", "no answer", PROBLEM, self._unreachable())]
        try:
            body = json.loads(response.body) if response.status == 200 else None
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            return [
                Finding(
                    "PlaceOS says",
                    "/auth/authority",
                    f"HTTP {response.status}, not PlaceOS's authority",
                    PROBLEM,
                    "Check --placeos-base: it must be the PlaceOS domain the app signs in to (an unknown domain "
                    "answers 404).",
                )
            ]
        name, version = str(body.get("name") or "?")[:100], str(body.get("version") or "?")[:40]
        return [Finding("PlaceOS says", "/auth/authority", f"{name}, {version}", OK)]

    def _unreachable(self) -> str:
        if self.cross_origin:
            return (
                f"PlaceOS at {self._config.placeos_base} cannot be reached from this page, or sends no CORS headers "
                f"for {origin(self._config.redirect_uri)}. Serve the app from PlaceOS's own domain, or run "
                "serve.py --placeos <PlaceOS URL> to proxy it."
            )
        return "PlaceOS cannot be reached: check the network, and that PlaceOS (or serve.py) is running."

    def _skew(self, headers: Any, asked_at: float) -> Finding:
        from email.utils import parsedate_to_datetime  # the doctor's, not the start-up path's

        date = headers.get("date")
        if not date:
            return Finding("PlaceOS says", "clock", "PlaceOS's Date header is not visible to this page", INFO)
        try:
            # PlaceOS stamped its Date (whole seconds, rounded down) while the request was out: read against the
            # middle of the round trip, not whenever this page got round to reading the answer.
            skew = parsedate_to_datetime(date).timestamp() + 0.5 - asked_at
        except (TypeError, ValueError, OverflowError):
            return Finding("PlaceOS says", "clock", f"unreadable Date header {date[:60]!r}", INFO)
        if abs(skew) <= SKEW_LIMIT_S:
            return Finding("PlaceOS says", "clock", f"within {abs(round(skew))} s of PlaceOS's", OK)
        which = "behind" if skew > 0 else "ahead of"
        return Finding(
            "PlaceOS says",
            "clock",
            f"this computer's clock is {abs(round(skew))} s {which} PlaceOS's",
            PROBLEM,
            "Set this computer's (or PlaceOS's) clock automatically (NTP). The app counts a token's life from its "
            "arrival, but PlaceOS checks the token's times against its own clock.",
        )

    async def authorize(self) -> Finding:
        """Does the authorize endpoint accept this client_id and redirect URI? (app.auth.preflight)"""
        label = "authorize endpoint"
        found, status = await ask(self._config, self._transport)
        if found == UNANSWERED:
            return Finding("PlaceOS says", label, "could not be asked from this page (no CORS there)", INFO)
        if found == ACCEPTED:  # PlaceOS asked for a login; introspection, where it answered, vouched for the client
            return self._client_known(label)
        said = {
            UNKNOWN_CLIENT: f"does not know client_id {self._config.client_id}",
            BAD_REDIRECT: f"refuses the redirect URI {self._config.redirect_uri}",
            NO_IMPLICIT: "does not offer the implicit flow",
        }.get(found, f"refused the request (HTTP {status})")
        return Finding("PlaceOS says", label, said, PROBLEM, in_words(found, self._config, status)[1])

    def _client_known(self, label: str) -> Finding:
        """PlaceOS checks a redirect URI only once someone has signed in; the client_id is its MD5, unless it was
        set by hand."""
        config = self._config
        derived = derive_client_id(config.redirect_uri)
        if config.client_id == derived:
            return Finding("PlaceOS says", label, "knows this client_id, the MD5 of this redirect URI", OK)
        return Finding(
            "PlaceOS says",
            label,
            f"knows client_id {config.client_id}, which is not the MD5 of the redirect URI {config.redirect_uri}",
            PROBLEM,
            f"PlaceOS will refuse {config.redirect_uri} after the sign-in unless that app lists it too. Register it "
            f"in Backoffice (as its own app, client_id {derived}), or set --redirect-uri to the app's.",
        )

    async def api(self) -> list[Finding]:
        """The API, asked without a token (it answers 401): reachable, CORS for a PlaceOS elsewhere, and its clock
        from the Date header."""
        request = HttpRequest("GET", self._config.api_base + "/users/current", credentials="omit")
        sent = self._clock()
        try:
            response = await self._transport.send(request)
        except OSError:
            if not self.cross_origin:
                return [Finding("PlaceOS says", "API", "no answer", PROBLEM, self._unreachable())]
            return [self._no_cors("API", needed=True)]
        found = [Finding("PlaceOS says", "CORS on the API", "allowed for this origin", OK)] if self.cross_origin else []
        return [*found, self._skew(response.headers, (sent + self._clock()) / 2)]

    async def token_endpoint(self) -> list[Finding]:
        if not self.cross_origin:
            return [Finding("PlaceOS says", "CORS", "not needed: PlaceOS is on the app's own origin", OK)]
        try:
            await self._transport.send(self._token_probe())
        except OSError:
            return [self._no_cors("token endpoint", needed=self._config.flow == "code")]
        return [Finding("PlaceOS says", "CORS on the token endpoint", "allowed for this origin", OK)]

    def _no_cors(self, name: str, needed: bool) -> Finding:
        return Finding(
            "PlaceOS says",
            f"CORS on the {name}",
            f"no CORS headers for {origin(self._config.redirect_uri)}",
            PROBLEM if needed else INFO,
            "Real PlaceOS sends none: serve the app from PlaceOS's own domain (see Deploy in the README), or proxy "
            "it with serve.py --placeos <PlaceOS URL>."
            if needed
            else "",
        )

    def _token_probe(self) -> HttpRequest:
        body = urlencode({"grant_type": "refresh_token", "refresh_token": "auth-doctor-check"})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return HttpRequest("POST", self._config.token_url, headers, body, credentials="omit")

    async def socket(self, token: str | None) -> Finding:
        if not self._config.placeos_on_page_origin:
            return Finding(
                "PlaceOS says",
                "websocket",
                "not used: PlaceOS is on another origin, so live state is read over HTTP",
                INFO,
                "Only a cookie keeps the token out of a websocket's URL, and a page cannot set one for another "
                "origin: serve the app from PlaceOS's origin for live state without the wait.",
            )
        if token is None or self._connect is None:
            return Finding("PlaceOS says", "websocket", "not checked: no token to open it with", INFO)
        # The browser prints a refused websocket's URL, token included, to the console: ask over HTTP first, where
        # the token travels in a header, and open the socket only with a token PlaceOS takes.
        asked = HttpRequest("GET", self._config.api_base + "/users/current", {"Authorization": f"Bearer {token}"})
        try:
            status = (await self._transport.send(asked)).status
        except OSError:
            status = 0
        if status != 200:
            said = f"HTTP {status}" if status else "no answer"
            return Finding("PlaceOS says", "websocket", f"not checked: the API refuses this token ({said})", INFO)
        try:
            socket = await self._connect(token)
        except OSError:
            return Finding(
                "PlaceOS says",
                "websocket",
                "refused this token, or cannot be reached",
                PROBLEM,
                "Live state needs /api/engine/v2/systems/control: check that a proxy in front of PlaceOS forwards "
                "websocket upgrades.",
            )
        await socket.close()
        return Finding("PlaceOS says", "websocket", "accepts the token", OK)


__all__ = ["PROBE_STATE", "SKEW_LIMIT_S", "Checks"]
