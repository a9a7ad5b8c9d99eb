"""Failure switches: what serve.py's flags set at start, and what POST /_dev/faults changes while it runs."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any

from ..settings import Faults


class FaultError(ValueError):
    pass


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
        return cls(token_ttl_s=token_ttl_s, **faults.as_dict())  # type: ignore[arg-type]

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
        if checked.get("token_ttl_s", self.token_ttl_s) < 1:
            raise FaultError("token_ttl_s must be at least 1")
        if not 0 <= checked.get("api_error_rate", self.api_error_rate) <= 1:
            raise FaultError("api_error_rate must be between 0 and 1")
        for name, value in checked.items():
            setattr(self, name, value)

    def take_unauthorized(self) -> bool:
        if self.unauthorized_storm > 0:
            self.unauthorized_storm -= 1
            return True
        return False

    def roll_server_error(self, rng: random.Random) -> bool:
        return self.api_error_rate > 0 and rng.random() < self.api_error_rate
