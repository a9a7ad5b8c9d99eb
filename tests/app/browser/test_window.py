"""app.browser.window in the page: Intl's time zones, Web Locks between tabs, the screen's size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.app.browser.page import in_page, run
from tests.live import LiveServer

pytestmark = pytest.mark.browser

WINDOW = """
import json
from app.browser.window import exclusive, viewport, zone_time
ran = []

async def inner():
    ran.append("inner")

async def outer():
    ran.append("outer")
    ran.append(await exclusive("placeos-test", inner))  # the lock is held: the work does not run

first = await exclusive("placeos-test", outer)
json.dumps({"sydney": zone_time(0, "Australia/Sydney"), "unknown": zone_time(0, "Not/AZone"), "ran": ran,
            "first": first, "viewport": list(viewport())})
"""


def test_zones_locks_and_the_viewport(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 900, "height": 700})
    seen = run(in_page(page, live_server), WINDOW)
    assert "1970" in seen["sydney"] and "10:00" in seen["sydney"] and seen["unknown"] is None
    assert seen["first"] is True and seen["ran"] == ["outer", False]
    assert seen["viewport"] == [900, 700]
