"""Start-up benchmark in headless Chromium against the real serve.py app. Prints figures; asserts nothing.

    make bench                  # 5 runs each
    make bench ARGS="--runs 9"

Measures, as medians over N runs: navigation start -> Python ready (loadPyodide done) and -> app ready (the
first screen rendered by Python), cold (a new browser profile: empty HTTP and code caches) and warm (the same
profile again, as a returning visitor's browser, with the start-up snapshot and app bytecode its first visit
made); and the bytes on the wire (Chrome DevTools Protocol encodedDataLength: headers and bodies), counted in
separate loads because DevTools' network instrumentation slows a load down (by ~70 ms warm). Profiles are real
on-disk ones: Playwright's incognito contexts keep no V8 code cache, which no real returning visitor lacks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from server.settings import Settings  # noqa: E402
from tests.live import LiveServer, chromium_launch_options  # noqa: E402

TARGETS = {"warm_ms": 1300, "cold_ms": 2300, "cold_bytes": 6_500_000, "warm_bytes": 10_000}


def load_once(context: Any, url: str, count_bytes: bool = False, wait_for_snapshot: bool = False) -> dict[str, float]:
    page = context.new_page()
    received = {"bytes": 0.0}
    if count_bytes:  # DevTools' network instrumentation slows loading down, so timed runs go without it
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on(
            "Network.loadingFinished",
            lambda e: received.__setitem__("bytes", received["bytes"] + e["encodedDataLength"]),
        )
    page.goto(url)
    page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=60_000)
    marks = page.evaluate("""() => ({
        python: performance.getEntriesByName('python-ready')[0].startTime,
        app: performance.getEntriesByName('app-ready')[0].startTime,
    })""")
    page.wait_for_load_state("networkidle")
    if wait_for_snapshot:  # the first visit leaves a start-up snapshot and the app's bytecode, made in idle time
        for mark in ("bytecode-saved", "snapshot-saved"):
            page.wait_for_function("(m) => performance.getEntriesByName(m).length > 0", arg=mark, timeout=60_000)
    page.close()
    return {"python_ms": marks["python"], "app_ms": marks["app"], "bytes": received["bytes"]}


def cold_load(p: Any, url: str, count_bytes: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(profile, headless=True, **chromium_launch_options())
        try:
            return load_once(context, url, count_bytes=count_bytes)
        finally:
            context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(replace(Settings(), data_path=Path(tmp) / "bench.sqlite3")).start()
        try:
            with sync_playwright() as p:
                cold = [cold_load(p, server.url) for _ in range(args.runs)]
                cold_bytes = [cold_load(p, server.url, count_bytes=True)["bytes"] for _ in range(2)]
                with tempfile.TemporaryDirectory() as profile:
                    context = p.chromium.launch_persistent_context(profile, headless=True, **chromium_launch_options())
                    load_once(context, server.url, wait_for_snapshot=True)  # fill the caches
                    warm = [load_once(context, server.url) for _ in range(args.runs)]
                    warm_bytes = [load_once(context, server.url, count_bytes=True)["bytes"] for _ in range(2)]
                    context.close()
        finally:
            server.stop()

    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    rows = [
        ("cold: navigation -> Python ready", f"{med(cold, 'python_ms'):.0f} ms", ""),
        ("cold: navigation -> app ready", f"{med(cold, 'app_ms'):.0f} ms", f"target <= {TARGETS['cold_ms']} ms"),
        ("warm: navigation -> Python ready", f"{med(warm, 'python_ms'):.0f} ms", ""),
        ("warm: navigation -> app ready", f"{med(warm, 'app_ms'):.0f} ms", f"target <= {TARGETS['warm_ms']} ms"),
        (
            "cold: bytes on the wire",
            f"{statistics.median(cold_bytes) / 1e6:.2f} MB",
            f"target <= {TARGETS['cold_bytes'] / 1e6} MB",
        ),
        (
            "warm: bytes on the wire",
            f"{statistics.median(warm_bytes) / 1e3:.1f} KB",
            f"target <= {TARGETS['warm_bytes'] / 1e3} KB",
        ),
    ]
    print(f"medians of {args.runs} runs, headless Chromium, {server.url}")
    for name, value, target in rows:
        print(f"  {name:<36} {value:>10}   {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
