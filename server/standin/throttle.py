"""Login throttling: failed sign-ins per account and per client address, answered with growing delays.

After a few free failures each further one doubles the wait (1 s, 2 s, 4 s … at most 15 minutes); while a key
waits, sign-ins for it are answered 429 with Retry-After, without checking the password at all, so guessing
stays slow whatever the attacker's bandwidth. An address gets more free failures than an account, because many
people may share one address (an office behind NAT).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

MAX_DELAY_S = 15 * 60
FORGET_AFTER_S = 24 * 3600  # a key with no failure for this long starts afresh
FREE = {"account": 5, "address": 20}


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._failures: dict[tuple[str, str], _Failures] = {}

    @staticmethod
    def keys(account: str, address: str) -> list[tuple[str, str]]:
        return [("account", account.strip().lower()), ("address", address)]

    def _delay(self, kind: str, count: int) -> float:
        over = count - FREE[kind]
        return 0.0 if over < 0 else float(min(MAX_DELAY_S, 2**over))

    def retry_after(self, keys: list[tuple[str, str]]) -> int:
        """Whole seconds until a sign-in for these keys is heard again; 0 when it may go ahead now."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            failures = self._failures.get(key)
            if failures is not None:
                wait = max(wait, failures.last + self._delay(key[0], failures.count) - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, keys: list[tuple[str, str]]) -> None:
        now = self._clock()
        for key in keys:
            failures = self._failures.setdefault(key, _Failures(0, now))
            failures.count += 1
            failures.last = now

    def succeeded(self, account: str) -> None:
        # Only the account starts afresh: one good password must not clear an address that guesses at others.
        self._failures.pop(("account", account.strip().lower()), None)

    def purge(self) -> None:
        now = self._clock()
        for key in [k for k, f in self._failures.items() if now - f.last > max(FORGET_AFTER_S, MAX_DELAY_S)]:
            del self._failures[key]

    def __len__(self) -> int:
        return len(self._failures)
