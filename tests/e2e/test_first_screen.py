"""A first visit's sign-in card (server/first_screen.py): on screen before Python has started, the very card Python
then draws, a press on it kept until Python can act on it, and never shown where another screen is coming."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from server.settings import ClientSettings
from tests.conftest import ConsoleLog, LiveServer
from tests.e2e.steps import BOOT, has_mark, sign_in_from_app, wait_for_mark

pytestmark = pytest.mark.browser

# What the loader decided, read before anything else could change it: at the first script of the document.
DECISION = """() => ({
  card: document.documentElement.classList.contains('first-visit'),
  python: performance.getEntriesByName('python-ready').length > 0,
})"""


def hold_runtime(page: Page) -> list[Route]:
    """Python cannot start until the test lets the runtime's wasm through."""
    held: list[Route] = []
    page.route("**/pyodide.asm.wasm", lambda route: held.append(route))
    return held


def release(page: Page, held: list[Route]) -> None:
    for route in held:
        route.continue_()
    page.unroute("**/pyodide.asm.wasm")


def test_a_first_visit_shows_the_sign_in_card_before_python_and_a_press_waits_for_it(
    page: Page, live_server: LiveServer, console: ConsoleLog
) -> None:
    held = hold_runtime(page)
    page.goto(live_server.url)
    card = page.locator("#first-screen")
    expect(card.get_by_role("heading", name="Sign in to PlaceOS")).to_be_visible()
    expect(page.locator("#boot")).to_be_hidden()
    assert page.evaluate(DECISION) == {"card": True, "python": False}
    assert page.title() == "PlaceOS"

    button = card.get_by_role("button", name="Sign in")
    button.click()
    expect(card.get_by_role("button")).to_have_text("Starting sign-in…")
    expect(card.get_by_role("button")).to_have_attribute("aria-disabled", "true")
    card.get_by_role("button").click(force=True)  # a second press changes nothing, and starts no second sign-in
    page.evaluate("() => new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)))")
    assert not has_mark(page, "python-ready") and urlsplit(page.url).path == "/"

    with page.expect_navigation(url="**/login?**", timeout=BOOT):
        release(page, held)
    # The sign-in Python started is an ordinary one: its state is the one this tab keeps, used once.
    authorize = parse_qs(urlsplit(parse_qs(urlsplit(page.url).query)["continue"][0]).query)
    assert authorize["response_type"] == ["token"]
    assert len(authorize["state"][0]) >= 43
    page.get_by_label("Email").fill(live_server.settings.demo_email)
    page.get_by_label("Password").fill(live_server.settings.demo_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)
    assert console.errors == []


def test_the_card_is_the_one_python_draws_and_leaves_no_copy_behind(page: Page, live_server: LiveServer) -> None:
    held = hold_runtime(page)
    page.goto(live_server.url)
    expect(page.locator("#first-screen h1")).to_be_visible()
    before = page.evaluate("() => document.querySelector('#first-screen > main').outerHTML")
    release(page, held)
    wait_for_mark(page, "app-ready")
    after = page.evaluate("() => document.querySelector('#app > main').outerHTML")
    assert before == after
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map((e) => e.id)")
    assert len(ids) == len(set(ids)) and "first-screen" not in ids and "boot" not in ids
    assert page.evaluate("() => document.documentElement.classList.contains('first-visit')")  # harmless now


def test_a_press_after_python_is_up_is_the_apps_own(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    wait_for_mark(page, "app-ready")
    with page.expect_navigation(url="**/login?**", timeout=BOOT):
        page.get_by_role("button", name="Sign in").click()


def test_no_card_where_another_screen_is_coming(page: Page, live_server: LiveServer, server_factory: Any) -> None:
    # Signed in: a reload shows the person's page (or the loading screen), never a sign-in card.
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.reload()
    assert page.evaluate(DECISION)["card"] is False
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)

    # A new tab while another may be signed in asks it first (app/tabs.py): no card while it asks.
    other = page.context.new_page()
    other.goto(live_server.url)
    assert other.evaluate(DECISION)["card"] is False
    expect(other.locator(".system-row").first).to_be_visible(timeout=BOOT)
    other.close()

    # A sign-in response in the address bar, and the return from a sign-out: Python has other words to say.
    fresh = page.context.browser.new_page()  # type: ignore[union-attr]
    fresh.goto(live_server.url + "#access_token=forged&token_type=Bearer&state=forged")
    assert fresh.evaluate(DECISION)["card"] is False
    expect(fresh.get_by_role("heading", name="This sign-in was not started here")).to_be_visible(timeout=BOOT)
    fresh.evaluate("() => sessionStorage.setItem('placeos.signed-out', '1')")
    fresh.goto(live_server.url)
    assert fresh.evaluate(DECISION)["card"] is False
    expect(fresh.get_by_text("You have signed out.")).to_be_visible(timeout=BOOT)
    fresh.close()

    # A kiosk signs in by itself: its page carries no card at all.
    kiosk = server_factory(client=ClientSettings(kiosk=True, storage="local"))
    body = page.request.get(kiosk.url).text()
    assert 'data-first-screen=""' in body and '<div id="first-screen"></div>' in body


def test_a_start_that_fails_replaces_the_card_with_the_error(page: Page, live_server: LiveServer) -> None:
    page.route("**/pyodide.asm.wasm", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(live_server.url)
    expect(page.locator("#boot-error")).to_contain_text("pyodide.asm.wasm: HTTP 404", timeout=BOOT)
    expect(page.locator("#first-screen")).to_have_count(0)  # its button could never work
    expect(page.get_by_role("button", name="Try again")).to_be_focused()


def test_stored_values_of_any_shape_never_show_the_card_wrongly_or_break_the_start(
    page: Page, live_server: LiveServer
) -> None:
    """The loader reads the hint other tabs leave; whatever it holds, the app starts, and a card is shown only
    when the hint says no tab is signed in."""
    for hint, card in (("99999999999", False), ("0", True), ("1e20", True), ("-5", True), ("x" * 5000, True)):
        page.goto(live_server.url + "static/app.css")  # same origin, no app: set storage before the app reads it
        page.evaluate("(h) => { localStorage.setItem('placeos.signed-in-until', h); }", hint)
        page.goto(live_server.url)
        assert page.evaluate(DECISION)["card"] is card, hint
        expect(page.get_by_role("heading", name="Sign in to PlaceOS")).to_be_visible(timeout=BOOT)
        wait_for_mark(page, "app-ready")
        page.evaluate("() => localStorage.clear()")
    assert json.loads(page.evaluate("() => JSON.stringify(Object.keys(localStorage))")) == []
