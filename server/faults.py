"""Failure switches: one type for what serve.py's flags set at start and what POST /_dev/faults changes while it
runs. Each field carries its flag, its range and its help, so the command line is built from them too."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


class FaultError(ValueError):
    pass


def _switch(default: Any, flag: str, help: str, low: float | None = None, high: float | None = None) -> Any:
    return field(default=default, metadata={"flag": flag, "help": help, "range": (low, high)})


@dataclass
class Faults:
    """Switches that make the stand-in misbehave on purpose, for developers and tests. Every value is checked
    against its range: an unbounded one breaks the stand-in itself (a lifetime of 1e19 s cannot be dated; a
    latency of 1e9 ms hangs every API call)."""

    token_ttl_s: int = _switch(7200, "--token-ttl", "access-token lifetime (PlaceOS: 7200)", 1, 7 * 24 * 3600)
    implicit_disabled: bool = _switch(
        False, "--implicit-disabled", "answer response_type=token with unsupported_response_type, as auth.cr does"
    )
    always_deny: bool = _switch(False, "--always-deny", "every authorization ends in access_denied")
    api_latency_ms: int = _switch(0, "--api-latency", "delay every API answer this long", 0, 60_000)
    api_error_rate: float = _switch(0.0, "--api-error-rate", "share of API answers that are a 503, 0..1", 0, 1)
    unauthorized_storm: int = _switch(0, "--unauthorized-storm", "the next N API calls get 401", 0, 1_000_000)
    websocket_disabled: bool = _switch(
        False, "--websocket-disabled", "answer the websocket 404, as behind a proxy that does not forward upgrades"
    )
    session_timeout_min: int = _switch(
        1440,
        "--session-timeout",
        "PlaceOS's own sign-in lasts this many minutes (its authority's session_timeout; PlaceOS: 1440)",
        1,
        366 * 24 * 60,
    )
    date_skew_s: int = _switch(
        0, "--date-skew", "skew the API's Date header by this much", -365 * 24 * 3600, 365 * 24 * 3600
    )

    @classmethod
    def checked(cls, **values: Any) -> Faults:
        """Switches from outside (flags, JSON), all or nothing; FaultError names the field and its limit."""
        faults = cls()
        faults.update(values)
        return faults

    def copy(self) -> Faults:
        return replace(self)

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
            low, high = known[name].metadata["range"]
            if low is not None and not low <= checked[name] <= high:
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


__all__ = ["FaultError", "Faults"]
