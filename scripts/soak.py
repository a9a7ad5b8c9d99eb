"""Kiosk soak benchmark: the board through N renewal-and-reconnect cycles in headless Chromium, against the real
serve.py and its stand-in. Prints figures; asserts nothing.

    make soak                          # 100 cycles of a 13 s token: about 18 minutes
    make soak ARGS="--cycles 20"
    make soak ARGS="--week"            # seven simulated days on a moved clock (scripts/soak_week.py)

Each cycle is the app's own path, untouched: at 80 % of the token's life the board renews in a hidden frame and
its websocket reconnects with the new token. Reported, from the end of the first cycle to the last (so that
start-up and first-use allocations are not counted as growth):
- JS heap in use after a forced garbage collection (DevTools' Runtime.getHeapUsage);
- Pyodide's memory: the wasm heap's size (it only ever grows) and the Python objects alive after gc.collect();
- websockets the server holds open at the end (target 1), blank frames and blank DOM changes seen by a
  requestAnimationFrame loop and a MutationObserver (target 0), renderer crashes (target 0).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from server.faults import Faults  # noqa: E402
from server.settings import ClientSettings, Settings  # noqa: E402
from server.standin.container import STANDIN  # noqa: E402
from tests.e2e.steps import WATCH_BLANKS, kiosk_sign_in  # noqa: E402
from tests.live import LiveServer, chromium_launch_options  # noqa: E402

PYTHON_MEMORY = """async () => {
  const count = await pyodide.runPythonAsync('import gc, sys\\ngc.collect()\\nlen(gc.get_objects())');
  return {wasm: pyodide._module.HEAP8.buffer.byteLength, objects: count};
}"""


def memory(page: Page, cdp: Any) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")
    python = page.evaluate(PYTHON_MEMORY)
    return {"js": heap["usedSize"], "wasm": python["wasm"], "objects": python["objects"]}


def growth_rows(first: dict[str, float], last: dict[str, float]) -> list[tuple[str, str, str]]:
    """What memory() saw grow between two readings, as report rows (name, value, target)."""
    mb = 1024 * 1024
    js = f"{(last['js'] - first['js']) / mb:+.2f} MB ({first['js'] / mb:.1f} → {last['js'] / mb:.1f} MB)"
    wasm = f"{(last['wasm'] - first['wasm']) / mb:+.2f} MB ({last['wasm'] / mb:.0f} MB)"
    objects = f"{last['objects'] - first['objects']:+.0f} ({last['objects']:.0f} alive)"
    return [("JS heap growth", js, "< 10 MB"), ("wasm heap growth", wasm, "< 10 MB"), ("Python objects", objects, "")]


def token(page: Page) -> str:
    return str(json.loads(page.evaluate("() => localStorage.getItem('placeos.token')"))["access_token"])


def main() -> None:
    if "--week" in sys.argv:
        import soak_week  # beside this script

        soak_week.main(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--ttl", type=int, default=13, help="token lifetime in seconds (renewal spacing is 10 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            data_path=Path(data) / "standin.sqlite3",
            realtime_speed=60.0,
            faults=Faults(token_ttl_s=args.ttl),
            client=ClientSettings(kiosk=True, storage="local", board_rotate_s=5),
        )
        server = LiveServer(settings).start()
        try:
            run(server, args.cycles)
        finally:
            server.stop()


def run(server: LiveServer, cycles: int) -> None:
    crashes: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium_launch_options())
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.on("crash", lambda _: crashes.append("crash"))
        page.add_init_script(WATCH_BLANKS)
        kiosk_sign_in(page, server)
        cdp = page.context.new_cdp_session(page)
        seen = [token(page)]
        started = time.monotonic()
        baseline: dict[str, float] = {}
        per_cycle: list[float] = []
        for cycle in range(1, cycles + 1):
            began = time.monotonic()
            page.wait_for_function(
                "(seen) => { const t = localStorage.getItem('placeos.token');"
                " return t && JSON.parse(t).access_token !== seen; }",
                arg=seen[-1],
                timeout=120_000,
            )
            seen.append(token(page))
            per_cycle.append(time.monotonic() - began)
            if cycle == 1:
                page.wait_for_timeout(2_000)  # the reconnect and the first binds settle
                baseline = memory(page, cdp)
            if cycle % 10 == 0:
                eta = (time.monotonic() - started) / cycle * (cycles - cycle)
                print(f"  cycle {cycle}/{cycles}, about {eta / 60:.1f} min left", flush=True)
        page.wait_for_timeout(2_000)
        end = memory(page, cdp)
        watched = page.evaluate("() => window.__board")
        app = server.app
        assert app is not None
        sockets = server.call(lambda: app[STANDIN].realtime.open_sockets)
        frames = page.locator("iframe").count()
        nodes = page.evaluate("() => document.getElementsByTagName('*').length")
        browser.close()
    rows = [
        ("renewal cycles", f"{cycles} ({len(set(seen))} distinct tokens)", ""),
        ("median cycle", f"{statistics.median(per_cycle):.1f} s", ""),
        *growth_rows(baseline, end),
        ("sockets open at the end", str(sockets), "1"),
        ("frames watched / blank", f"{watched['frames']} / {watched['blankFrames']}", "0 blank"),
        ("DOM changes / blank", f"{watched['mutations']} / {watched['blankMutations']}", "0 blank"),
        ("renderer crashes", str(len(crashes)), "0"),
        ("iframes left, DOM elements", f"{frames}, {nodes}", ""),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"\nKiosk soak, {time.strftime('%Y-%m-%d')}:")
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:<40} {('target ' + target) if target else ''}")


if __name__ == "__main__":
    main()
