"""A person browsing in real Chromium (issue 13): search finds what the app shows, filters live in the URL, rows are
links that open in a new tab already signed in, every view has its title, and nothing on screen moves under the
person: a countdown changes its text only, paging lands at the top of the list."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from server.standin.fixtures import fixture_systems
from tests.e2e.steps import (
    BOOT,
    EMAIL,
    PASSWORD,
    revoke,
    set_token_expiry,
    sign_in_from_app,
    stored_token,
    wait_for_sign_in_screen,
)
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


# Where each room's name is drawn on the first frame of the saved copy, on the first frame of Python's own page,
# and now; the layout shift Chrome counts (app/browse/rooms.py keeps the copy until the same page is fresh).
WATCH_MOVES = """
window.__moves = {saved: null, fresh: null, shift: 0, shifted: []};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__moves.shift += entry.value;
    window.__moves.shifted.push([Math.round(entry.startTime), entry.value, ...entry.sources.map((s) =>
      (s.node?.id || s.node?.className || s.node?.nodeName || '?') + ' ' + JSON.stringify([s.previousRect.y,
        s.currentRect.y, s.previousRect.height, s.currentRect.height]))]);
  }
}).observe({type: 'layout-shift', buffered: true});
window.__parts = () => [...(document.querySelector('.system-row')?.children || [])].map((el) =>
  el.className + ':' + Math.round(el.getBoundingClientRect().height) + ':' + el.textContent.slice(0, 40));
window.__rows = () => [...document.querySelectorAll('.system-name')].map((el) => {
  const box = el.getBoundingClientRect();
  return [el.textContent, Math.round(box.left * 10) / 10, Math.round(box.top * 10) / 10];
});
const look = () => {
  const moves = window.__moves, rows = window.__rows(), copy = Boolean(document.getElementById('saved-view'));
  if (rows.length && copy && moves.saved === null) moves.saved = rows;
  if (rows.length && copy && moves.savedParts === undefined) moves.savedParts = window.__parts();
  if (rows.length && !copy && moves.saved !== null) { moves.fresh = rows; moves.freshParts = window.__parts(); }
  if (moves.fresh === null) requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""


def largest_move(before: list[list[object]], after: list[list[object]]) -> float:
    """How far any room name moved between two looks (they must show the same rooms in the same order)."""
    assert [row[0] for row in before] == [row[0] for row in after], (before, after)
    return max(
        abs(float(a) - float(b)) for x, y in zip(before, after, strict=True) for a, b in zip(x[1:], y[1:], strict=True)
    )


def test_a_returning_visit_does_not_move_at_desk_or_phone_width(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "?q=room")
    sign_in_from_app(page, live_server)
    page.locator("#next-page").click()  # the features of another page are offered too, as the person saw them
    expect(page).to_have_url(re.compile(r"offset=20"), timeout=BOOT)
    page.locator("#prev-page").click()
    expect(page).not_to_have_url(re.compile(r"offset="), timeout=BOOT)
    page.locator("#filters .check input").first.check()  # a feature, then the address has it
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"features="), timeout=BOOT)
    expect(page.locator(".active-filters")).to_be_visible()
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)
    offered = page.locator("#filters .check").all_inner_texts()
    page.add_init_script(WATCH_MOVES)
    for width, height in ((1280, 800), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()  # the copy is the page's tree: the width's CSS lays it out as it does Python's own
        page.wait_for_function("() => window.__moves.fresh !== null", timeout=BOOT)
        moves = page.evaluate("() => window.__moves")
        copy = moves["saved"]
        assert largest_move(copy, moves["fresh"]) <= 2, (width, moves)
        page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)
        parts = (moves.get("savedParts"), moves.get("freshParts"), page.evaluate("() => window.__parts()"))
        assert largest_move(copy, page.evaluate("() => window.__rows()")) <= 2, (width, parts)  # after all came
        moves = page.evaluate("() => window.__moves")
        assert moves["shift"] < 0.01, (width, moves["shifted"])
        assert page.locator("#filters .check").all_inner_texts() == offered  # the same filters for the address
        assert page.locator("#search").input_value() == "room"


def test_the_loader_draws_a_saved_page_inert_and_as_text_whatever_storage_holds(
    page: Page, live_server: LiveServer
) -> None:
    hostile = [
        ["header", {"class": "topbar", "onclick": "window.__pwned = 1", "style": "x"}, ["script", {}, "__pwned = 2"]],
        ["a", {"href": "javascript:window.__pwned = 3", "class": "system-row"}, "js"],
        ["a", {"href": "//evil.example/x"}, "other host"],
        ["a", {"href": "/\\evil.example/x"}, "backslash"],
        ["a", {"href": "?q=room", "class": "system-row"}, "own"],
        ["img", {"src": "javascript:window.__pwned = 4", "onerror": "window.__pwned = 5"}],
        [
            "form",
            {"action": "https://evil.example/"},
            ["button", {"formaction": "https://evil.example/"}, "Go"],
            ["input", {"type": "search", "value": "<b>room</b>", "onfocus": "window.__pwned = 6", "autofocus": True}],
        ],
        ["iframe", {"src": "https://example.com/"}],
        "<img src=x onerror='window.__pwned = 7'>",
    ]
    saved = {"path": "/", "nodes": hostile, "requests": [], "features": []}
    token = {"access_token": "t", "expires_at": 4102444800, "scope": "public"}
    page.add_init_script(
        f"sessionStorage.setItem('placeos.token', {json.dumps(json.dumps(token))});"
        f"sessionStorage.setItem('placeos.page.painted', {json.dumps(json.dumps(saved))});"
    )
    page.goto(live_server.url, wait_until="domcontentloaded")
    drawn = page.evaluate(
        """() => { const view = document.getElementById('saved-view'); return {
          pwned: window.__pwned, inert: view.inert, text: view.textContent,
          bad: view.querySelectorAll('script, iframe, [onclick], [style], [onerror], [onfocus], [action], '
            + '[formaction], [autofocus], img[src]').length,
          links: [...view.querySelectorAll('a')].map((a) => a.getAttribute('href')),
          value: view.querySelector('input').value}; }"""
    )
    assert drawn["pwned"] is None and drawn["bad"] == 0 and drawn["inert"] is True
    assert drawn["links"] == [None, None, None, "?q=room"]  # only this app's own addresses
    assert drawn["value"] == "<b>room</b>" and "<img src=x onerror=" in drawn["text"]


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


ROW_STATE = re.compile(r"^[○●◐] (Free|In use|Awaiting check-in)( until \d\d:\d\d( GMT[+-]\d+)?)?$")
# Each listed room's name and its state as the row says it, once every room the stand-in books has one.
ROW_STATES = """(expected) => {
  const rows = [...document.querySelectorAll('.system-row')].map((row) => [
    row.querySelector('.system-name').textContent,
    row.querySelector('.row-state').textContent.replace(/\\s+/g, ' ').trim()]);
  const known = rows.filter(([, said]) => said).length;
  return rows.length && known === rows.filter(([name]) => expected.includes(name)).length ? rows : null;
}"""


def test_each_row_says_if_its_room_is_free_now_and_free_now_keeps_only_those(
    browser: Browser, live_server: LiveServer
) -> None:
    # A viewer in London: rooms in Sydney and Melbourne read their own times, marked with their zone.
    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    systems = fixture_systems()
    booked = [s["name"] for s in systems if s["bookable"]]  # the stand-in's rooms with a Bookings module
    rows = page.wait_for_function(ROW_STATES, arg=booked, timeout=BOOT).json_value()
    zones = {s["name"]: s["timezone"] for s in systems}
    for name, said in rows:
        if name not in booked:
            assert said == "", name  # no Bookings module: the row says nothing rather than guess
            continue
        assert ROW_STATE.match(said), (name, said)
        if "until" in said:  # London's own rooms read as the viewer's clock; Australia's carry their zone
            assert ("GMT+" in said) == zones[name].startswith("Australia/"), (name, said)
    assert len(sockets) == 1  # the rows ride the page's one socket
    # Free now: on at once, in the address, and only the rooms free now stay.
    page.get_by_role("button", name="Free now", exact=True).click()
    expect(page).to_have_url(re.compile(r"free=now"), timeout=BOOT)
    note = page.locator("#free-note")
    expect(note).to_have_text(re.compile(r"^\d+ rooms? of the \d+ on this page (is|are) free now\.$"), timeout=BOOT)
    free = int(note.inner_text().split(" ")[0])
    states = page.locator(".system-row .row-state").all_inner_texts()
    assert len(states) == free and all(" ".join(state.split()).startswith("○ Free") for state in states), states
    expect(page.get_by_role("button", name="Remove filter Free now")).to_be_visible()
    expect(page.get_by_role("button", name="Free now", exact=True)).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.get_by_role("button", name="Free now", exact=True)).to_have_attribute(
        "aria-pressed", "true", timeout=BOOT
    )
    expect(note).to_have_text(re.compile(r"free now\.$"), timeout=BOOT)
    page.get_by_role("button", name="Remove filter Free now").click()
    expect(page).not_to_have_url(re.compile(r"free="), timeout=BOOT)
    expect(page.locator(".system-row")).to_have_count(20, timeout=BOOT)
    context.close()


def test_a_room_s_now_agrees_with_itself_and_reads_its_times_in_the_room_s_zone(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    sydney = next(s for s in fixture_systems() if s["bookable"] and s["timezone"] == "Australia/Sydney")
    page.goto(live_server.url + "?system=" + sydney["id"])
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#detail-title")).to_have_text(sydney["name"], timeout=BOOT)
    live = page.locator("#live")
    expect(live.locator(".status")).to_have_text(re.compile(r"(Free|In use|Awaiting check-in)"), timeout=BOOT)
    status = " ".join(live.locator(".status").inner_text().split())
    lines = live.locator(".live-booking").all_inner_texts()
    if status.startswith("○ Free"):  # nothing is on now: no current booking line
        assert not [line for line in lines if line.startswith(("Now:", "Booked now:"))], lines
    elif status.startswith("● In use"):
        assert lines and lines[0].startswith("Now: "), lines
    else:
        assert lines[:2] and lines[0].startswith("Booked now: ") and lines[1] == "Nobody has checked in yet.", lines
    for line in [status, *lines]:
        if re.search(r"\d\d:\d\d", line):
            assert re.search(r"\d\d:\d\d GMT\+1[01]", line), line  # the room's time, marked as Sydney's
    context.close()
