"""End-to-end stories in real Chromium against serve.py and its stand-in PlaceOS: the implicit flow as a person
(and a kiosk) lives it, including every way the return can go wrong.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from server.faults import Faults
from server.settings import ClientSettings
from server.standin.wiring import DEV_SECRET_HEADER
from tests.conftest import ConsoleLog, LiveServer
from tests.e2e.steps import BOOT, EMAIL, PASSWORD, revoke, sign_in_from_app, stored_token, wait_for_sign_in_screen


@pytest.fixture
def keep_start_up() -> bool:
    return False  # these stories never come back to a kept start (tests/conftest.py)


pytestmark = pytest.mark.browser


def api_status(server: LiveServer, token: str) -> int:
    request = urllib.request.Request(
        server.url + "api/engine/v2/users/current", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def set_faults(server: LiveServer, **switches: Any) -> None:
    request = urllib.request.Request(
        server.url + "_dev/faults",
        data=json.dumps(switches).encode(),
        method="POST",
        headers={"Content-Type": "application/json", DEV_SECRET_HEADER: server.settings.dev_secret},
    )
    urllib.request.urlopen(request).close()


def test_first_sign_in_lists_systems_and_leaves_no_token_in_url_or_history(
    page: Page, live_server: LiveServer, console: ConsoleLog
) -> None:
    callbacks: list[str] = []
    page.on("framenavigated", lambda frame: callbacks.append(frame.url) if frame == page.main_frame else None)
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)

    expect(page.locator("#user-name")).to_have_text("Demo User")
    expect(page.locator(".system-row").first).to_be_visible()
    expect(page.locator("#count")).to_contain_text("of 32 systems")
    assert "#" not in page.url and "access_token" not in page.url
    token = stored_token(page)
    assert any("access_token=" in url for url in callbacks), "the token never came back in the fragment"
    # Walk history back and forward: no entry still holds the token.
    page.go_back()
    assert "access_token" not in page.url
    page.go_forward()
    assert "access_token" not in page.url
    expect(page.get_by_role("heading", name="Systems")).to_be_visible(timeout=BOOT)
    # The debug log (the console) never shows the token or a state in the clear.
    assert token not in console.text
    states = re.findall(r"state=([A-Za-z0-9_-]{20,})", " ".join(callbacks))
    assert states and all(state not in console.text for state in states)
    assert console.errors == []


def test_reload_keeps_the_person_signed_in_and_in_place(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.locator("#next-page").click()
    expect(page).to_have_url(re.compile(r"offset=20"))
    page.reload()
    expect(page.get_by_role("heading", name="Systems")).to_be_visible(timeout=BOOT)
    expect(page.locator("#count")).to_contain_text("21–32 of 32")


def test_forged_state_is_refused_with_an_explanation(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "#access_token=forged-token-value&token_type=Bearer&expires_in=7200&state=forged")
    expect(page.get_by_role("heading", name="This sign-in was not started here")).to_be_visible(timeout=BOOT)
    assert "#" not in page.url
    assert page.evaluate("() => sessionStorage.getItem('placeos.token')") is None


def test_replayed_callback_is_refused(page: Page, live_server: LiveServer) -> None:
    redirects: list[str] = []
    page.on("response", lambda r: redirects.append(r.headers.get("location", "")) if r.status == 302 else None)
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    callback = next(url for url in redirects if "access_token=" in url)
    page.evaluate("() => sessionStorage.removeItem('placeos.token')")
    page.goto(callback)
    expect(page.get_by_role("heading", name="This sign-in was not started here")).to_be_visible(timeout=BOOT)
    assert page.evaluate("() => sessionStorage.getItem('placeos.token')") is None


def test_missing_state_restarts_sign_in_once(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "#access_token=bookmarked&token_type=Bearer&expires_in=7200")
    # Restarted by itself: the stand-in's login page, asking for the app's sign-in.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=BOOT)
    assert "/login?continue=" in page.url
    # A second state-less response within the window is not restarted again: no loop.
    page.goto(live_server.url + "#access_token=bookmarked&token_type=Bearer&expires_in=7200")
    expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible(timeout=BOOT)


def test_access_denied_shows_a_message_and_retry(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible(timeout=BOOT)
    expect(page.locator("main")).to_contain_text("cancelled or refused")
    assert "error=" not in page.url
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_redirect_loop_is_broken_and_explained(page: Page, server_factory: Any) -> None:
    server = server_factory(faults=Faults(always_deny=True))
    page.goto(server.url)
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for _ in range(3):  # each "Try again" is denied at once, the session at the stand-in being there
        expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible(timeout=BOOT)
        page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name="Sign-in stopped")).to_be_visible(timeout=BOOT)
    expect(page.locator("main")).to_contain_text("3 times")


def test_short_token_lifetime_prompts_then_stay_signed_in_renews_in_place(page: Page, server_factory: Any) -> None:
    # The prompt shows in the last fifth of a short token's life: 6 s of 30, time enough for a loaded machine to
    # click in (12 s left 2.4 s, which parallel browser stories could miss).
    server = server_factory(faults=Faults(token_ttl_s=30), client=ClientSettings(expiry_warning_s=30))
    page.goto(server.url)
    sign_in_from_app(page, server)
    page.get_by_label("Search systems").fill("ha")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=ha"))
    expect(page.locator("#count")).to_have_text("3 systems")  # the search's answer is on screen
    names = page.locator(".system-name").all_text_contents()
    first_token = stored_token(page)

    prompt = page.locator(".notice.warn")
    expect(prompt).to_contain_text("Your session ends in", timeout=40_000)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.get_by_role("button", name="Stay signed in").click()
    # Renewed in place, in a hidden frame: the page never leaves, the search and its answer stay.
    page.wait_for_function(
        "(first) => JSON.parse(sessionStorage.getItem('placeos.token')).access_token !== first",
        arg=first_token,
        timeout=BOOT,
    )
    expect(prompt).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=ha"))
    expect(page.locator(".system-name")).to_have_text(names)
    assert navigations == [] and stored_token(page) != first_token


def test_expiry_keeps_data_on_screen_and_says_sign_in_again(page: Page, server_factory: Any) -> None:
    # 12 s: long enough that a loaded machine's start after the second sign-in still finds the token alive.
    server = server_factory(faults=Faults(token_ttl_s=12), client=ClientSettings(expiry_warning_s=0))
    page.goto(server.url)
    sign_in_from_app(page, server)
    rows = page.locator(".system-row").count()
    expect(page.locator(".notice.error")).to_contain_text("Your session has ended", timeout=20_000)
    assert page.locator(".system-row").count() == rows
    page.get_by_role("button", name="Sign in again").click()
    expect(page.locator(".notice.error")).to_have_count(0, timeout=BOOT)
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)  # a new page: Python starts again


def test_401_mid_session_asks_for_sign_in_and_the_request_runs_again(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    set_faults(live_server, unauthorized_storm=1)
    page.locator("#next-page").click()
    notice = page.locator(".notice.error")
    expect(notice).to_contain_text("no longer accepts your sign-in", timeout=BOOT)
    expect(page.locator(".system-row").first).to_be_visible()  # what was on screen stays
    page.get_by_role("button", name="Sign in again").click()
    expect(page).to_have_url(re.compile(r"offset=20"), timeout=BOOT)
    expect(page.locator("#count")).to_contain_text("21–32 of 32", timeout=BOOT)


def test_sign_out_revokes_the_token_and_shows_the_signed_out_screen(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    token = stored_token(page)
    assert api_status(live_server, token) == 200
    page.get_by_role("button", name="Sign out").click()
    wait_for_sign_in_screen(page)
    expect(page.locator("main")).to_contain_text("You have signed out.")
    assert page.evaluate("() => sessionStorage.getItem('placeos.token')") is None
    assert api_status(live_server, token) == 401
    # The stand-in session ended too: signing in again asks for the password.
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Password")).to_be_visible()


def test_markup_in_api_data_renders_as_text(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    row = page.locator(".system-row", has_text="Fitzroy")
    expect(row).to_contain_text('Fitzroy <b>Lab</b><img src=x onerror="window.__pwned=1">')
    assert page.locator(".systems img, .systems b, .systems script").count() == 0
    row.click()
    expect(page.locator("#detail-title")).to_have_text('Fitzroy <b>Lab</b><img src=x onerror="window.__pwned=1">')
    expect(page.locator(".detail-head")).to_contain_text("<script>window.__pwned=2</script>")
    assert page.evaluate("() => window.__pwned") is None


def test_keyboard_only_search_open_and_back(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.locator("#search").focus()
    page.keyboard.type("bondi")
    page.keyboard.press("Enter")
    expect(page.locator(".system-row")).to_have_count(1, timeout=BOOT)
    for _ in range(30):  # past the search button and the filters, to the one row
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('system-row')"):
            break
    expect(page.locator(".system-row")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-title")).to_have_text("Bondi", timeout=BOOT)
    expect(page.locator("#detail-title")).to_be_focused()
    expect(page.locator(".groups")).to_contain_text("sys-")
    expect(page.locator(".groups")).to_contain_text("Melbourne Collins St")  # its building, by name
    page.go_back()
    expect(page.locator(".system-row")).to_have_count(1, timeout=BOOT)


def test_narrow_screen_has_no_horizontal_scroll(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_cross_origin_placeos_with_cors_works_like_same_origin(
    page: Page, server_factory: Any, console: ConsoleLog
) -> None:
    import socket

    app_sock, placeos_sock = socket.create_server(("127.0.0.1", 0)), socket.create_server(("127.0.0.1", 0))
    app_origin = f"http://127.0.0.1:{app_sock.getsockname()[1]}"
    placeos_origin = f"http://127.0.0.1:{placeos_sock.getsockname()[1]}"
    placeos = server_factory(
        sock=placeos_sock,
        cors_origins=(app_origin,),
        extra_redirect_uris=(app_origin + "/",),
        faults=Faults(websocket_disabled=True),  # a proxy in front of it that does not forward upgrades
    )
    app = server_factory(sock=app_sock, client=ClientSettings(placeos_base=placeos_origin))
    api_hosts: set[str] = set()
    page.on("request", lambda r: api_hosts.add(r.url.split("/api/")[0]) if "/api/" in r.url else None)
    browser_log = BrowserLog(page)

    page.goto(app.url)
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    assert page.url.startswith(placeos_origin + "/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)
    assert page.url.startswith(app_origin) and "#" not in page.url
    assert api_hosts == {placeos_origin}
    token = stored_token(page)
    assert api_status(placeos, token) == 200
    # Live state on another origin comes over HTTP (the token in a header): no websocket, so no URL with a token
    # for the browser to print when it fails.
    page.locator(".system-row").first.click()
    expect(page.locator("#live")).to_contain_text(re.compile("Free|Awaiting check-in|In use"), timeout=BOOT)
    assert browser_log.sockets == []
    assert token not in browser_log.text and token not in console.text
    page.get_by_role("link", name="← All systems").click()

    # Signing out: PlaceOS sends no CORS headers on /auth/logout, so the app goes there itself, as PlaceOS's own
    # client does. A navigation from another site is asked to confirm (logout CSRF), then comes back.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out of PlaceOS?")).to_be_visible(timeout=BOOT)
    assert page.url.startswith(placeos_origin + "/auth/logout")
    page.get_by_role("button", name="Sign out").click()
    wait_for_sign_in_screen(page)
    expect(page.locator("main")).to_contain_text("You have signed out.")
    assert page.url.startswith(app_origin)
    assert api_status(placeos, token) == 401
    # The PlaceOS session ended too: on a shared computer the next sign-in asks for the password.
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Password")).to_be_visible(timeout=BOOT)
    assert page.url.startswith(placeos_origin + "/login")
    # A room without a Bookings module, read over HTTP, is PlaceOS's 404, which Chromium logs; nothing else.
    assert [e for e in console.errors if not e.startswith("Failed to load resource")] == []
    assert all(url.endswith("/Bookings_1") for url in console.failed_loads), console.failed_loads


def test_sign_out_in_one_tab_signs_out_the_others(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    other = page.context.new_page()
    other.goto(live_server.url)  # a new tab starts signed in, with the first tab's token
    expect(other.locator(".system-row").first).to_be_visible(timeout=BOOT)

    page.get_by_role("button", name="Sign out").click()
    wait_for_sign_in_screen(other)
    expect(other.locator("main")).to_contain_text("You signed out in another tab.")
    assert other.evaluate("() => sessionStorage.getItem('placeos.token')") is None


def test_code_flow_with_pkce_against_a_placeos_without_implicit_renews_silently(
    page: Page, server_factory: Any, console: ConsoleLog
) -> None:
    server = server_factory(
        faults=Faults(implicit_disabled=True, token_ttl_s=8),
        client=ClientSettings(flow="code", expiry_warning_s=5),
    )
    token_calls: list[str] = []
    page.on("request", lambda r: token_calls.append(r.post_data or "") if r.url.endswith("/auth/oauth/token") else None)
    page.goto(server.url + "?q=ha")
    sign_in_from_app(page, server)
    assert "code=" not in page.url and "state=" not in page.url
    expect(page).to_have_url(re.compile(r"q=ha"))
    first = json.loads(page.evaluate("() => sessionStorage.getItem('placeos.token')"))
    assert first["refresh_token"] and "grant_type=authorization_code" in token_calls[0]
    assert "code_verifier=" in token_calls[0]

    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.wait_for_function(
        "(first) => JSON.parse(sessionStorage.getItem('placeos.token')).access_token !== first",
        arg=first["access_token"],
        timeout=15_000,
    )
    assert navigations == []  # renewed through the token endpoint, no redirect
    assert any("grant_type=refresh_token" in body for body in token_calls)
    expect(page.locator(".notice.warn")).to_have_count(0)

    renewed = json.loads(page.evaluate("() => sessionStorage.getItem('placeos.token')"))
    page.get_by_role("button", name="Sign out").click()
    wait_for_sign_in_screen(page)
    refresh = urllib.request.Request(
        server.url + "auth/oauth/token",
        data=f"grant_type=refresh_token&refresh_token={renewed['refresh_token']}&client_id={server.settings.client_id}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        urllib.request.urlopen(refresh).close()
        raise AssertionError("the refresh token still works after sign-out")
    except urllib.error.HTTPError as error:
        assert error.code == 400
    for secret in (first["access_token"], first["refresh_token"], renewed["refresh_token"]):
        assert secret not in console.text
    assert console.errors == []


def test_developers_use_the_api_client_from_the_console_as_the_readme_shows(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    names, total = page.evaluate("""async () => {
        const result = await pyodide.runPythonAsync(`
from app.main import app
page = await app.api.systems(q="board", limit=5)
[(s["name"], s["capacity"]) for s in page.items], page.total
`);
        const out = result.toJs();
        result.destroy();
        return out;
    }""")
    assert "Boardroom" in [name for name, _ in names] and len(names) == min(5, total) and total > 1

    count = page.evaluate("""async () => pyodide.runPythonAsync(`
from app.main import app
len([s async for s in app.api.all_systems(limit=10)])
`)""")
    assert count == 32

    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    email = page.evaluate("""async () => pyodide.runPythonAsync(`
from app.main import app
app.api.token_in_query = True
(await app.api.current_user())["email"]
`)""")
    assert email == "demo@example.com"
    assert any("/users/current?bearer_token=" in url for url in urls)


# hostile links (issue 8, items 1, 2 and 4) ---------------------------------------------------------------------------


def test_a_token_in_the_query_is_scrubbed_refused_and_never_issued(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    token = stored_token(page)
    # The stand-in never answers an implicit request in a query…
    client_id, redirect = live_server.settings.client_id, live_server.settings.redirect_uri
    page.goto(
        f"{live_server.url}auth/oauth/authorize?response_type=token&client_id={client_id}"
        f"&redirect_uri={redirect}&state=abc&response_mode=query"
    )
    expect(page.locator("body")).to_contain_text("response_mode=query")
    assert "access_token" not in page.url
    # …and a link that carries one anyway is scrubbed from the address bar and refused.
    # In this signed-in tab it is ignored, with a notice; signed out, the refusal says why.
    stray = f"{live_server.url}?q=room&access_token={token}&token_type=Bearer&expires_in=60&state=abc"
    page.goto(stray)
    expect(page.locator(".notice").filter(has_text="was ignored")).to_be_visible(timeout=BOOT)
    assert page.url == live_server.url + "?q=room"
    page.evaluate("() => sessionStorage.removeItem('placeos.token')")
    page.goto(stray)
    expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible(timeout=BOOT)
    expect(page.locator("main")).to_contain_text("arrived in the page address's query")
    assert page.url == live_server.url + "?q=room"
    page.go_back()
    page.go_forward()
    assert "access_token" not in page.url and token not in page.url


def test_crafted_links_never_stop_the_app_from_starting(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.goto(live_server.url + "?offset=%C2%B2")
    expect(page.locator("#count")).to_contain_text("1–20 of 32", timeout=BOOT)
    page.goto(live_server.url + "?offset=" + "9" * 4301)
    expect(page.get_by_role("heading", name="Systems")).to_be_visible(timeout=BOOT)
    # A sign-in link not started here, in this signed-in tab: refused, and the app stays with a notice saying so.
    token = stored_token(page)
    for crafted in ("#access_token=x&token_type=Bearer&expires_in=%C2%B2&state=x",):
        page.goto(live_server.url + "?q=bondi" + crafted)
        notice = page.locator(".notice").filter(has_text="was ignored. You are still signed in.")
        expect(notice).to_be_visible(timeout=BOOT)
        expect(page.locator(".system-row:not(#saved-view *)")).to_have_count(1, timeout=BOOT)  # its place kept
        assert "#" not in page.url and stored_token(page) == token
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        notice.get_by_role("button", name="Dismiss").click()
        expect(notice).to_have_count(0)
    page.evaluate("() => sessionStorage.removeItem('placeos.token')")  # signed out, the same link is an error
    page.goto(live_server.url + "#access_token=x&token_type=Bearer&expires_in=" + "1" * 309 + "&state=x")
    expect(page.get_by_role("heading", name="This sign-in was not started here")).to_be_visible(timeout=BOOT)
    assert page.locator("#boot-error").is_hidden()


def test_try_again_after_a_failed_start_starts_clean(page: Page, live_server: LiveServer) -> None:
    # The start that receives the sign-in response fails once (an injected fault, before the response is read).
    page.add_init_script(
        """(() => {
          if (!location.hash.includes("access_token")) return;
          const Real = window.BroadcastChannel;
          let thrown = false;
          window.BroadcastChannel = function (name) {
            if (!thrown) { thrown = true; throw new Error("injected start failure"); }
            return new Real(name);
          };
        })();"""
    )
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="The app could not start")).to_be_visible(timeout=BOOT)
    assert "access_token" not in page.url
    page.get_by_role("button", name="Try again").click()
    # The response was handed over once and is gone: no second attempt at it, a clean start instead.
    wait_for_sign_in_screen(page)
    assert page.evaluate("() => sessionStorage.getItem('placeos.token')") is None


# live state (issue 10, item 2: people get it too) ---------------------------------------------------------------------


class BrowserLog:
    """DevTools' console beyond the page's own calls (the browser's network messages: a failed websocket's URL), and
    every websocket the page opened."""

    def __init__(self, page: Page) -> None:
        self.entries: list[str] = []
        self.sockets: list[str] = []
        cdp = page.context.new_cdp_session(page)
        cdp.on("Log.entryAdded", lambda event: self.entries.append(str(event["entry"].get("text", ""))))
        cdp.send("Log.enable")
        page.on("websocket", lambda ws: self.sockets.append(ws.url))

    @property
    def text(self) -> str:
        return "\n".join(self.entries + self.sockets)


def test_an_open_systems_detail_shows_its_live_state_and_no_socket_url_carries_the_token_even_when_it_fails(
    page: Page, server_factory: Any, console: ConsoleLog
) -> None:
    server = server_factory(realtime_speed=600.0)  # ten simulated minutes a second: meetings start and end
    browser_log = BrowserLog(page)
    sockets = browser_log.sockets
    page.goto(server.url)
    sign_in_from_app(page, server)
    page.locator(".system-row").first.click()
    live = page.locator("#live")
    expect(live).to_contain_text(re.compile("Free|Awaiting check-in|In use"), timeout=BOOT)
    first = live.inner_text()
    page.wait_for_function(
        "(first) => { const el = document.getElementById('live'); return el && el.innerText !== first; }",
        arg=first,
        timeout=20_000,
    )
    # One socket, its URL bare: on PlaceOS's origin the token goes in a cookie on the socket's path.
    assert len(sockets) == 1 and sockets[0].endswith("/api/engine/v2/systems/control"), sockets
    # Back to the list: the room leaves the screen, and so does its live state.
    page.get_by_role("link", name="← All systems").click()
    expect(page.locator("#live")).to_have_count(0)
    token = stored_token(page)
    assert token not in console.text

    # PlaceOS's websocket gone (a proxy that does not forward upgrades): the browser prints each failed socket's
    # URL to its own log, and none carries the token.
    set_faults(server, websocket_disabled=True)
    page.reload()
    page.locator(".system-row:not(#saved-view *)").first.click()
    for _ in range(100):  # the socket fails, the app asks PlaceOS over HTTP, and tries again
        if len(sockets) >= 3 and "WebSocket connection to" in browser_log.text:
            break
        page.wait_for_timeout(100)
    assert "WebSocket connection to" in browser_log.text  # the browser did print the failure: it was heard
    assert all(url.endswith("/api/engine/v2/systems/control") for url in sockets), sockets
    assert token not in browser_log.text and token not in console.text
    for _ in range(50):  # an attempt may be under way this moment: its cookie goes when its upgrade is over
        if not [c for c in page.context.cookies() if c["name"] == "bearer_token"]:
            break
        page.wait_for_timeout(100)
    assert [c for c in page.context.cookies() if c["name"] == "bearer_token"] == []  # never left for its 2 minutes


def test_a_token_refused_while_live_is_never_put_in_a_failed_websocket_url(page: Page, live_server: LiveServer) -> None:
    """Chromium prints a failed websocket's URL to DevTools' console, and the URL carries the bearer_token: after a
    socket ends, the app asks PlaceOS over HTTP (token in a header) before it opens another (app/realtime.py)."""
    browser_log: list[str] = []  # DevTools' console beyond the page's own calls: the browser's network messages
    cdp = page.context.new_cdp_session(page)
    cdp.on("Log.entryAdded", lambda event: browser_log.append(str(event["entry"].get("text", ""))))
    cdp.send("Log.enable")
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))
    refused_checks: list[str] = []  # the app asking PlaceOS over HTTP whether it takes the token, refused
    page.on(
        "response",
        lambda r: refused_checks.append(r.url) if r.url.endswith("/users/current") and r.status == 401 else None,
    )
    page.goto(live_server.url)
    sign_in_from_app(page, live_server)
    page.locator(".system-row").first.click()
    expect(page.locator("#live")).to_contain_text(re.compile("Free|Awaiting check-in|In use"), timeout=BOOT)
    token = stored_token(page)
    revoke(live_server, token)
    assert api_status(live_server, token) == 401
    for _ in range(100):  # the stand-in hangs up on it
        if sockets[0].is_closed():
            break
        page.wait_for_timeout(100)
    assert sockets[0].is_closed()
    for _ in range(300):  # two reconnect attempts (jittered back-off from up to 2 s), each asked over HTTP first
        if len(refused_checks) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(refused_checks) >= 2, "the app never tried to reconnect"
    assert len(sockets) == 1, "a socket was opened again with the refused token"
    assert token not in "\n".join(browser_log)
    assert any("401" in text for text in browser_log)  # the log was heard: it asked over HTTP, and was refused


# renewal without leaving the page (issue 10, item 3) --------------------------------------------------------------


def test_only_the_callback_page_may_be_framed_and_only_by_the_app(page: Page, live_server: LiveServer) -> None:
    callback = page.request.get(live_server.url + "static/callback.html")
    assert "frame-ancestors 'self'" in callback.headers["content-security-policy"]
    assert callback.headers["x-frame-options"] == "SAMEORIGIN"
    app = page.request.get(live_server.url)
    csp = app.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "frame-src 'self';" in csp
