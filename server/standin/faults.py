"""Failure switches: what serve.py's flags set at start, and what POST /_dev/faults changes while it runs."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any

from ..settings import Faults


class FaultError(ValueError):
    pass


# Each switch's range: values outside it are refused with a 400 naming the field and its limit, since an
# unbounded one breaks the stand-in itself (a token lifetime of 1e19 s cannot be dated; a latency of 1e9 ms
# hangs every API call).
LIMITS: dict[str, tuple[float, float]] = {
    "token_ttl_s": (1, 7 * 24 * 3600),
    "api_latency_ms": (0, 60_000),
    "api_error_rate": (0, 1),
    "unauthorized_storm": (0, 1_000_000),
    "date_skew_s": (-365 * 24 * 3600, 365 * 24 * 3600),
}


@dataclass
class FaultState:
    token_ttl_s: int
    implicit_disabled: bool = False
    always_deny: bool = False
    api_latency_ms: int = 0
    api_error_rate: float = 0.0
    unauthorized_storm: int = 0
    date_skew_s: int = 0

    @classmethod
    def from_settings(cls, faults: Faults, token_ttl_s: int) -> FaultState:
        """The switches serve.py was started with; FaultError when one is out of its range."""
        state = cls(token_ttl_s=7200)
        state.update({"token_ttl_s": token_ttl_s, **faults.as_dict()})
        return state

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a JSON object of changes, all or nothing, with each value checked against its field."""
        known = {f.name: f for f in fields(self)}
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise FaultError(f"unknown switch {name!r}; known: {', '.join(sorted(known))}")
            kind = known[name].type
            if kind == "bool" and isinstance(value, bool):
                checked[name] = value
            elif kind == "int" and isinstance(value, int) and not isinstance(value, bool):
                checked[name] = value
            elif kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
                checked[name] = float(value)
            else:
                raise FaultError(f"{name} must be a {kind}")
            if name in LIMITS:
                low, high = LIMITS[name]
                if not low <= checked[name] <= high:
                    raise FaultError(f"{name} must be between {_plain(low)} and {_plain(high)}")
        for name, value in checked.items():
            setattr(self, name, value)

    def take_unauthorized(self) -> bool:
        if self.unauthorized_storm > 0:
            self.unauthorized_storm -= 1
            return True
        return False

    def roll_server_error(self, rng: random.Random) -> bool:
        return self.api_error_rate > 0 and rng.random() < self.api_error_rate


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)
