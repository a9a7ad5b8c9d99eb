"""The suite, mirroring the code: tests/app/<package>/test_<module>.py, tests/server/…, tests/static/…, and the
browser stories in tests/e2e/. Shared fakes and servers live beside this file."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project's root, wherever pytest runs from
