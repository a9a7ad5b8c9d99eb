"""axe-core (pinned in package-lock.json, test-only) on every screen of the app, in light and dark mode, on a
desktop and at 375 px wide: loading, failure, signed out, the list with filters, a detail, the expiry warning,
the expired notice, a sign-in error and the auth doctor over it. Zero violations (issue 13, item 6)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests import ROOT
from tests.e2e.steps import BOOT, forget_kept_runtime, set_token_expiry, sign_in_from_app, wait_for_sign_in_screen
from tests.live import LiveServer


@pytest.fixture
def keep_start_up() -> bool:
    return False  # these stories never come back to a kept start (tests/conftest.py)


pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What axe reports of each violation: enough to find and fix it from the test's output alone.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary.split('\\n')[1]),
  }));
}"""


class Audit:
    """Runs axe on the page's current screen and keeps what it found, by screen."""

    def __init__(self) -> None:
        self.found: dict[str, list[dict[str, Any]]] = {}

    def check(self, page: Page, screen: str) -> None:
        """The screen in light and in dark mode: one walk through the app serves both (the scheme is a media
        feature the page's CSS reads; switching it reloads nothing)."""
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            # Settled: no load under way (the old rows dimmed while new ones load) and no transition still running.
            page.wait_for_function(
                "() => !document.querySelector('.systems[aria-busy=true]') && document.getAnimations().length === 0"
            )
            violations = page.evaluate(RUN_AXE)
            if violations:
                self.found[f"{screen} ({scheme})"] = violations

    def report(self) -> str:
        return json.dumps(self.found, indent=2, ensure_ascii=False)


def walk_every_screen(page: Page, server: LiveServer, audit: Audit) -> None:
    # A first visit: the server's sign-in card while Python starts (held there by an app archive that has not
    # arrived yet), then Python's.
    held: list[Route] = []
    page.route("**/app.zip", lambda route: held.append(route))
    page.goto(server.url)
    expect(page.locator("#boot-stage")).to_have_text("Starting the app…", timeout=BOOT)
    expect(page.locator("#first-screen h1")).to_be_visible()
    audit.check(page, "signed out, before Python")
    held[0].continue_()
    page.unroute("**/app.zip")
    wait_for_sign_in_screen(page)
    audit.check(page, "signed out")

    sign_in_from_app(page, server)
    expect(page.locator(".system-row .row-state.status").first).to_be_visible(timeout=BOOT)
    audit.check(page, "list, with each room's state")
    page.locator("#free-now").click()
    expect(page.locator("#free-note")).to_contain_text("free now.", timeout=BOOT)
    audit.check(page, "list, free now")
    page.locator("#free-now").click()
    expect(page.locator("#free-note")).to_have_count(0, timeout=BOOT)
    toggle = page.locator("#filters-toggle")
    if toggle.is_visible():  # a phone: the filters fold behind a button that says how many are on
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    page.locator("#filter-building").select_option(label="Sydney HQ")
    expect(page.locator(".active-filters")).to_contain_text("Building: Sydney HQ")
    page.get_by_role("checkbox", name="Bookable only").check()
    expect(page.locator(".active-filters")).to_contain_text("Bookable")
    audit.check(page, "list, filtered")
    page.locator(".system-row").first.click()
    expect(page.locator(".groups")).to_be_visible(timeout=BOOT)
    audit.check(page, "detail")
    # A sign-in link arriving in this signed-in tab (a hash change: no new load, the kept start-up stays as it was).
    page.evaluate("() => { location.hash = 'access_token=stray&token_type=Bearer&state=stray'; }")
    expect(page.locator(".notice").filter(has_text="was ignored")).to_be_visible(timeout=BOOT)
    audit.check(page, "a sign-in link ignored")

    set_token_expiry(page, 120)
    page.reload()
    expect(page.locator(".notice.warn")).to_contain_text("Your session ends in", timeout=BOOT)
    audit.check(page, "expiry warning")
    set_token_expiry(page, 2)
    expect(page.locator(".notice.error")).to_contain_text("Your session has ended", timeout=BOOT)
    audit.check(page, "expired")

    # Loading: the loader's own screen (a sign-in response has arrived), held there by the app archive.
    page.route("**/app.zip", lambda route: held.append(route))
    page.goto(server.url + "#access_token=forged&token_type=Bearer&state=forged")
    expect(page.locator("#boot-stage")).to_have_text("Starting the app…", timeout=BOOT)
    expect(page.locator("#boot")).to_be_visible()
    audit.check(page, "loading")
    held[-1].continue_()
    page.unroute("**/app.zip")
    expect(page.get_by_role("heading", name="This sign-in was not started here")).to_be_visible(timeout=BOOT)
    audit.check(page, "sign-in error")
    page.get_by_role("button", name="Why?").click()
    expect(page.locator(".doctor")).to_be_visible(timeout=BOOT)
    audit.check(page, "auth doctor")

    # The runtime missing on the server, as a first visit would find it (this page has kept its own copies).
    forget_kept_runtime(page)
    page.route("**/pyodide.asm.wasm", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(server.url)
    expect(page.locator("#boot-error")).to_be_visible(timeout=BOOT)
    audit.check(page, "failure")


@pytest.mark.parametrize("width", [1280, 375])
def test_every_screen_has_no_accessibility_violations_light_or_dark(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    assert AXE.is_file(), "axe-core is missing: `make test` installs it (npm ci)"
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(path=str(AXE))  # before the page's CSP applies: no inline script is allowed
    page = context.new_page()
    audit = Audit()
    try:
        walk_every_screen(page, live_server, audit)
    finally:
        context.close()
    assert not audit.found, f"axe found violations ({width} px):\n{audit.report()}"


def test_the_loading_card_and_the_sign_in_card_are_the_same_size_in_the_same_place(
    page: Page, live_server: LiveServer
) -> None:
    # Just back from signing out: not a first visit, so the loader shows its loading card until Python says so.
    page.goto(live_server.url + "static/app.css")
    page.evaluate("() => sessionStorage.setItem('placeos.signed-out', '1')")
    held: list[Route] = []
    page.route("**/app.zip", lambda route: held.append(route))
    page.goto(live_server.url)
    expect(page.locator("#boot-stage")).to_have_text("Starting the app…", timeout=BOOT)
    loading = page.locator("#boot").bounding_box()
    held[0].continue_()
    page.unroute("**/app.zip")
    wait_for_sign_in_screen(page)
    expect(page.locator(".center-card")).to_contain_text("You have signed out.")
    signed_out = page.locator(".center-card").bounding_box()
    assert loading and signed_out
    for key in ("x", "y", "width"):
        assert abs(loading[key] - signed_out[key]) < 1, (key, loading, signed_out)
    assert abs(loading["height"] - signed_out["height"]) < 24, (loading, signed_out)
