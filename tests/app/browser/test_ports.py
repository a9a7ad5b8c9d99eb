"""app.browser.ports in the page: web storage, fetch and history behind the app's ports."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.app.browser.page import in_page, run
from tests.live import LiveServer

pytestmark = pytest.mark.browser

PORTS = """
import json, js
from app.browser.ports import FetchTransport, LocationNavigator, web_storage
from app.core.ports import HttpRequest
storage = web_storage("session")
storage.set("placeos.test", "kept")
kept, keys = storage.get("placeos.test"), storage.keys()
storage.remove("placeos.test")
answer = await FetchTransport().send(HttpRequest("GET", str(js.URL.new("app-config.json", js.document.baseURI).href)))
before = int(js.history.length)
LocationNavigator().replace("/?q=room")
json.dumps({"kept": kept, "listed": "placeos.test" in keys, "gone": storage.get("placeos.test"),
            "status": answer.status, "type": answer.headers.get("content-type", ""), "body": json.loads(answer.body),
            "path": LocationNavigator().current(), "entries": int(js.history.length) - before})
"""


def test_storage_fetch_and_history_behind_the_ports(page: Page, live_server: LiveServer) -> None:
    seen = run(in_page(page, live_server), PORTS)
    assert seen["kept"] == "kept" and seen["listed"] and seen["gone"] is None
    assert seen["status"] == 200 and seen["type"].startswith("application/json") and "client_id" in seen["body"]
    assert seen["path"] == "/?q=room" and seen["entries"] == 0  # replaced, not pushed
    assert page.url.endswith("/?q=room")
