"""A person browsing in real Chromium (issue 13): search finds what the app shows, filters live in the URL, rows are
links that open in a new tab already signed in, every view has its title, and nothing on screen moves under the
person: a countdown changes its text only, paging lands at the top of the list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import BOOT, revoke, set_token_expiry, sign_in_from_app, stored_token, wait_for_sign_in_screen
from tests.live import LiveServer


@pytest.fixture
def keep_start_up() -> bool:
    return False  # these stories never come back to a kept start (tests/conftest.py)


pytestmark = pytest.mark.browser


def test_search_finds_a_room_by_its_code_and_email(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    for query, name in (("MEL01-0001", "Bondi"), ("bondi.mel01@rooms.example.com", "Bondi"), ("whiteboard", None)):
        page.get_by_label("Search systems").fill(query)
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_title(re.compile(re.escape(f"“{query}”")))
        if name:
            expect(page.locator(".system-name")).to_have_text([name], timeout=BOOT)
        else:
            expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)
            expect(page.locator("#count")).not_to_have_text("")


def test_filters_live_in_the_address_survive_a_reload_and_come_off_as_chips(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.locator("#filter-building").select_option(label="London Shoreditch")
    expect(page).to_have_url(re.compile(r"building=zone-bld-lon01"))
    page.locator("#filter-level").select_option(label="Level 2")
    page.get_by_role("checkbox", name="Bookable only").check()
    expect(page).to_have_url(re.compile(r"level=zone-lvl-lon01-02.*bookable=true"))
    chips = page.locator(".active-filters")
    expect(chips).to_contain_text("Building: London Shoreditch")
    expect(chips).to_contain_text("Level 2")
    rows = page.locator(".system-meta")
    expect(rows.first).to_contain_text("London Shoreditch")
    assert all("London Shoreditch" in text for text in rows.all_inner_texts())
    page.reload()
    expect(page.locator(".active-filters")).to_contain_text("Building: London Shoreditch", timeout=BOOT)
    assert page.locator("#filter-level").input_value() == "zone-lvl-lon01-02"
    page.get_by_role("button", name="Remove filter Building: London Shoreditch").click()
    expect(page).not_to_have_url(re.compile(r"building=|level="))
    expect(page.locator(".active-filters")).to_contain_text("Bookable")


def test_a_row_opened_in_a_new_tab_starts_signed_in_at_that_room(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "?q=bondi")
    sign_in_from_app(page, live_server)
    row = page.locator(".system-row").first
    href = row.get_attribute("href")
    assert href and href.startswith("/?q=bondi&system=sys-")
    with page.context.expect_page() as opened:
        row.click(modifiers=["Control"])  # the browser's own "open in a new tab": the app leaves the click alone
    tab = opened.value
    tab.wait_for_load_state()
    expect(tab.locator("#detail-title")).to_have_text("Bondi", timeout=BOOT)
    expect(tab.get_by_role("heading", name="Sign in to PlaceOS")).to_have_count(0)
    expect(tab).to_have_title("Bondi · PlaceOS")
    assert page.url.endswith("/?q=bondi")  # the first tab stayed where it was
    expect(page).to_have_title("“bondi” · Systems · PlaceOS")


def test_a_system_that_does_not_exist_says_so_with_a_way_back(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.goto(live_server.url + "?system=sys-NOPE")
    expect(page.locator("#detail-title")).to_have_text("System not found", timeout=BOOT)
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    page.get_by_role("link", name="← All systems").click()
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)


def test_an_offset_past_the_end_leads_back_to_the_last_page(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "?offset=900")
    sign_in_from_app(page, live_server)
    expect(page).to_have_url(re.compile(r"offset=20$"), timeout=BOOT)
    expect(page.locator("#count")).to_have_text("21–32 of 32 systems")


def test_paging_puts_focus_and_scroll_at_the_top_of_the_list(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 1000, "height": 600})
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.locator("#next-page").click()
    expect(page.locator("#count")).to_have_text("21–32 of 32 systems", timeout=BOOT)
    expect(page.locator("#systems-list")).to_be_focused()
    top = page.evaluate("() => document.getElementById('systems-list').getBoundingClientRect().top")
    assert 0 <= top < 600


def test_skip_links_lead_to_the_first_room_in_one_tab_and_a_phone_shows_rooms_before_its_folded_filters(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.locator("body").focus()
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to results")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#systems-list")).to_be_focused()
    page.keyboard.press("Tab")  # past every filter: the first room at once
    expect(page.locator(".system-row").first).to_be_focused()
    page.reload()
    expect(page.locator(".system-row:not(#saved-view *)").first).to_be_visible(timeout=BOOT)
    page.locator("body").focus()
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()

    # A phone: the filters fold, the first room is on the first screen, and the console's button covers nothing.
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "?bookable=true&capacity=2")
    expect(page.locator(".system-row:not(#saved-view *)").first).to_be_visible(timeout=BOOT)
    toggle = page.locator("#filters-toggle")
    expect(toggle).to_have_text("Filters (2 on)")
    expect(page.locator("#filters")).to_be_hidden()
    first = page.locator(".system-name:not(#saved-view *)").first
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 812, box  # a room, not the filters, on the first screen
    launcher = page.locator("header #console-open")
    expect(launcher).to_be_visible()  # in the header, where it covers nothing
    rows = page.locator(".system-row:not(#saved-view *)")
    button = launcher.bounding_box()
    assert button is not None
    for index in range(rows.count()):
        row = rows.nth(index).bounding_box()
        assert row is not None
        apart = button["y"] + button["height"] <= row["y"] or row["y"] + row["height"] <= button["y"]
        assert apart, (button, row)
    toggle.click()
    expect(page.locator("#filters")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")


@pytest.mark.parametrize("focused", ["#search", ".system-row"])
def test_a_running_countdown_moves_neither_focus_nor_scroll(page: Page, live_server: LiveServer, focused: str) -> None:
    page.set_viewport_size({"width": 1000, "height": 500})
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    set_token_expiry(page, 50)  # well inside the 5-minute warning: it counts seconds
    page.reload()
    notice = page.locator(".notice.warn")
    expect(notice).to_contain_text(re.compile(r"ends in \d+ s"), timeout=BOOT)
    target = page.locator(focused).nth(5 if focused == ".system-row" else 0)
    target.focus()
    page.evaluate("() => window.scrollTo(0, 500)")
    before = notice.inner_text()
    changed = "(before) => document.querySelector('.notice.warn').innerText !== before"
    page.wait_for_function(changed, arg=before)
    page.wait_for_function(changed, arg=notice.inner_text())  # and the tick after it
    assert page.evaluate("() => window.scrollY") == 500
    expect(target).to_be_focused()
    # Screen readers hear the countdown at a few thresholds, not each second.
    live = page.locator(".notice.warn [role=status]")
    expect(live).to_have_text("Your session ends in less than a minute.")


# Before Python starts: what the page showed, whether "Loading systems…" ever showed, and when rows were there.
WATCH_PAINT = """
window.__paint = {saved: null, loading: false};
new MutationObserver(() => {
  const p = window.__paint;
  if (p.saved === null && document.querySelector('#saved-view .system-row')) p.saved = performance.now();
  if ((document.getElementById('app') || {}).innerText?.includes('Loading systems')) p.loading = true;
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def test_a_returning_visit_shows_the_last_page_at_once_then_the_same_page_fresh(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "?q=room")
    sign_in_from_app(page, live_server)
    names = page.locator(".system-name").all_inner_texts()
    page.add_init_script(WATCH_PAINT)
    page.reload()
    page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)
    expect(page.locator("#saved-view")).to_have_count(0, timeout=BOOT)  # replaced by Python's own, fresh
    expect(page.locator(".system-name")).to_have_text(names)
    painted = page.evaluate("() => window.__paint")
    ready = page.evaluate("() => performance.getEntriesByName('python-ready')[0].startTime")
    assert painted["saved"] is not None and painted["saved"] < ready, painted  # rows before Python was up
    assert painted["loading"] is False  # never "Loading systems…" in between
    # Another address of the app is not that page: nothing saved is shown for it.
    page.goto(live_server.url + "?q=bondi")
    page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)
    assert page.evaluate("() => window.__paint.saved") is None
    # Signed out, the copy is gone with the token.
    page.get_by_role("button", name="Sign out").click()
    wait_for_sign_in_screen(page)
    assert page.evaluate("() => sessionStorage.getItem('placeos.page.painted')") is None


# Each API request the page sent, with when it started, and when Python was ready (app/api/early_answers.py and
# static/boot.js).
API_SENT = """() => ({
  sent: performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/engine/v2/'))
    .map((e) => [e.name, e.startTime]),
  ready: performance.getEntriesByName('python-ready')[0].startTime,
})"""


def test_a_returning_visit_asks_for_its_page_s_data_while_python_starts_and_only_once(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "?q=room")
    sign_in_from_app(page, live_server)
    names = page.locator(".system-name").all_inner_texts()
    kept = page.evaluate("() => JSON.parse(sessionStorage.getItem('placeos.page.painted')).requests")
    assert kept and all("/api/engine/v2/" in url and "token" not in url for url in kept)
    page.reload()
    page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)
    expect(page.locator("#saved-view")).to_have_count(0, timeout=BOOT)  # replaced by fresh rows
    expect(page.locator(".system-name")).to_have_text(names)
    timing = page.evaluate(API_SENT)
    urls = [url for url, _ in timing["sent"]]
    assert sorted(urls) == sorted(kept)  # each asked once, by the loader, and Python asked for none again
    assert all(start < timing["ready"] for _, start in timing["sent"])  # while Pyodide was starting


def test_an_early_answer_that_refuses_the_token_leads_to_sign_in_as_any_refusal_does(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "?q=room")
    sign_in_from_app(page, live_server)
    revoke(live_server, stored_token(page))
    page.reload()
    expect(page.get_by_text("PlaceOS no longer accepts your sign-in.")).to_be_visible(timeout=BOOT)
    assert all(start < page.evaluate(API_SENT)["ready"] for _, start in page.evaluate(API_SENT)["sent"])


@pytest.mark.parametrize(
    "requests",
    [
        '"not a list"',
        '[42, null, {"url": 1}]',
        '["javascript:alert(1)", "data:text/plain,x", "/relative", "ht tp://x"]',
    ],
)
def test_kept_requests_that_are_not_addresses_the_app_sent_are_never_asked_for(
    page: Page, live_server: LiveServer, requests: str
) -> None:
    page.goto(live_server.url + "?q=room")
    sign_in_from_app(page, live_server)
    names = page.locator(".system-name").all_inner_texts()
    page.evaluate(
        """(requests) => {
            const page = JSON.parse(sessionStorage.getItem('placeos.page.painted'));
            sessionStorage.setItem('placeos.page.painted', JSON.stringify({...page, requests: JSON.parse(requests)}));
        }""",
        requests,
    )
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.reload()
    page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)
    expect(page.locator("#saved-view")).to_have_count(0, timeout=BOOT)
    expect(page.locator(".system-name")).to_have_text(names)  # the app asked for its data itself
    assert not [url for url in asked if not url.startswith(live_server.url)]
