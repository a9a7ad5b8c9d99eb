"""A developer's own pages (serve.py --pages, --reload): a page in the navigation at its own address, signed in,
booking a room through exec that the room's detail then shows; a save swapped in place with the socket open; a
broken page's traceback in the page; an app module's save swapped in place too, socket open, a broken one said on
screen while the app runs on, and one that cannot be swapped reloading the tab signed in and in place."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocket, expect

from server.settings import ROOT
from tests.e2e.steps import BOOT, freest_room, sign_in_from_app

pytestmark = pytest.mark.browser


def saved(path: Path, text: str | None = None) -> float:
    """Write (or only touch) a file as an editor saves it; the moment it was saved."""
    if text is not None:
        path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    return time.monotonic()


def tutorial_page() -> str:
    """docs/developers.md's page, as a reader would save it: the tutorial has to work."""
    text = (ROOT / "docs" / "developers.md").read_text()
    start = text.index("Save this as `pages/my_rooms.py`:")
    block = text[text.index("```python\n", start) + len("```python\n") :]
    return block[: block.index("```")]


def project_copy(folder: Path) -> Path:
    """The project as serve.py serves it, with an app/ of its own to save into: the other stories' servers serve
    the real one meanwhile."""
    folder.mkdir()
    shutil.copytree(ROOT / "app", folder / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "index.html", folder / "index.html")
    (folder / "static").symlink_to(ROOT / "static")
    return folder


def test_a_page_of_one_s_own_books_a_room_and_follows_each_save(
    page: Page, server_factory: Any, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    own = pages / "free_rooms.py"
    shutil.copy(ROOT / "pages" / "free_rooms.py", own)
    project = project_copy(tmp_path / "project")
    server = server_factory(root=project, pages_dir=pages, reload=True)
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    page.goto(server.url)
    sign_in_from_app(page, server)
    # In the navigation, at its own address, signed in.
    nav = page.get_by_role("navigation", name="Pages")
    nav.get_by_role("link", name="Free rooms now").click()
    expect(page.get_by_role("heading", name="Free rooms now")).to_be_visible()
    assert page.url.endswith("?page=free_rooms")
    expect(nav.get_by_role("link", name="Free rooms now")).to_have_attribute("aria-current", "page")
    expect(page.locator(".page-row").first).to_be_visible(timeout=20_000)
    # Book the room free longest (its next meeting is over half an hour away); its detail then shows the meeting.
    free, _ = freest_room()
    room = free["name"]
    row = page.locator(".page-row").filter(has=page.get_by_role("link", name=room, exact=True))
    row.get_by_role("button", name="Book 30 min").click()
    expect(page.locator(".page-message")).to_have_text(f"Booked {room} for 30 minutes.", timeout=20_000)
    expect(row).to_have_count(0)  # free no more: the page loaded again after its act
    # The next load starts from the start-up snapshot this visit keeps, as a developer's tab does (app.pages.hotswap
    # then needs the app's files at once, which such a start otherwise leaves to idle time).
    page.wait_for_function("() => performance.getEntriesByName('idle-work-done').length > 0", timeout=60_000)
    page.goto(f"{server.url}?system={free['id']}")
    expect(page.locator("#live")).to_contain_text("Now: Booked from Free rooms now", timeout=20_000)
    page.get_by_role("link", name="Free rooms now").click()
    # A save is swapped in place: the same socket stays open, the rest of the app untouched.
    opened = len(sockets)
    started = saved(own, own.read_text().replace('TITLE = "Free rooms now"', 'TITLE = "Rooms free now"'))
    expect(page.get_by_role("heading", name="Rooms free now")).to_be_visible(timeout=5_000)
    print(f"page save shown in {time.monotonic() - started:.2f} s")
    assert len(sockets) == opened and not sockets[-1].is_closed()
    expect(nav.get_by_role("link", name="Rooms free now")).to_be_visible()
    # A broken save shows its traceback in the page, and the app around it stays.
    saved(own, own.read_text().replace("async def load(", "async def load(("))
    error = page.get_by_role("alert")
    expect(error).to_contain_text('File "pages/free_rooms.py", line', timeout=5_000)
    expect(error).to_contain_text("SyntaxError")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    saved(own, own.read_text().replace("async def load((", "async def load("))
    expect(page.locator(".page-row").first).to_be_visible(timeout=10_000)
    # An app module's save is swapped in place too: no reload, the same socket open, the change on screen.
    assert page.evaluate("performance.getEntriesByName('app-in-snapshot').length") == 1
    page.evaluate("window.beforeTheSave = true")
    view = project / "app" / "shell" / "view.py"
    started = saved(view, view.read_text().replace('button("Sign out", "sign_out"', 'button("Log out", "sign_out"'))
    expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=5_000)
    print(f"app save swapped in {time.monotonic() - started:.2f} s")
    assert page.evaluate("window.beforeTheSave === true") and len(sockets) == opened and not sockets[-1].is_closed()
    expect(page.get_by_role("heading", name="Rooms free now")).to_be_visible()
    # A save that does not run says so, and the app runs on with the code it had; the save that mends it swaps.
    saved(view, view.read_text().replace("def render(", "def render((", 1))
    expect(page.get_by_role("alert").filter(has_text="app/shell/view.py did not run (SyntaxError")).to_be_visible(
        timeout=5_000
    )
    page.get_by_role("button", name="Log out").focus()  # still drawn, still the app
    saved(view, view.read_text().replace("def render((", "def render(", 1).replace('"Log out"', '"Sign out"'))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=5_000)
    expect(page.get_by_text("did not run")).to_have_count(0)
    assert page.evaluate("window.beforeTheSave === true") and not sockets[-1].is_closed()
    # A module that cannot be swapped (its start registers a filter) reloads the tab: signed in, at the same place.
    started = saved(project / "app" / "core" / "redact.py")
    page.wait_for_event("load", timeout=10_000)
    expect(page.get_by_role("heading", name="Rooms free now")).to_be_visible(timeout=BOOT)
    expect(page.locator(".page-row").first).to_be_visible(timeout=20_000)
    print(f"app save reloaded in {time.monotonic() - started:.2f} s")
    assert page.url.endswith("?page=free_rooms") and page.get_by_role("button", name="Sign in").count() == 0
    # The tutorial's page, saved: in the navigation at once, and it works.
    saved(pages / "my_rooms.py", tutorial_page())
    nav.get_by_role("link", name="My rooms").click()
    expect(page.get_by_role("heading", name="My rooms")).to_be_visible(timeout=10_000)
    expect(page.locator(".page-row").first.get_by_role("button", name="End meeting")).to_be_visible(timeout=20_000)
    page.locator(".page-row").first.get_by_role("button", name="End meeting").click()
    expect(page.locator(".page-message")).to_have_text(re.compile(r"^(Ended\.|Nothing to end\.)$"), timeout=20_000)
    assert page.get_by_role("alert").count() == 0
