"""Keeps tests/e2e/durations.json, which orders the browser stories longest first (tests/conftest.py), from what
pytest printed with --durations=0: `make test ARGS="--durations=0" | .venv/bin/python scripts/durations.py`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LINE = re.compile(r"^\s*([0-9.]+)s call\s+(tests/e2e/\S+)")
KEPT = Path(__file__).resolve().parent.parent / "tests" / "e2e" / "durations.json"


def main() -> int:
    found = {m.group(2): float(m.group(1)) for line in sys.stdin if (m := LINE.match(line))}
    if not found:
        print("no browser story's duration in the input (run pytest with --durations=0)", file=sys.stderr)
        return 1
    kept = json.loads(KEPT.read_text()) if KEPT.exists() else {}
    kept.update(found)
    KEPT.write_text(json.dumps(dict(sorted(kept.items())), indent=1) + "\n")
    print(f"{len(found)} durations kept in {KEPT.relative_to(Path.cwd()) if KEPT.is_relative_to(Path.cwd()) else KEPT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
