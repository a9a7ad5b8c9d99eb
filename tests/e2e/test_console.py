"""The developers' console in real Chromium, on Pyodide's own console, against serve.py and its stand-in (issue 11)."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from server.settings import ClientSettings
from tests.e2e.steps import freest_room, open_console, sign_in_from_app, wait_for_sign_in_screen
from tests.live import LiveServer


@pytest.fixture
def keep_start_up() -> bool:
    return False  # these stories never come back to a kept start (tests/conftest.py)


pytestmark = pytest.mark.browser


def run(page: Page, source: str, expected: str) -> str:
    """Type into the console, press Enter, and wait for `expected` to show in its log; the log's text."""
    field = page.get_by_label("Python input")
    field.fill(source)
    field.press("End")
    field.press("Enter")
    log = page.locator("#console-log")
    expect(log).to_contain_text(expected, timeout=20_000)
    return log.inner_text()


def test_the_console_works_the_api_with_history_completion_and_tracebacks(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    open_console(page)
    run(page, 'page = await api.systems(q="board")', ">>> page = await api.systems")
    text = run(page, '[s["name"] for s in page.items]', '"Boardroom"')
    assert '[\n  "' in text  # a list shown as JSON, one item a line
    run(page, "len(await collect(api.all_systems()))", "32")
    # History: ↑ brings back the last input, ↓ returns to what was being typed.
    field = page.get_by_label("Python input")
    field.fill("")
    field.press("ArrowUp")
    expect(field).to_have_value("len(await collect(api.all_systems()))")
    field.press("ArrowDown")
    expect(field).to_have_value("")
    # Completion: a unique name completes, several are listed.
    field.fill("api.all_sy")
    field.press("Tab")
    expect(field).to_have_value("api.all_systems(")  # a callable completes with its parenthesis
    field.fill("api.sys")
    field.press("Tab")
    expect(page.locator("#console-options")).to_contain_text("api.systems(")
    # A block, typed as at a REPL: Enter indents after the colon; an empty line runs it.
    field.fill("for n in range(2):")
    field.press("End")
    field.press("Enter")
    field.press_sequentially("print('n is', n)")
    field.press("Enter")
    field.press("Enter")
    expect(page.locator("#console-log")).to_contain_text("n is 1")
    # A traceback, then the console goes on.
    text = run(page, "1/0", "ZeroDivisionError: division by zero")
    assert "Traceback (most recent call last)" in text
    # Ctrl+C stops a statement still running, and the console takes the next one at once.
    field.fill("import asyncio\nawait asyncio.sleep(60)")
    field.press("End")
    field.press("Enter")
    expect(page.locator("#console")).to_contain_text("Running…")
    field.press("Control+c")
    expect(page.locator("#console-log")).to_contain_text("Cancelled.")
    run(page, "6 * 7", "42")
    # Secrets print redacted; .reveal() is the one way to see one.
    token = json.loads(page.evaluate("() => sessionStorage.getItem('placeos.token')"))["access_token"]
    text = run(page, "app.session.token()", "Secret(#")
    assert token not in text
    text = run(page, "app.session.token().access_token.reveal()[:12]", token[:12])
    # Ctrl+L clears the log; Ctrl+` closes the panel and the app is as it was.
    field.press("Control+l")
    expect(page.locator("#console-log pre")).to_have_count(0)
    page.keyboard.press("Control+Backquote")
    expect(page.locator("#console")).to_have_count(0)
    expect(page.locator(".system-row").first).to_be_visible()


def test_before_signing_in_the_console_says_not_signed_in(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Console").click()
    expect(page.get_by_label("Python input")).to_be_focused()
    text = run(page, "await api.systems()", "Not signed in")
    assert "session has ended" not in text


def build_wheel(folder: Path, name: str = "placeos_demo_tool", version: str = "1.0") -> Path:
    """A pure-Python wheel, as `pip wheel` would make one, with a RECORD that checks."""
    folder.mkdir(parents=True, exist_ok=True)
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "VALUE = 42\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def test_micropip_installs_a_local_wheel_by_name_and_nothing_leaves_the_origin(
    page: Page, server_factory: Any, tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"
    build_wheel(wheels)
    server = server_factory(wheels_dir=wheels)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url)
    wait_for_sign_in_screen(page)
    open_console(page)
    run(page, "import micropip", ">>> import micropip")
    run(page, 'await micropip.install("placeos-demo-tool")', ">>> await micropip.install")
    expect(page.locator("#console")).not_to_contain_text("Running…", timeout=20_000)
    run(page, "import placeos_demo_tool\nplaceos_demo_tool.VALUE", "42")
    text = run(page, 'await micropip.install("not-in-the-folder")', "Can't fetch metadata for 'not-in-the-folder'")
    assert "ValueError" in text
    assert requests and all(url.startswith(server.url) for url in requests), [
        u for u in requests if not u.startswith(server.url)
    ]


def test_the_console_is_off_where_the_configuration_says_so(page: Page, server_factory: Any) -> None:
    server = server_factory(client=ClientSettings(console=False))
    page.goto(server.url)
    wait_for_sign_in_screen(page)
    page.keyboard.press("Control+Backquote")  # handled as it is dispatched: Python draws in the same task
    page.evaluate("() => new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)))")
    assert page.get_by_role("button", name="Console").count() == 0 and page.locator("#console").count() == 0


def test_a_module_call_from_the_console_shows_on_the_room_and_a_listen_stops_with_ctrl_c(
    page: Page, live_server: LiveServer
) -> None:
    room, length = freest_room()
    page.goto(live_server.url + "?system=" + room["id"])
    sign_in_from_app_at_room(page, live_server)
    expect(page.locator("#live .status")).to_be_visible(timeout=20_000)
    open_console(page)
    run(page, f'sys = "{room["id"]}"', ">>> sys =")
    run(page, 'print((await api.state(sys, "Bookings"))["status"])', "free")
    # People and metadata, as PlaceOS keeps them.
    run(page, '(await api.users(q="grace hop")).items[0]["name"]', "'Grace Hopper'")
    run(page, '(await api.metadata(sys))["room_details"]["details"]["capacity"]', str(room["capacity"]))
    run(
        page,
        f'print("booked", await api.exec(sys, "Bookings", "book_now", {length}, "Booked from the console"))',
        "booked True",
    )
    expect(page.locator("#live")).to_contain_text("Now: Booked from the console until", timeout=20_000)
    run(page, 'await api.value(sys, "Bookings", "status")', "'busy'")
    # A listen runs until Ctrl+C, then the console takes the next statement and the binding is let go.
    field = page.get_by_label("Python input")
    field.fill('async for v in api.listen(sys, "Bookings", "status"):\n    print("status is", v)\n')
    field.press("End")
    field.press("Enter")
    expect(page.locator("#console-log")).to_contain_text("status is busy", timeout=20_000)
    field.press("Control+c")
    expect(page.locator("#console-log")).to_contain_text("Cancelled.")
    run(page, "len(api._bound)", "0")
    # An error names what was asked and what PlaceOS said: over the socket with PlaceOS's code, by REST its status.
    run(
        page,
        'await api.exec(sys, "Bookings", "explode")',
        f"ExecError: exec Bookings_1.explode on {room['id']} — 3 request failed: Bookings_1 has no function 'explode'",
    )
    run(
        page,
        'await api.system("sys-x")',
        "NotFound: 404 GET /api/engine/v2/systems/sys-x — system 'sys-x' not found (request ",
    )
    expect(page.locator("#live")).to_contain_text("Booked from the console")  # the room's detail stayed live


def sign_in_from_app_at_room(page: Page, server: LiveServer) -> None:
    from tests.e2e.steps import EMAIL, PASSWORD

    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#detail-title")).to_be_visible(timeout=60_000)
