"""The kiosk's accelerated week: `make soak ARGS="--week"`. Prints figures; asserts nothing.

The board runs through `--days` simulated days (7) in headless Chromium against the real serve.py and its
stand-in, on one clock moved on for both: Playwright's page.clock in the page, and the stand-in's injected clock
(tests.live.MovableClock). Each step moves both clocks `--step` minutes on (10), as if the display had been
switched off and on again; the board's due timers fire once and it must catch up by itself. A step waits for a
renewal under way to end first (a running display's clock does not leap while its hidden frame loads). Along the
way:
- tokens live 2 hours, as PlaceOS's do, and are renewed in the hidden frame in their last 15 minutes (a step
  must not jump over the whole renewal window), with PlaceOS's own sign-in lasting 30 days;
- quiet hours run from 20:00 to 07:00 every night;
- each day at 13:00 the stand-in stops for `--outage` minutes (20) and starts again.

Reported: blank frames and DOM changes (target 0), sign-in screens (target 0), main-frame navigations (target 0),
memory growth from the end of the first day to the end (target < 10 MB), and the longest the board stayed stale
while PlaceOS was up: from a step, or from PlaceOS's return, to the board's next successful read (target < 15 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from soak import growth_rows, memory  # beside this script

from server.faults import Faults
from server.settings import ClientSettings, Settings
from server.standin.fixtures import fixture_systems
from tests.e2e.steps import WATCH_BLANKS, kiosk_sign_in
from tests.live import LiveServer, MovableClock, chromium_launch_options

QUIET = "20:00-07:00"
OUTAGE_AT_HOUR = 13
# Counts each time a sign-in screen or a "Sign-in needed" badge appears (a rising edge, not every DOM change).
WATCH_SIGN_IN = """
window.__signIns = 0;
let signInShown = false;
new MutationObserver(() => {
  const text = document.body ? document.body.textContent : '';
  const shown = text.includes('Sign-in needed') || text.includes('Sign in to PlaceOS');
  if (shown && !signInShown) window.__signIns++;
  signInShown = shown;
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
BOARD = """() => pyodide.runPython(`
from app.main import app
s = app.board.state
[s.fetched_at or 0, s.quiet, s.offline]
`).toJs()"""


RENEWING = "() => pyodide.runPython('from app.main import app\\napp.keeper.frames._running')"


@dataclass
class Week:
    steps: int = 0
    stale: list[float] = field(default_factory=list)  # real seconds from each step to the board's next read
    back: list[float] = field(default_factory=list)  # real seconds from PlaceOS's return to the board's next read
    quiet_wrong: int = 0  # steps at which the board was dimmed outside quiet hours, or awake inside them
    outage_sign_ins: int = 0  # badges during an outage that asked for a sign-in instead of saying offline
    tokens: set[str] = field(default_factory=set)
    memory: list[dict[str, float]] = field(default_factory=list)


def page_now(page: Page) -> float:
    return float(page.evaluate("() => Date.now() / 1000"))


def fresh_after(page: Page, since: float, limit_s: float = 60) -> float:
    """Real seconds until the board has read its rooms at or after `since` (page time)."""
    began = time.monotonic()
    while time.monotonic() - began < limit_s:
        if page.evaluate(BOARD)[0] >= since:
            return time.monotonic() - began
        time.sleep(0.05)
    return limit_s


def settled(page: Page, limit_s: float = 20) -> None:
    """Real time until no renewal is under way: a display's clock runs on while its hidden frame loads, and a jump
    in the middle of one would fire the frame's timeout at once (a 'failure' no running display meets)."""
    began = time.monotonic()
    while time.monotonic() - began < limit_s and page.evaluate(RENEWING):
        time.sleep(0.05)


def run(days: int, step_min: int, outage_min: int) -> None:
    clock = MovableClock()
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            data_path=Path(data) / "standin.sqlite3",
            realtime_speed=1.0,  # the simulated day runs on the moved clock itself
            faults=Faults(token_ttl_s=7200, session_timeout_min=30 * 24 * 60),
            client=ClientSettings(
                kiosk=True,
                storage="local",
                board_quiet=QUIET,
                board_system=fixture_systems()[0]["id"],
                board_heartbeat_s=60,
                expiry_warning_s=15 * 60,
                keep_start_up=False,
            ),
        )
        server = LiveServer(settings, clock=clock).start()
        try:
            server = drive(server, clock, days, step_min, outage_min)
        finally:
            server.stop()


def drive(server: LiveServer, clock: MovableClock, days: int, step_min: int, outage_min: int) -> LiveServer:
    week, crashes, navigations = Week(), list[str](), list[str]()
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium_launch_options())
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.clock.install()
        clock.follow(page)
        page.on("crash", lambda _: crashes.append("crash"))
        page.add_init_script(WATCH_BLANKS + WATCH_SIGN_IN)
        kiosk_sign_in(page, server)
        page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
        cdp = page.context.new_cdp_session(page)
        started, per_day = time.monotonic(), 24 * 60 // step_min
        for day in range(days):
            for _ in range(per_day):
                server = step(page, server, clock, step_min, outage_min, week)
            if day == 0:
                week.memory.append(memory(page, cdp))
            print(f"  day {day + 1}/{days} ({time.monotonic() - started:.0f} s)", flush=True)
        week.memory.append(memory(page, cdp))
        watched = page.evaluate("() => [window.__board, window.__signIns]")
        browser.close()
    report(week, days, watched[0], watched[1], len(navigations), len(crashes))
    return server


def step(page: Page, server: LiveServer, clock: MovableClock, step_min: int, outage_min: int, week: Week) -> LiveServer:
    clock.forward(page, step_min * 60)
    week.steps += 1
    hour = time.localtime(page_now(page)).tm_hour
    if hour == OUTAGE_AT_HOUR and time.localtime(page_now(page)).tm_min < step_min:
        server = outage(page, server, clock, outage_min, week)
    week.stale.append(fresh_after(page, page_now(page) - 1))
    settled(page)
    _, quiet, _ = page.evaluate(BOARD)
    local = time.localtime(page_now(page))
    minute = local.tm_hour * 60 + local.tm_min
    if abs(minute - 20 * 60) > 1 and abs(minute - 7 * 60) > 1 and quiet != (minute >= 20 * 60 or minute < 7 * 60):
        week.quiet_wrong += 1
    token = page.evaluate("() => JSON.parse(localStorage.getItem('placeos.token') || '{}').access_token || ''")
    week.tokens.add(str(token))
    return server


def outage(page: Page, server: LiveServer, clock: MovableClock, minutes: int, week: Week) -> LiveServer:
    server.stop()
    for _ in range(minutes):
        clock.forward(page, 60)
        page.wait_for_timeout(300)  # real time: the board's reads and the renewal fail, and say so
        badge = page.evaluate("() => document.getElementById('board-badge')?.textContent || ''")
        week.outage_sign_ins += "Sign-in" in badge
    server = server.restart()
    week.back.append(fresh_after(page, page_now(page)))
    return server


def report(week: Week, days: int, board: dict[str, int], sign_ins: int, navigations: int, crashes: int) -> None:
    first, last = week.memory
    rows = [
        ("simulated days, steps", f"{days}, {week.steps}", ""),
        ("tokens used", f"{len(week.tokens)} (one per 105 to 115 simulated minutes)", ""),
        ("frames watched / blank", f"{board['frames']} / {board['blankFrames']}", "0 blank"),
        ("DOM changes / blank", f"{board['mutations']} / {board['blankMutations']}", "0 blank"),
        ("sign-in screens", str(sign_ins), "0"),
        ("outage badges asking to sign in", str(week.outage_sign_ins), "0"),
        ("main-frame navigations", str(navigations), "0"),
        ("quiet hours wrong (steps)", str(week.quiet_wrong), "0"),
        *growth_rows(first, last),
        ("longest stale after a step", f"{max(week.stale):.1f} s", "< 15 s"),
        ("fresh after PlaceOS came back", f"max {max(week.back, default=0):.1f} s of {len(week.back)}", "< 15 s"),
        ("renderer crashes", str(crashes), "0"),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"\nKiosk week, {time.strftime('%Y-%m-%d')}:")
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:<44} {('target ' + target) if target else ''}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--week", action="store_true", help="(what selects this mode in scripts/soak.py)")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--step", type=int, default=10, help="minutes each step moves the clocks on")
    parser.add_argument("--outage", type=int, default=20, help="minutes the stand-in is away each day")
    args = parser.parse_args(argv)
    run(args.days, args.step, args.outage)
