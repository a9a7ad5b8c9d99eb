"""The README's screenshot, made from the running app rather than by hand, so it can be kept current:

    make screenshot                      # docs/screenshot.png: the systems list, filtered, and a room's detail
    make screenshot ARGS="--out x.png --dark"

It starts serve.py's app with the stand-in PlaceOS on a free loopback port, signs in as the demo user in headless
Chromium, filters the list and opens a room beside it, and writes one PNG.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from server.settings import Settings  # noqa: E402
from tests.live import LiveServer, chromium_launch_options  # noqa: E402

WIDTH, HEIGHT = 1280, 860


def sign_in(page: Page, settings: Settings) -> None:
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(settings.demo_email)
    page.get_by_label("Password").fill(settings.demo_password)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".system-row").first.wait_for(timeout=60_000)


def shoot(out: Path, dark: bool = False, browser: Browser | None = None) -> Path:
    """Write the screenshot to `out` and return it (in `browser` if given, else in a Chromium of its own)."""
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(replace(Settings(), data_path=Path(tmp) / "shot.sqlite3")).start()
        try:
            if browser is not None:
                photograph(browser, server, out, dark)
            else:
                with sync_playwright() as p:
                    own = p.chromium.launch(**chromium_launch_options())
                    photograph(own, server, out, dark)
                    own.close()
        finally:
            server.stop()
    return out


def photograph(browser: Browser, server: LiveServer, out: Path, dark: bool) -> None:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, color_scheme="dark" if dark else "light", device_scale_factor=1
    )
    page = context.new_page()
    page.goto(server.url + "?building=zone-bld-syd01")
    page.get_by_role("heading", name="Sign in to PlaceOS").wait_for(timeout=60_000)
    sign_in(page, server.settings)
    page.locator(".active-filters").wait_for()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)  # the last frame of the render, and fonts
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))
    context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--dark", action="store_true", help="in dark mode")
    args = parser.parse_args(argv)
    print(f"screenshot: {shoot(args.out, args.dark)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
