"""Pending sign-ins, each under its own state value (RFC 6749 §10.12), and the sign-in loop breaker.

Several may be pending at once (two tabs, a double click); each is used once; abandoned ones expire and are
purged. The return place travels in storage, never in the URL, and only as a same-origin path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.core.errors import ExpiredState, NoState, SignInLoop, UnknownState
from app.core.ports import Clock, NewState, Storage
from app.core.redact import fingerprint, log

PREFIX = "placeos.state."
LOOP_KEY = "placeos.redirects"


def safe_return_path(value: str) -> str:
    """Only a path on this origin: the client must not become an open redirector (RFC 6749 §10.15)."""
    if not value.startswith("/") or value.startswith("//") or any(c in value for c in "\\\r\n\t"):
        return "/"
    return value


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    created: float
    return_to: str
    client_id: str
    verifier: str | None = None  # PKCE (code flow only); kept with its state, in this tab only


class PendingStates:
    def __init__(self, storage: Storage, clock: Clock, new_state: NewState, ttl_s: int) -> None:
        self._storage = storage
        self._clock = clock
        self._new_state = new_state
        self._ttl_s = ttl_s

    def create(self, return_to: str, client_id: str, verifier: str | None = None) -> str:
        self.purge()
        state = self._new_state()
        record = {"created": self._clock(), "return_to": safe_return_path(return_to), "client_id": client_id}
        if verifier:
            record["verifier"] = verifier
        self._storage.set(PREFIX + state, json.dumps(record))
        log.info("sign-in started, state %s", fingerprint(state))
        return state

    def consume(self, state: str | None, client_id: str) -> PendingSignIn:
        """The pending sign-in `state` names, removed so it can never be used again; or a typed refusal."""
        if not state:
            raise NoState(
                "The sign-in response has no state, so it cannot be matched to a sign-in started here "
                "(an old link or a bookmark)."
            )
        raw = self._storage.get(PREFIX + state)
        self._storage.remove(PREFIX + state)
        if raw is None:
            log.warning("sign-in response with unknown state %s refused", fingerprint(state))
            raise UnknownState(
                "This sign-in response does not belong to a sign-in started in this tab, or it was "
                "already used. It was ignored to keep your account safe."
            )
        record = json.loads(raw)
        if record.get("client_id") != client_id:
            raise UnknownState("This sign-in response was meant for a different app configuration; it was ignored.")
        if self._clock() - record["created"] > self._ttl_s:
            raise ExpiredState("The sign-in took too long and expired.")
        return PendingSignIn(
            state, record["created"], safe_return_path(record.get("return_to", "/")), client_id, record.get("verifier")
        )

    def purge(self) -> None:
        now = self._clock()
        for key in self._storage.keys():
            if not key.startswith(PREFIX):
                continue
            try:
                created = float(json.loads(self._storage.get(key) or "{}")["created"])
            except (ValueError, KeyError, TypeError):
                created = 0.0
            # sessionStorage is per tab, so only this tab's own newer sign-in purges: a response that comes back
            # late to an otherwise idle tab still finds its entry and is reported as expired, not unknown.
            if now - created > self._ttl_s:
                self._storage.remove(key)


class LoopBreaker:
    """Refuses a sign-in redirect when `limit` already happened within `window_s`: no endless bounce."""

    def __init__(self, storage: Storage, clock: Clock, limit: int, window_s: int) -> None:
        self._storage = storage
        self._clock = clock
        self._limit = limit
        self._window_s = window_s

    def _recent(self) -> list[float]:
        try:
            stamps = [float(t) for t in json.loads(self._storage.get(LOOP_KEY) or "[]")]
        except (ValueError, TypeError):
            stamps = []
        now = self._clock()
        return [t for t in stamps if 0 <= now - t <= self._window_s]

    def record(self) -> None:
        recent = self._recent()
        if len(recent) >= self._limit:
            raise SignInLoop(
                f"Sign-in was attempted {len(recent)} times in {self._window_s // 60 or 1} minutes without "
                "success, so the app stopped redirecting. The sign-in service may be refusing this app, or this "
                "browser may be blocking storage. Check the message above, then try again."
            )
        self._storage.set(LOOP_KEY, json.dumps([*recent, self._clock()]))

    def reset(self) -> None:
        self._storage.remove(LOOP_KEY)


__all__ = ["LOOP_KEY", "PREFIX", "LoopBreaker", "PendingSignIn", "PendingStates", "safe_return_path"]
