"""Steps the browser stories share: signing in as a person or a kiosk, waiting for the app and the loader's marks,
reading and revoking the token at the stand-in."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from app.auth.session import PAINTED_KEY
from app.core.config import Value
from tests.live import LiveServer

# How long a start may take: a cold Pyodide start is ~1.5 s alone, far longer with parallel stories on two cores.
BOOT = 60_000


EMAIL, PASSWORD = "demo@example.com", "demo-password"


def wait_for_sign_in_screen(page: Page) -> None:
    """Python's sign-in screen: the app is up (the server's copy of the card shows before, server/first_screen.py)."""
    page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)
    expect(page.get_by_role("heading", name="Sign in to PlaceOS")).to_be_visible(timeout=BOOT)


def sign_in_from_app(page: Page, server: LiveServer) -> None:
    """From the signed-out screen, through the stand-in's login page, back to the app."""
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Systems")).to_be_visible(timeout=BOOT)
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)


def stored_token(page: Page) -> str:
    raw = page.evaluate("() => sessionStorage.getItem('placeos.token')")
    assert raw, "no token in sessionStorage"
    return str(json.loads(raw)["access_token"])


def revoke(server: LiveServer, token: str) -> None:
    """PlaceOS stops accepting `token` (RFC 7009 at the stand-in), as when an administrator ends a session."""
    request = urllib.request.Request(
        server.url + "auth/oauth/revoke",
        data=urlencode({"token": token, "client_id": server.settings.client_id}).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    urllib.request.urlopen(request).close()


def wait_for_mark(page: Any, name: str, timeout: int = 60_000) -> None:
    page.wait_for_function("(name) => performance.getEntriesByName(name).length > 0", arg=name, timeout=timeout)


def has_mark(page: Any, name: str) -> bool:
    return bool(page.evaluate("(name) => performance.getEntriesByName(name).length > 0", name))


def forget_kept_runtime(page: Any) -> None:
    """The runtime's kept copies gone, as on a first visit: its files then come from the server (or fail to)."""
    page.evaluate(
        "() => { localStorage.removeItem('placeos.runtime'); return caches.delete('placeos-pyodide-runtime'); }"
    )


def set_token_expiry(page: Page, seconds_from_now: float) -> None:
    page.evaluate(
        """(s) => { const t = JSON.parse(sessionStorage.getItem('placeos.token')); t.expires_at = Date.now() / 1000 + s;
                    sessionStorage.setItem('placeos.token', JSON.stringify(t)); }""",
        seconds_from_now,
    )


def open_console(page: Page) -> None:
    page.keyboard.press("Control+Backquote")
    expect(page.get_by_label("Python input")).to_be_focused()


KIOSK: dict[str, Value] = {"kiosk": True, "storage": "local"}


WATCH_LOADING = """
window.__loading = {frames: 0, firstTile: null};
const look = () => {
  const boot = document.getElementById('boot');
  if (boot && boot.offsetParent !== null && !document.querySelector('.tile')) window.__loading.frames++;
  if (window.__loading.firstTile === null && document.querySelector('.tile')) {
    window.__loading.firstTile = performance.now();
  }
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""


def kiosk_sign_in(page: Page, server: LiveServer) -> None:
    """The one thing a person does for a kiosk: sign it in, once."""
    page.goto(server.url)
    expect(page.get_by_label("Password")).to_be_visible(timeout=BOOT)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#board .tile").first).to_be_visible(timeout=BOOT)


# Counts, from the first board on, every animation frame and every DOM change in which no room tile is on screen;
# and how often the document was loaded (a navigation would start it again from 1).
WATCH_BLANKS = """
window.__board = {seen: false, frames: 0, blankFrames: 0, mutations: 0, blankMutations: 0};
// The board's content: its tiles, or in quiet hours its clock (app.kiosk.view.quiet_view).
const tiles = () => document.querySelector('#board .tile, #board .board-quiet-clock') !== null;
const frame = () => {
  const b = window.__board;
  if (b.seen) { b.frames++; if (!tiles()) b.blankFrames++; } else if (tiles()) { b.seen = true; }
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
new MutationObserver(() => {
  const b = window.__board;
  if (b.seen) { b.mutations++; if (!tiles()) b.blankMutations++; }
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def wait_for_saved_board(page: Page) -> tuple[list[str], list[str]]:
    """The tiles' names and states as on screen, once the board has kept exactly them, tile by tile, for a reload
    or a reboot (it keeps its copy at most board_save_s behind): what a later start must paint at once. Read again
    on each look, since a live value may change while the board keeps the one before it."""
    handle = page.wait_for_function(
        """(key) => {
      const text = (node) => typeof node === 'string' ? node : node.slice(2).map(text).join('');
      const classes = (node) => typeof node === 'string' ? [] : String(node[1].class || '').split(' ');
      const kept = [];  // [name, status] of each tile in the saved tree, in order
      const walk = (node, tile) => {
        if (typeof node === 'string') return;
        if (classes(node).includes('tile')) { tile = ['', '']; kept.push(tile); }
        if (tile && classes(node).includes('tile-name')) tile[0] = text(node);
        if (tile && classes(node).includes('status')) tile[1] = text(node);
        node.slice(2).forEach((child) => walk(child, tile));
      };
      try { JSON.parse(localStorage.getItem(key) || '[]').forEach((node) => walk(node, null)); } catch { return null; }
      const names = [...document.querySelectorAll('.tile-name')].map((el) => el.innerText);
      const statuses = [...document.querySelectorAll('.tile .status')].map((el) => el.innerText);
      const same = names.length > 0 && names.length === kept.length && names.every((name, i) =>
        name === kept[i][0] && statuses[i].replace(/\\s+/g, ' ').trim() === kept[i][1].replace(/\\s+/g, ' ').trim());
      return same ? {names, statuses} : null;
    }""",
        arg=PAINTED_KEY,
        timeout=BOOT,
    )
    found = handle.json_value()
    return list(found["names"]), list(found["statuses"])


def freest_room() -> tuple[dict[str, Any], int]:
    """The bookable room free for longest from now, by the stand-in's seeded day (its clock is real time here), and
    a booking length that ends a minute before its next meeting (at most 30 min): at any minute of the week some room
    is free for at least 31 min."""
    from server.standin.fixtures import fixture_systems
    from server.standin.rooms import DAY_S, day_of_meetings

    now = int(time.time())
    free: list[tuple[int, dict[str, Any]]] = []
    for room in (r for r in fixture_systems() if r["bookable"]):
        meetings = day_of_meetings(room["id"], now // DAY_S) + day_of_meetings(room["id"], now // DAY_S + 1)
        if not any(m.start <= now < m.end for m in meetings):
            free.append((min((m.start for m in meetings if m.start > now), default=now + DAY_S) - now, room))
    longest, room = max(free, key=lambda found: found[0])
    return room, min(1800, longest - 60)
