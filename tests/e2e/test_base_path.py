"""The app under a sub-path of its origin, as PlaceOS serves its front-ends (issue 12, item 2): every URL it
builds stays under its base, and the stand-in stays where PlaceOS has it (/api, /auth, /login)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import BOOT, sign_in_from_app

pytestmark = pytest.mark.browser
BASE = "/apps/placeos-py/"


def test_the_app_under_a_sub_path_signs_in_searches_reloads_and_signs_out_there(
    page: Page, server_factory: Any
) -> None:
    server = server_factory(base_path=BASE)
    origin = server.url.rstrip("/")
    app_requests: list[str] = []
    page.on("request", lambda r: app_requests.append(r.url))
    page.goto(origin + "/")  # the origin's root sends the browser to the app
    assert page.url == origin + BASE
    sign_in_from_app(page, server)
    assert page.url == origin + BASE
    page.get_by_label("Search systems").fill("board")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".system-row").first).to_be_visible()
    assert page.url == origin + BASE + "?q=board"
    page.reload()
    expect(page.get_by_role("heading", name="Systems")).to_be_visible(timeout=BOOT)
    assert page.get_by_label("Search systems").input_value() == "board"
    page.locator(".system-row").first.click()
    expect(page.locator("#detail-title")).to_be_visible()
    assert page.url.startswith(origin + BASE + "?q=board&system=")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible(timeout=BOOT)
    assert page.url == origin + BASE
    mine = [u for u in app_requests if u.startswith(origin) and not u.startswith(origin + BASE)]
    outside = {u.split("?")[0] for u in mine} - {origin + "/"}
    placeos = ("/api/", "/auth/", "/login", "/standin/images/")  # PlaceOS's, and its rooms' pictures
    assert all(u.startswith(tuple(origin + p for p in placeos)) for u in outside), outside


def test_the_app_files_are_served_only_under_the_base_path(page: Page, server_factory: Any) -> None:
    server = server_factory(base_path=BASE)
    origin = server.url.rstrip("/")
    for path in ("app.zip", "app-config.json", "static/boot.js", "static/callback.html"):
        assert page.request.get(origin + BASE + path).status == 200, path
        assert page.request.get(origin + "/" + path, max_redirects=0).status in (301, 404), path
    config = page.request.get(origin + BASE + "app-config.json").json()
    assert config["redirect_uri"] is None  # derived in the page: the page's own URL, under the base
