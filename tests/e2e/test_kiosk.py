"""The kiosk board in real Chromium against serve.py and its stand-in PlaceOS: a wall display that must never go
blank and never need a person after its first sign-in (issue 10)."""

from __future__ import annotations

import json
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocket, WebSocketRoute, expect

from app.auth.session import TOKEN_KEY
from server.faults import Faults
from server.settings import ClientSettings
from server.standin.container import STANDIN
from server.standin.fixtures import fixture_systems
from tests.e2e.steps import BOOT, KIOSK, WATCH_BLANKS, WATCH_LOADING, kiosk_sign_in, wait_for_saved_board
from tests.live import LiveServer


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
    expect(page.locator("#board-clock")).to_have_text(time.strftime("%H:%M"))
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
    sockets: list[tuple[str, WebSocket]] = field(default_factory=list)
    closed: set[int] = field(default_factory=set)

    def opened(self, ws: WebSocket) -> None:
        token = ws.url.split("bearer_token=", 1)[-1]
        index = len(self.sockets)
        self.sockets.append((token, ws))
        ws.on("close", lambda _: self.closed.add(index))


def test_ten_renewals_in_a_row_the_board_never_blanks_never_navigates_and_follows_the_new_token(
    page: Page, server_factory: Any
) -> None:
    # A 10 s token renews every 8 s (in the last fifth of its life): ten renewals in about 80 s.
    server = server_factory(
        faults=Faults(token_ttl_s=10),
        client=ClientSettings(**KIOSK, board_rotate_s=3600),
        realtime_speed=60.0,
    )
    page.add_init_script(WATCH_BLANKS)
    kiosk_sign_in(page, server)
    sockets = SocketLog()
    page.on("websocket", sockets.opened)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    tokens = [kept_token(page)]
    boards = {page.locator("#board .board-grid").inner_text()}
    for cycle in range(10):
        page.wait_for_function(
            "(seen) => { const t = localStorage.getItem('placeos.token');"
            " return t && !seen.includes(JSON.parse(t).access_token); }",
            arg=tokens,
            timeout=30_000,
        )
        tokens.append(kept_token(page))
        # The live connection moves to the new token, and the one on the old token is closed.
        page.wait_for_function("() => true")  # let the page's event loop turn
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(token == tokens[-1] for token, _ in sockets.sockets):
            page.wait_for_timeout(100)
        assert any(token == tokens[-1] for token, _ in sockets.sockets), f"cycle {cycle}: no socket on the new token"
        boards.add(page.locator("#board .board-grid").inner_text())
    assert navigations == []  # the main frame never navigated: no redirect, no reload, no loading screen
    watched = page.evaluate("() => window.__board")
    assert watched["frames"] > 100 and watched["mutations"] > 10, watched
    assert watched["blankFrames"] == 0 and watched["blankMutations"] == 0, watched
    assert len(set(tokens)) == 11
    # Every socket but the newest was closed; the server holds exactly one.
    deadline = time.monotonic() + 10
    while not sockets.closed >= set(range(len(sockets.sockets) - 1)) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert sockets.closed >= set(range(len(sockets.sockets) - 1)), (len(sockets.sockets), sorted(sockets.closed))
    assert settled_sockets(server, page, 1) == 1
    assert len(boards) >= 5  # live values changed on screen, with no page turn to change them
    assert page.locator("iframe").count() == 0


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


def restart(server: LiveServer) -> LiveServer:
    """serve.py stopped and started again on the same port, with the same data (its tokens stay good)."""
    server.stop()
    sock = socket.create_server(("127.0.0.1", server.settings.port))
    return LiveServer(server.settings).start(sock)


def test_the_stand_in_stopped_for_40_s_the_board_says_offline_with_true_retry_times_and_is_fresh_within_15_s(
    page: Page, server_factory: Any
) -> None:
    server = server_factory(client=ClientSettings(**KIOSK, board_refresh_s=5))
    kiosk_sign_in(page, server)
    names = page.locator(".tile-name").all_inner_texts()
    server.stop()
    stopped = time.monotonic()
    badge = page.locator("#board-badge")
    expect(badge).to_contain_text("Offline: PlaceOS cannot be reached.", timeout=20_000)
    assert page.locator(".tile-name").all_inner_texts() == names  # the rooms stay
    # Each second of the outage: the time it promises is now or later, and nothing asks for a person.
    promises = set()
    while time.monotonic() - stopped < 40:
        # What the badge says, and the time one second ago: it is drawn each second, so it may be that far behind.
        seen = page.evaluate(
            "() => [document.getElementById('board-badge')?.textContent || '',"
            " new Date(Date.now() - 1000).toTimeString().slice(0, 8)]"
        )
        text, now = seen
        assert "Sign-in" not in text and "Reload" not in text, text
        promised = re.search(r"Trying again (?:at (\d\d:\d\d:\d\d)|now)", text)
        assert promised, text
        assert promised.group(1) is None or promised.group(1) >= now, (text, now)
        promises.add(promised.group(0))
        page.wait_for_timeout(1000)  # a sample a second: the outage itself lasts 40 s
    assert len(promises) >= 3  # it kept trying, and said when each time
    updated = page.locator("#board-updated").inner_text()
    restarted = restart(server)
    back = time.monotonic()
    try:
        expect(badge).to_have_count(0, timeout=15_000)
        expect(page.locator("#board-updated")).not_to_have_text(updated)
        assert time.monotonic() - back <= 15
        expect(page.locator("#board .tile").first).to_be_visible()
        assert settled_sockets(restarted, page, 1, within_s=30) == 1
        expect(badge).to_have_count(0)
    finally:
        restarted.stop()


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
