"""scripts/durations.py: the browser stories' measured durations, kept from pytest's --durations output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from scripts import durations


def test_the_browser_stories_durations_are_kept_and_the_rest_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "durations.json"
    kept.write_text(json.dumps({"tests/e2e/test_a.py::old[chromium]": 3.0}))
    monkeypatch.setattr(durations, "KEPT", kept)
    printed = (
        "12.50s call     tests/e2e/test_b.py::story[chromium]\n"
        "0.40s setup    tests/e2e/test_b.py::story[chromium]\n"
        "9.00s call     tests/app/test_unit.py::fast\n"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(printed))
    assert durations.main() == 0
    assert json.loads(kept.read_text()) == {
        "tests/e2e/test_a.py::old[chromium]": 3.0,
        "tests/e2e/test_b.py::story[chromium]": 12.5,
    }
    monkeypatch.setattr("sys.stdin", io.StringIO("nothing here\n"))
    assert durations.main() == 1
