"""The offline app shell (static/sw.js, server/shell.py) in real Chromium against serve.py --offline-shell: a kiosk
rebooted during an outage starts and shows its last state; a new build replaces the old one whole; a callback is
never the worker's, and nothing but the build's own files is ever in its cache (issue 12, item 4)."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from server.assets import FINGERPRINTED, asset_url
from server.settings import ClientSettings
from server.shell import RUNTIME_FILES
from tests.e2e.steps import BOOT, KIOSK, WATCH_LOADING, kiosk_sign_in, sign_in_from_app, wait_for_saved_board
from tests.live import LiveServer
from tests.server.test_shell import site_copy

pytestmark = pytest.mark.browser

# Every entry of every Cache Storage cache of the page's origin: {cache name: [request URLs]}.
CACHE_ENTRIES = """async () => {
  const out = {};
  for (const name of await caches.keys()) {
    out[name] = (await (await caches.open(name)).keys()).map((request) => request.url);
  }
  return out;
}"""


def app_ready(page: Page) -> None:
    page.wait_for_function("() => performance.getEntriesByName('app-ready').length > 0", timeout=BOOT)


def shell_caches(page: Page) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = page.evaluate(CACHE_ENTRIES)
    return {name: urls for name, urls in entries.items() if name.startswith("placeos-shell-")}


SHELL_STATE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  return {
    active: registration && registration.active ? registration.active.state : null,
    caches: (await caches.keys()).filter((name) => name.startsWith('placeos-shell-')),
  };
}"""


def wait_for_shell(page: Page, other_than: str = "", within_s: float = 30) -> str:
    """The name of the one shell cache once the active worker has filled it (and dropped any other)."""
    deadline = time.monotonic() + within_s
    while True:
        state = page.evaluate(SHELL_STATE)
        if state["active"] == "activated" and len(state["caches"]) == 1 and state["caches"][0] != other_than:
            return str(state["caches"][0])
        assert time.monotonic() < deadline, f"the shell was not cached: {state}"
        page.wait_for_timeout(100)


def expected_files(server: LiveServer) -> set[str]:
    base = server.url
    statics = {asset_url(server.settings.root / "static", name) for name in FINGERPRINTED}
    runtime = {f"pyodide/{server.settings.runtime_dir.name}/{name}" for name in RUNTIME_FILES}
    return (
        {base, base + "app.zip", base + "app-config.json"}
        | {base + s for s in statics}
        | {base + path for path in runtime}
    )


def test_a_kiosk_rebooted_during_an_outage_starts_from_the_shell_and_shows_its_last_state(
    browser: Browser, server_factory: Any
) -> None:
    # No page turn: the rooms on screen are the ones the reboot must show.
    server = server_factory(offline_shell=True, client=ClientSettings(**KIOSK, board_save_s=1, board_rotate_s=3600))
    context = browser.new_context()
    page = context.new_page()
    kiosk_sign_in(page, server)
    name = wait_for_shell(page)
    assert set(shell_caches(page)[name]) == expected_files(server)
    names, _ = wait_for_saved_board(page)
    assert names
    page.close()

    server.stop()  # the outage: nothing answers on PlaceOS's or the app's address
    with pytest.raises(OSError):  # the outage is real: the address refuses connections
        socket.create_connection(("127.0.0.1", server.settings.port), timeout=1).close()
    rebooted = context.new_page()
    rebooted.add_init_script(WATCH_LOADING)
    response = rebooted.goto(server.url)
    assert response is not None and response.from_service_worker and response.ok
    app_ready(rebooted)  # Python started from the worker's cache: the runtime, the app and its configuration
    expect(rebooted.locator("#board-badge")).to_contain_text("Offline", timeout=20_000)
    assert rebooted.locator(".tile-name").all_inner_texts() == names
    assert rebooted.evaluate("() => window.__loading.frames") == 0  # its last state, never a loading screen
    context.close()


RUNNING_BUILD = """() => [
  getComputedStyle(document.documentElement).getPropertyValue('--deployed').trim(),
  pyodide.runPython("import importlib.util; bool(importlib.util.find_spec('app.deployed'))"),
]"""


def test_a_new_build_replaces_the_old_one_whole_on_the_next_load(
    page: Page, server_factory: Any, tmp_path: Path
) -> None:
    site = site_copy(tmp_path)
    server = server_factory(offline_shell=True, root=site)
    page.goto(server.url)
    app_ready(page)
    first = wait_for_shell(page)
    assert page.evaluate(RUNNING_BUILD) == ["", False]

    # A deploy that changes the stylesheet and the app's Python together: a start must get both or neither.
    with (site / "static" / "app.css").open("a") as css:
        css.write("\n:root { --deployed: yes; }\n")
    (site / "app" / "deployed.py").write_text('"""A module only the new build has."""\n')
    page.reload()
    app_ready(page)
    assert page.evaluate(RUNNING_BUILD) == ["", False]  # this load was the old build, whole, from the cache
    second = wait_for_shell(page, other_than=first)  # meanwhile the new build was cached, and the old one dropped
    page.reload()
    app_ready(page)
    assert page.evaluate(RUNNING_BUILD) == ["yes", True]  # the next load is the new build, whole
    assert list(shell_caches(page)) == [second]


def test_a_callback_while_the_shell_is_active_is_left_to_the_network_and_never_cached(
    page: Page, server_factory: Any
) -> None:
    server = server_factory(offline_shell=True)
    page.goto(server.url + "?q=ha")
    app_ready(page)
    wait_for_shell(page)
    page.reload()
    app_ready(page)
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")  # the worker has this page

    served: list[tuple[str, bool]] = []
    page.on(
        "response",
        lambda r: served.append((r.url, r.from_service_worker)) if r.request.is_navigation_request() else None,
    )
    sign_in_from_app(page, server)
    callbacks = [(url, worker) for url, worker in served if "access_token=" in url or "state=" in url]
    assert callbacks and not any(worker for _, worker in callbacks), served
    assert "access_token" not in page.url and "q=ha" in page.url
    # A query callback (the code flow's shape) is not the worker's either, even on the app's own page.
    response = page.goto(server.url + "?code=not-a-real-code&state=not-a-real-state")
    assert response is not None and not response.from_service_worker
    # This tab is signed in: the stray response is refused and the app stays, saying so.
    expect(page.locator(".notice").filter(has_text="was ignored")).to_be_visible(timeout=BOOT)

    # After signing in, searching and calling the API: the shell's cache holds its build's files and nothing else.
    entries = page.evaluate(CACHE_ENTRIES)
    shell = {url for name, urls in entries.items() if name.startswith("placeos-shell-") for url in urls}
    assert shell == expected_files(server)
    every = [url for urls in entries.values() for url in urls]
    assert not [url for url in every if any(s in url for s in ("/api/", "/auth/", "token", "code=", "state="))]


def test_without_the_shell_no_worker_is_registered_and_one_left_behind_removes_itself(
    browser: Browser, server_factory: Any
) -> None:
    server = server_factory(offline_shell=True)
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.url)
    app_ready(page)
    wait_for_shell(page)
    page.close()
    server.stop()
    # The same address, now serving a build without the shell (serve.py's default): the worker it left goes away.
    sock = socket.create_server(("127.0.0.1", server.settings.port))
    plain = LiveServer(replace(server.settings, offline_shell=False)).start(sock)
    try:
        page = context.new_page()
        response = page.goto(plain.url)
        assert response is not None and response.from_service_worker  # the old build, from its cache, once
        app_ready(page)
        # Meanwhile the browser fetched the new worker: it dropped the cache and passes everything on.
        deadline = time.monotonic() + 30
        while page.evaluate(SHELL_STATE)["caches"]:
            assert time.monotonic() < deadline, page.evaluate(SHELL_STATE)
            page.wait_for_timeout(100)
        response = page.reload()
        assert response is not None and not response.from_service_worker
        app_ready(page)  # this page has no shell, so it unregisters the worker
        deadline = time.monotonic() + 10
        while page.evaluate(SHELL_STATE) != {"active": None, "caches": []}:
            assert time.monotonic() < deadline, page.evaluate(SHELL_STATE)
            page.wait_for_timeout(100)
        response = page.reload()
        assert response is not None and not response.from_service_worker
        app_ready(page)
    finally:
        plain.stop()
        context.close()


def test_a_kiosk_picks_up_a_new_build_by_itself_without_a_blank_frame(
    browser: Browser, server_factory: Any, tmp_path: Path
) -> None:
    site = site_copy(tmp_path)
    server = server_factory(offline_shell=True, root=site, client=ClientSettings(**KIOSK, board_save_s=1))
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH_LOADING)
    kiosk_sign_in(page, server)
    first = wait_for_shell(page)
    wait_for_saved_board(page)
    with (site / "static" / "app.css").open("a") as css:
        css.write("\n:root { --deployed: yes; }\n")
    loads: list[str] = []
    page.on("load", lambda _: loads.append(page.url))
    # What the page does every hour by itself: ask whether there is a new build.
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    page.wait_for_function(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--deployed').trim() === 'yes'",
        timeout=BOOT,
    )
    assert len(loads) == 1 and wait_for_shell(page) != first  # it reloaded once, into the new build
    expect(page.locator("#board .tile").first).to_be_visible(timeout=BOOT)
    assert page.evaluate("() => window.__loading.frames") == 0  # and showed its board throughout
    context.close()
