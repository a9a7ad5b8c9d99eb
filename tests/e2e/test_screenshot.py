"""scripts/screenshot.py makes the README's screenshot from the running app: a real PNG of the signed-in list."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from scripts.screenshot import HEIGHT, WIDTH, shoot

pytestmark = pytest.mark.browser


def test_the_screenshot_script_photographs_the_signed_in_app(browser: Browser, tmp_path: Path) -> None:
    out = shoot(tmp_path / "shot.png", browser=browser)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (WIDTH, HEIGHT) and len(data) > 20_000  # a screen with something on it
