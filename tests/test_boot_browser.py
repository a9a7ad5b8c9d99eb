"""The page boots Python from the locally served runtime, under the strict CSP, with a clean console."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import ConsoleLog, LiveServer

pytestmark = pytest.mark.browser


def test_boot_python_renders_the_app_with_a_clean_console(page: Any, live_server: LiveServer, console: ConsoleLog) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(live_server.url)

    expect(page.get_by_role("heading", name="Python ready")).to_be_visible(timeout=30_000)
    assert console.errors == []
    assert not [text for _, text in console.messages if "Content Security Policy" in text]
    # Nothing left this machine: every request went to the server under test.
    assert requests and all(url.startswith(live_server.url) for url in requests)
