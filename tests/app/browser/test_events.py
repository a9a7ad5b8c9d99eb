"""app.browser.events in the page: the page's events reach the controller (a press on an action, a history move),
and a modified click on a link is left to the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.app.browser.page import in_page
from tests.live import LiveServer

pytestmark = pytest.mark.browser


def test_a_press_on_an_action_reaches_the_controller(page: Page, live_server: LiveServer) -> None:
    in_page(page, live_server)
    with page.expect_navigation(url="**/login?**"):
        page.get_by_role("button", name="Sign in").click()  # data-action="sign_in": the controller signs in


def test_going_online_and_history_moves_reach_the_controller(page: Page, live_server: LiveServer) -> None:
    in_page(page, live_server)
    seen = page.evaluate(
        """async () => {
  await pyodide.runPythonAsync(`
from app.main import app
seen = []
app.online = lambda: seen.append("online")
app.history_moved = lambda path: seen.append(path)
`);
  history.pushState(null, "", "?q=moved");
  history.back();  // a popstate, once the browser has moved back
  window.dispatchEvent(new Event("online"));
  const heard = () => JSON.parse(pyodide.runPython("import json; json.dumps(seen)"));
  while (heard().length < 2) await new Promise((next) => setTimeout(next, 20));
  return heard();
}"""
    )
    assert sorted(seen) == ["/", "online"]
