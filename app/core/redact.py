"""Secrets never reach a log, the console or an error message in the clear: only a short fingerprint does."""

from __future__ import annotations

import hashlib
import logging
from collections import deque


def fingerprint(secret: str) -> str:
    """`#` and 8 hex digits of SHA-256: enough to tell two tokens apart in a log, useless to an attacker."""
    return "#" + hashlib.sha256(secret.encode()).hexdigest()[:8]


class Secret:
    """A string that prints as its fingerprint. `.reveal()` is the one way to the value: grep for it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({fingerprint(self._value)})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class RedactingFilter(logging.Filter):
    """Belt and braces: replaces any registered secret that still slipped into a record with its fingerprint."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def register(self, secret: str) -> None:
        if len(secret) >= 8:
            self._secrets.add(secret)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, fingerprint(secret))
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(record.getMessage())
        record.args = None
        return True


class DebugLog(logging.Handler):
    """The last few hundred log lines in memory: attach it (with REDACTOR) to read the log back, as tests do."""

    def __init__(self, capacity: int = 300) -> None:
        super().__init__(logging.DEBUG)
        self.lines: deque[str] = deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname.lower()} {record.name}: {record.getMessage()}")


REDACTOR = RedactingFilter()
log = logging.getLogger("placeos")
log.addFilter(REDACTOR)


__all__ = ["REDACTOR", "DebugLog", "RedactingFilter", "Secret", "fingerprint", "log"]
