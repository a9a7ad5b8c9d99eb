"""The renewal guard (app.renewal), as a table of moments: one renewal at a time, at most one per spacing."""

from __future__ import annotations

import pytest

from app.auth.renewal import RenewalGuard
from tests.fakes import Clock


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([], True),
        (["start"], False),  # in flight
        (["start", "finish"], False),  # finished, but within the spacing
        (["start", "finish", "wait 9"], False),
        (["start", "finish", "wait 10"], True),
        (["start", "wait 60"], False),  # still in flight, however long it takes
        (["start", "wait 60", "finish"], True),
    ],
)
def test_may_start(steps: list[str], expected: bool) -> None:
    clock = Clock()
    guard = RenewalGuard(clock, spacing_s=10)
    for step in steps:
        if step.startswith("wait"):
            clock.advance(float(step.split()[1]))
        else:
            getattr(guard, step)()
    assert guard.may_start() is expected
