"""The kiosk board in real Chromium against serve.py and its stand-in PlaceOS: a wall display that must never go
blank and never need a person after its first sign-in (issue 10)."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, WebSocket, WebSocketRoute, expect

from app.auth.session import TOKEN_KEY
from server.faults import Faults
from server.settings import ClientSettings
from server.standin.container import STANDIN
from server.standin.fixtures import fixture_systems
from tests.e2e.steps import BOOT, KIOSK, WATCH_BLANKS, WATCH_LOADING, kiosk_sign_in, wait_for_saved_board
from tests.live import LiveServer, MovableClock


@pytest.fixture
def keep_start_up() -> bool:
    return False  # these stories never come back to a kept start (tests/conftest.py)


DISPLAY = fixture_systems()[0]["id"]  # a system standing for the display itself
# A tile's state: its shape, then its words as PlaceOS means them.
STATE_WORDS = re.compile(r"^[○◐●] (Free|Free until \d\d:\d\d|Awaiting check-in|In use|In use until \d\d:\d\d)$")

pytestmark = pytest.mark.browser


# Frames in which the loader's loading screen shows, and when the first room tile did.


def kept_token(page: Page) -> str:
    raw = page.evaluate("() => localStorage.getItem('placeos.token')")
    assert raw, "no token in localStorage"
    return str(json.loads(raw)["access_token"])


def open_sockets(server: LiveServer) -> int:
    assert server.app is not None
    app = server.app
    return int(server.call(lambda: app[STANDIN].realtime.open_sockets))


def settled_sockets(server: LiveServer, page: Page, expected: int, within_s: float = 5) -> int:
    """The server's open sockets, once they reach `expected` (the server's side of a close ends just after it)."""
    for _ in range(int(within_s * 10)):
        if open_sockets(server) == expected:
            break
        page.wait_for_timeout(100)
    return open_sockets(server)


def font_px(page: Page, selector: str) -> float:
    return float(page.evaluate(f"() => parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"))


# the board itself (item 1) ---------------------------------------------------------------------------------------


def cut_off(page: Page) -> list[str]:
    """What on the tiles is cut at its edge: a room's name, a state, a time, the seats and later meetings, or a tile
    taller than its cell. (A long meeting title is shortened at a word on purpose and may end in an ellipsis.)"""
    return list(
        page.evaluate(
            """() => {
      const cut = [];
      for (const el of document.querySelectorAll('.tile-name, .tile .status, .tile-when, .tile-meta')) {
        if (el.scrollWidth > el.clientWidth + 1) cut.push(el.className + ': ' + el.textContent);
      }
      for (const tile of document.querySelectorAll('.tile')) {
        if (tile.scrollHeight > tile.clientHeight + 1) cut.push('tile: ' + tile.textContent);
      }
      return cut;
    }"""
        )
    )


def test_the_board_fills_the_screen_reads_from_3_m_turns_pages_and_has_nothing_to_press(
    page: Page, server_factory: Any
) -> None:
    server = server_factory(client=ClientSettings(**KIOSK, board_rotate_s=3), realtime_speed=60.0)
    page.set_viewport_size({"width": 1920, "height": 1080})
    kiosk_sign_in(page, server)
    board = page.locator("#board")
    expect(board.get_by_role("heading", name="Rooms")).to_be_visible()
    assert page.locator("button, input, a, select, textarea").count() == 0  # no sign-out, no search, no buttons
    assert page.evaluate("() => getComputedStyle(document.body).cursor") == "none"
    assert font_px(page, ".tile-name") >= 32
    # The minute may turn between the page's last tick (at most a second or two ago) and our reading.
    expect(page.locator("#board-clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    shown_clock = page.locator("#board-clock").inner_text()
    now = time.time()
    assert shown_clock in {time.strftime("%H:%M", time.localtime(now - lag)) for lag in (0, 3)}, shown_clock
    expect(page.locator("#board-updated")).to_contain_text("Updated ")
    # A word as well as a colour, from the live connection.
    expect(page.locator(".tile .status").first).to_have_text(STATE_WORDS)
    # 32 rooms, 16 to a 1080p page: the page turns by itself.
    expect(page.locator("#board-pages")).to_contain_text(" of 2")
    # The page shown and its rooms, read together (the page may turn between two reads).
    shown = page.evaluate(
        "() => ({page: document.querySelector('#board-pages').innerText,"
        " names: [...document.querySelectorAll('.tile-name')].map((name) => name.innerText)})"
    )
    page.wait_for_function(
        "(before) => document.querySelector('#board-pages').innerText !== before", arg=shown["page"], timeout=8_000
    )
    assert not set(page.locator(".tile-name").all_inner_texts()) & set(shown["names"])
    assert cut_off(page) == []
    # Portrait and 4K: still readable, every tile inside the screen, nothing on a tile cut off.
    for width, height in ((1080, 1920), (3840, 2160)):
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(
            "() => new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)))"
        )  # the resize handled, the board drawn
        assert font_px(page, ".tile-name") >= 32
        bottom = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('.tile')].map(t => t.getBoundingClientRect().bottom))"
        )
        assert bottom <= height
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert cut_off(page) == []


def test_a_board_shows_the_rooms_of_its_zone(page: Page, server_factory: Any) -> None:
    server = server_factory(client=ClientSettings(**KIOSK, board_zone="zone-lvl-syd01-02"))
    kiosk_sign_in(page, server)
    shown = set(page.locator(".tile").evaluate_all("tiles => tiles.map(t => t.dataset.room)"))
    assert server.app is not None
    app = server.app
    systems = server.call(lambda: app[STANDIN].systems.systems)
    expected = {s["id"] for s in systems if "zone-lvl-syd01-02" in s["zones"]}
    assert shown == expected and 0 < len(expected) < len(systems)


# never blank, through renewals (items 2, 3, 4 and 6) ------------------------------------------------------------


@dataclass
class SocketLog:
    """The page's websockets in the order they opened: their URLs carry no token (it travels in a cookie on the
    socket's path, app.api.socket_auth), so a socket opened after a renewal is the one on the new token."""

    sockets: list[WebSocket] = field(default_factory=list)
    closed: set[int] = field(default_factory=set)

    def opened(self, ws: WebSocket) -> None:
        assert "token" not in ws.url, ws.url
        index = len(self.sockets)
        self.sockets.append(ws)
        ws.on("close", lambda _: self.closed.add(index))


def test_ten_renewals_through_a_night_the_board_never_blanks_never_navigates_goes_quiet_and_wakes(
    browser: Browser, server_factory: Any
) -> None:
    # PlaceOS's 2-hour tokens, on a clock moved on to just inside each renewal window (the last 5 minutes): ten
    # renewals in a row are 19 hours of the display's life, from 18:30 through quiet hours to the next afternoon.
    clock = MovableClock()
    server = server_factory(
        clock=clock,
        faults=Faults(token_ttl_s=7200),
        client=ClientSettings(**KIOSK, board_rotate_s=24 * 3600, board_quiet="20:00-07:00"),
        realtime_speed=60.0,
    )
    context = browser.new_context(viewport={"width": 1280, "height": 720}, timezone_id="Australia/Sydney")
    page = context.new_page()
    page.clock.install(time=datetime(2026, 12, 3, 18, 30, tzinfo=ZoneInfo("Australia/Sydney")))
    clock.follow(page)
    page.add_init_script(WATCH_BLANKS)
    kiosk_sign_in(page, server)
    sockets = SocketLog()
    page.on("websocket", sockets.opened)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    tokens = [kept_token(page)]
    boards, quiet, shifts = {page.locator("#board .board-grid").inner_text()}, [], set()
    for cycle in range(10):
        clock.forward(page, 7200 - 300 + 5)
        deadline = time.monotonic() + 20
        # A renewal that fails once (a busy machine) drops the token and tries again: wait for a new one to be kept.
        kept = "() => JSON.parse(localStorage.getItem('placeos.token') || '{}').access_token || ''"
        while page.evaluate(kept) in [*tokens, ""] and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert kept_token(page) not in tokens, f"cycle {cycle}: not renewed"
        tokens.append(kept_token(page))
        clock.follow(page)
        # The live connection moves to the new token: a new socket, and the one on the old token is closed.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(sockets.sockets) < cycle + 1:
            page.wait_for_timeout(100)
        assert len(sockets.sockets) >= cycle + 1, f"cycle {cycle}: no socket on the new token"
        local = page.evaluate("() => new Date().getHours()")
        dimmed = page.locator("#board.board-quiet")
        expect(dimmed).to_have_count(1 if local >= 20 or local < 7 else 0)
        quiet.append(dimmed.count() == 1)
        shifts.add(page.locator("#board").get_attribute("class"))
        if not quiet[-1]:
            boards.add(page.locator("#board .board-grid").inner_text())
    assert quiet[0] is True and quiet[-1] is False and quiet.count(True) >= 4, quiet  # a night, and a morning
    assert len(shifts) >= 4, shifts  # the board moved over the hours, so nothing burns in
    assert navigations == []  # the main frame never navigated: no redirect, no reload, no loading screen
    watched = page.evaluate("() => window.__board")
    # On the moved clock animation frames come only as fast as its timers: every DOM change is the firmer count.
    assert watched["frames"] > 30 and watched["mutations"] > 30, watched
    assert watched["blankFrames"] == 0 and watched["blankMutations"] == 0, watched
    assert len(set(tokens)) == 11
    # Every socket but the newest was closed; the server holds exactly one.
    deadline = time.monotonic() + 10
    while not sockets.closed >= set(range(len(sockets.sockets) - 1)) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert sockets.closed >= set(range(len(sockets.sockets) - 1)), (len(sockets.sockets), sorted(sockets.closed))
    assert settled_sockets(server, page, 1) == 1
    assert len(boards) >= 3  # live values changed on screen, with no page turn to change them
    assert page.locator("iframe").count() == 0
    context.close()


def test_one_tab_renews_a_shared_token_and_the_others_adopt_it(browser: Browser, server_factory: Any) -> None:
    server = server_factory(client=ClientSettings(**KIOSK))
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    kiosk_sign_in(first, server)
    second.goto(server.url)
    # The loader draws the saved board before Python starts: wait for the app itself.
    second.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)
    renewals: list[str] = []
    context.on("request", lambda r: renewals.append(r.url) if "prompt=none" in r.url else None)
    # The first tab's frame request is held at the network until the second tab has tried too, so the two
    # renewals overlap for certain (left to timing, the first could finish before the second starts, and then
    # a second renewal of a token that was just renewed on request would be right).
    held: list[Any] = []
    context.route(lambda url: "prompt=none" in url, lambda route: held.append(route))
    before = kept_token(first)
    start = (
        "() => { window.__renewal = pyodide.runPythonAsync("
        "`from app.main import app\nawait app.keeper.renew_in_frame()`); }"
    )
    first.evaluate(start)
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        first.wait_for_timeout(20)
    assert len(held) == 1, "the first tab never asked PlaceOS for a token in a frame"
    second.evaluate(start)  # while the first tab is renewing: the lock is taken, so this tab leaves it be
    assert second.evaluate("async () => await window.__renewal") == "not-tried"
    held[0].continue_()
    assert first.evaluate("async () => await window.__renewal") == "renewed"
    assert len(renewals) == 1, renewals  # one renewal in a frame for both tabs
    second.wait_for_function(
        "(before) => JSON.parse(localStorage.getItem('placeos.token')).access_token !== before",
        arg=before,
    )
    after = kept_token(first)
    assert after != before
    # The second tab's Python uses the renewed token, not only its storage.
    used = second.evaluate(
        "() => pyodide.runPython(`from app.main import app\napp.session.token().access_token.reveal()`)"
    )
    assert used == after
    context.close()


# PlaceOS goes away, or its session ends (items 3, 5 and 6) ----------------------------------------------------


def offline_badge_is_true(page: Page) -> str:
    """The badge's promise, checked against the page's clock: "Trying again now", or at a time not yet past."""
    # What the badge says, and the time one second ago: it is drawn each second, so it may be that far behind.
    text, now = page.evaluate(
        "() => [document.getElementById('board-badge')?.textContent || '',"
        " new Date(Date.now() - 1000).toTimeString().slice(0, 8)]"
    )
    assert "Offline: PlaceOS cannot be reached." in text, text
    assert "Sign-in" not in text and "Reload" not in text, text
    promised = re.search(r"Trying again (?:at (\d\d:\d\d:\d\d)|now)", text)
    assert promised, text
    assert promised.group(1) is None or promised.group(1) >= now, (text, now)
    return promised.group(0)


def fresh_within_15_s(page: Page, server: LiveServer) -> LiveServer:
    """PlaceOS back: the badge goes and the board reads again within 15 s, on one socket."""
    badge = page.locator("#board-badge")
    updated = page.locator("#board-updated").inner_text()
    restarted = server.restart()
    back = time.monotonic()
    expect(badge).to_have_count(0, timeout=15_000)
    expect(page.locator("#board-updated")).not_to_have_text(updated)
    assert time.monotonic() - back <= 15
    expect(page.locator("#board .tile").first).to_be_visible()
    assert settled_sockets(restarted, page, 1, within_s=30) == 1
    expect(badge).to_have_count(0)
    return restarted


def test_the_stand_in_stopped_for_40_s_then_5_minutes_the_board_says_offline_with_true_times_and_is_fresh_within_15_s(
    page: Page, server_factory: Any
) -> None:
    clock = MovableClock()
    page.clock.install()
    # No page turns: the rooms on screen are the data the board keeps while PlaceOS is away.
    server = server_factory(clock=clock, client=ClientSettings(**KIOSK, board_refresh_s=5, board_rotate_s=3600))
    kiosk_sign_in(page, server)
    clock.follow(page)
    names = page.locator(".tile-name").all_inner_texts()
    server.stop()
    expect(page.locator("#board-badge")).to_contain_text("Offline: PlaceOS cannot be reached.", timeout=20_000)
    assert page.locator(".tile-name").all_inner_texts() == names  # the rooms stay
    promises = set()
    for _ in range(8):  # 40 s away on the moved clock, 5 s at a time: each retry the board promised comes due
        clock.forward(page, 5)
        page.wait_for_timeout(300)  # real time for what the jump set off: a read, a reconnect, each failing
        promises.add(offline_badge_is_true(page))
    assert len(promises) >= 3  # it kept trying, and said when each time
    server = fresh_within_15_s(page, server)
    # Five minutes away, on the moved clock: twenty steps of 15 s, each as long as the board's longest wait.
    server.stop()
    expect(page.locator("#board-badge")).to_contain_text("Offline: PlaceOS cannot be reached.", timeout=20_000)
    promises.clear()
    for _ in range(20):
        clock.forward(page, 15)
        page.wait_for_timeout(300)  # real time for what the jump set off: a read, a reconnect, each failing
        promises.add(offline_badge_is_true(page))
    assert len(promises) >= 3
    assert page.locator(".tile-name").all_inner_texts() == names
    fresh_within_15_s(page, server).stop()


def test_when_the_placeos_session_ends_the_board_keeps_its_data_and_says_sign_in_needed(
    page: Page, server_factory: Any
) -> None:
    # No page turn while it waits (the rooms on screen are the data kept).
    server = server_factory(faults=Faults(token_ttl_s=10), client=ClientSettings(**KIOSK, board_rotate_s=3600))
    kiosk_sign_in(page, server)
    names = page.locator(".tile-name").all_inner_texts()
    ended = page.evaluate("(key) => JSON.parse(localStorage.getItem(key)).expires_at", TOKEN_KEY)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.context.clear_cookies()  # PlaceOS's session is gone: the renewal at 8 s finds none
    badge = page.locator("#board-badge")
    expect(badge).to_contain_text("Sign-in needed: PlaceOS has no session for this display.", timeout=20_000)
    expect(badge).to_contain_text("An administrator must sign in to PlaceOS at 127.0.0.1")
    # Past the token's end too, by two of the board's one-second ticks.
    page.wait_for_function("(ended) => Date.now() / 1000 > ended + 2", arg=ended, timeout=20_000)
    assert page.locator(".tile-name").all_inner_texts() == names and navigations == []
    expect(badge).to_contain_text(re.compile(r"Trying again (at \d\d:\d\d:\d\d|now)\."))


def test_a_reload_with_placeos_unreachable_paints_the_last_state_with_the_offline_badge(
    page: Page, server_factory: Any
) -> None:
    server = server_factory(client=ClientSettings(**KIOSK, board_save_s=1, board_rotate_s=3600))
    kiosk_sign_in(page, server)
    expect(page.locator(".tile .status").first).to_be_visible()
    names, statuses = wait_for_saved_board(page)

    def refuse(ws: WebSocketRoute) -> None:
        ws.close(code=1011)

    page.add_init_script(WATCH_LOADING)
    page.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.route("**/auth/**", lambda route: route.abort("internetdisconnected"))
    page.route_web_socket("**/systems/control**", refuse)
    page.reload()
    expect(page.locator("#board .tile").first).to_be_visible(timeout=BOOT)
    assert page.locator(".tile-name").all_inner_texts() == names
    assert page.locator(".tile .status").all_inner_texts() == statuses  # the live state it last knew
    badge = page.locator("#board-badge")
    expect(badge).to_contain_text("Offline", timeout=20_000)
    expect(badge).to_contain_text(re.compile(r"Trying again (at \d\d:\d\d:\d\d|now)\."))
    expect(badge).to_contain_text("Showing what was known at")
    # The board was there before Python was: the loader drew the saved copy, and no frame showed the loading screen.
    seen = page.evaluate(
        "() => ({loading: window.__loading.frames, tile: window.__loading.firstTile,"
        " python: performance.getEntriesByName('python-ready')[0].startTime,"
        " painted: performance.getEntriesByName('saved-view-painted').length})"
    )
    assert seen["painted"] == 1 and seen["loading"] == 0 and seen["tile"] < seen["python"], seen


def test_the_loader_draws_a_saved_board_as_text_whatever_storage_holds(page: Page, server_factory: Any) -> None:
    live_server = server_factory(client=ClientSettings(**KIOSK))
    hostile = [
        ["main", {"id": "board", "onclick": "window.__pwned = 1"}, ["script", {}, "window.__pwned = 2"]],
        ["p", {"class": "tile", "style": "x", "href": "javascript:1"}, "<img src=x onerror='window.__pwned = 3'>"],
        ["iframe", {"src": "https://example.com/"}],
        "plain",
        ["div", {}, *[["div", {}, "deep"]] * 3],
    ]
    page.add_init_script(f"localStorage.setItem('placeos.board.painted', {json.dumps(json.dumps(hostile))})")
    page.goto(live_server.url, wait_until="domcontentloaded")
    drawn = page.evaluate(
        """() => ({pwned: window.__pwned, scripts: document.querySelectorAll('#saved-view script').length,
                  frames: document.querySelectorAll('#saved-view iframe, #saved-view img').length,
                  handlers: document.querySelector('#saved-view [onclick], #saved-view [style], #saved-view [href]'),
                  text: document.getElementById('saved-view').textContent})"""
    )
    assert drawn["pwned"] is None and drawn["scripts"] == 0 and drawn["frames"] == 0 and drawn["handlers"] is None
    assert "<img src=x onerror='window.__pwned = 3'>" in drawn["text"]


def test_a_board_with_its_own_system_beats_and_placeos_sees_it_age_once_the_board_is_gone(
    page: Page, server_factory: Any
) -> None:
    server = server_factory(client=ClientSettings(**KIOSK, board_system=DISPLAY, board_heartbeat_s=2))

    def last_seen() -> int | None:
        app = server.app
        assert app is not None
        seen = server.call(lambda: app[STANDIN].signage_last_seen.get(DISPLAY))
        return int(seen) if seen is not None else None

    kiosk_sign_in(page, server)
    deadline = time.monotonic() + 20
    beats = set()
    while len(beats) < 2 and time.monotonic() < deadline:  # two beats, a couple of seconds apart
        if (seen := last_seen()) is not None:
            beats.add(seen)
        page.wait_for_timeout(200)
    assert len(beats) >= 2, beats
    page.close()  # the display is switched off
    # What PlaceOS shows ages past three beats: nobody stamps it any more (a board still beating never gets there).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and time.time() - (last_seen() or 0) < 3 * 2:
        time.sleep(0.2)
    assert time.time() - (last_seen() or 0) >= 3 * 2


def test_a_module_call_shows_on_the_board_at_once(page: Page, server_factory: Any) -> None:
    from tests.e2e.steps import freest_room

    free, length = freest_room()
    server = server_factory(client=ClientSettings(**KIOSK, board_search=free["name"]))
    kiosk_sign_in(page, server)
    tile = page.locator("#board .tile").filter(has=page.locator(".tile-name", has_text=free["name"]))
    expect(tile.locator(".status")).to_have_text(re.compile(r"^○ Free"))
    token = json.loads(page.evaluate(f"() => localStorage.getItem('{TOKEN_KEY}')"))["access_token"]
    # A console, a page of one's own or another client calls the room's Bookings module: PlaceOS's exec.
    call = urllib.request.Request(
        f"{server.url}api/engine/v2/systems/{free['id']}/Bookings_1/book_now",
        data=json.dumps([length, "Booked by a module call"]).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(call).close()
    expect(tile.locator(".status")).to_have_text(re.compile(r"^● In use"), timeout=15_000)  # over the live socket
    expect(tile).to_contain_text("Booked by a module call")
