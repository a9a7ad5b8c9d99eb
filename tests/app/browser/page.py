"""Running app/browser/'s code where it runs: in Pyodide, in a real page of the app (the only place `js` exists)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.e2e.steps import wait_for_sign_in_screen
from tests.live import LiveServer


def in_page(page: Page, server: LiveServer) -> Page:
    """The app's page, started and signed out: app.browser is importable in its Pyodide."""
    page.goto(server.url)
    wait_for_sign_in_screen(page)
    return page


def run(page: Page, source: str) -> Any:
    """Python source run in the page's Pyodide (top-level await allowed); its last expression, as JSON."""
    return page.evaluate(
        "async (source) => JSON.parse(await pyodide.runPythonAsync(source))",
        source + "\n",
    )
