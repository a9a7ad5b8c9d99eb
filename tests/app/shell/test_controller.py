"""The controller (app.controller): the stories of tests/test_flow_browser.py, under CPython with fakes."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from app.auth.session import PAGE_KEY, Token
from app.core.ports import HttpResponse
from app.core.redact import Secret
from tests.fakes import (
    BASE,
    CodeServer,
    Harness,
    code_sign_in,
    find,
    signed_in_at,
    standin,
    state_of,
    text_of,
)


async def test_controller_signed_out_then_sign_in_lists_systems_and_restores_the_place() -> None:
    h = Harness(path="/?q=room&offset=20")
    await h.app.start("", h.clock.now)
    assert "Sign in to PlaceOS" in h.screen.text
    await h.sign_in()
    assert h.navigator.path == "/?q=room&offset=20"
    assert "Ada Lovelace" in h.screen.text and "21–40 of 45 systems" in h.screen.text


async def test_controller_expiry_prompt_then_expired_notice_keeps_data() -> None:
    h = Harness(expiry_warning_s=300)
    await h.sign_in(expires_in=1800)
    h.clock.advance(1501)
    h.app.tick()
    assert "Your session ends in 4 min. Stay signed in?" in h.screen.text
    h.clock.advance(300)
    h.app.tick()
    assert "Your session has ended" in h.screen.text and "Room 0" in h.screen.text


async def test_controller_401_keeps_data_and_offers_sign_in() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(401, {}, '{"error":"logged out"}')
    h.app.dispatch("page", "20")
    await h.settle()
    assert "no longer accepts your sign-in" in h.screen.text and "Room 0" in h.screen.text
    assert h.session.token() is None


async def test_controller_kiosk_renews_before_expiry_without_a_person() -> None:
    h = Harness(kiosk=True, expiry_warning_s=60)
    await h.sign_in(expires_in=600)
    h.clock.advance(539)
    h.app.tick()
    assert not h.navigator.assigned
    h.clock.advance(2)  # 59 s left: inside the 60 s window
    h.app.tick()
    assert h.navigator.assigned and "/auth/oauth/authorize?" in h.navigator.assigned[-1]


async def test_a_token_shorter_than_the_warning_renews_once_per_lifetime_not_at_once() -> None:
    # The loop: a 30 s token against a 300 s warning was "expiring" from its first second, so a kiosk signed in
    # again on every load. It now renews once 80 % of the token's life has passed.
    h = Harness(kiosk=True, expiry_warning_s=300)
    await h.sign_in(expires_in=30)
    for _ in range(23):
        h.clock.advance(1)
        h.app.tick()
    assert not h.navigator.assigned
    h.clock.advance(1)  # 24 s in: 80 %
    h.app.tick()
    assert len(h.navigator.assigned) == 1
    await h.settle()


async def test_controller_network_error_keeps_data_and_online_retries() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: OSError("offline")
    h.app.dispatch("page", "20")
    await h.settle()
    assert "cannot be reached" in h.screen.text and "Room 0" in h.screen.text
    h.transport.handler = standin
    h.app.online()
    await h.settle()
    assert "21–40 of 45" in h.screen.text and "cannot be reached" not in h.screen.text


async def test_controller_open_and_back_move_focus_and_history() -> None:
    h = Harness()
    await h.sign_in()
    h.app.dispatch("open", "sys-0000000003")
    await h.settle()
    assert h.navigator.path == "/?system=sys-0000000003" and h.screen.focus[-1] == "detail-title"
    h.app.dispatch("back")
    await h.settle()
    assert h.screen.focus[-1] == "row-sys-0000000003"


async def test_controller_sign_out_revokes_logs_out_and_forgets() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(
        200, {}, json.dumps({"logout_url": "/auth/logout"}) if r.url.endswith("/auth/authority") else "{}"
    )
    await h.app.sign_out()
    revoke, authority = h.transport.requests[-2:]
    assert revoke.method == "POST" and revoke.url == BASE + "/auth/oauth/revoke" and "token=tok-" in (revoke.body or "")
    assert revoke.credentials == "omit" and authority.url == BASE + "/auth/authority"
    assert h.session.token() is None and "Signing you out" in h.screen.text
    # PlaceOS's logout needs its session cookie, which only a top-level navigation carries to another origin.
    assert h.navigator.assigned[-1] == BASE + "/auth/logout?continue=" + quote(BASE + "/", safe="")
    # PlaceOS sends the browser back; the app says what happened.
    back = Harness()
    back.storage.data.update(h.storage.data)
    await back.app.start("", back.clock.now)
    assert "You have signed out." in back.screen.text
    again = Harness()
    again.storage.data.update(back.storage.data)
    await again.app.start("", again.clock.now)
    assert "You have signed out." not in again.screen.text  # said once


async def test_an_answer_landing_after_sign_out_keeps_no_copy_of_the_page() -> None:
    h = await signed_in_at("/?q=room")
    assert h.storage.get(PAGE_KEY) is not None  # the list, as drawn, for this tab's next load
    await h.app.sign_out()
    assert h.storage.get(PAGE_KEY) is None
    h.app.keep_page([])  # a refresh that was under way finishes now
    assert h.storage.get(PAGE_KEY) is None


async def test_controller_sign_out_without_cors_still_reaches_placeos_logout() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: OSError("CORS refused")  # a PlaceOS on another origin, no CORS headers
    await h.app.sign_out()
    assert h.session.token() is None
    assert h.navigator.assigned[-1].startswith(BASE + "/auth/logout?continue=")


async def test_controller_sign_out_follows_an_sso_logout_url_over_https_only() -> None:
    for logout_url, expected in (
        ("https://sso.example.com/logout", "https://sso.example.com/logout?continue="),
        ("javascript:alert(1)", BASE + "/auth/logout?continue="),
        ("//evil.example.com/x", BASE + "/auth/logout?continue="),
    ):
        h = Harness()
        await h.sign_in()
        h.transport.handler = lambda r, u=logout_url: HttpResponse(200, {}, json.dumps({"logout_url": u}))
        await h.app.sign_out()
        assert h.navigator.assigned[-1].startswith(expected), logout_url


async def test_controller_sign_out_is_announced_and_other_tabs_follow() -> None:
    h = Harness()
    sent: list[str] = []
    h.app.tabs.broadcast = sent.append
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(200, {}, "{}")
    await h.app.sign_out()
    assert sent == ["signed-out"]

    other = Harness(path="/?q=room")
    await other.app.start("", other.clock.now)
    await other.sign_in()
    other.app.tabs.message("signed-out")
    assert "You signed out in another tab." in other.screen.text
    assert other.session.token() is None and other.app.model.browse.place.q == "room"


async def test_controller_adopts_a_token_another_tab_received() -> None:
    h = Harness(expiry_warning_s=0)
    await h.sign_in(expires_in=60)
    h.clock.advance(61)
    h.app.tick()
    assert "Your session has ended" in h.screen.text
    fresh = Token(Secret("tok-from-the-other-tab"), h.clock.now + 3600, "public")
    h.storage.set("placeos.token", fresh.to_json())
    h.app.tabs.token_changed()
    await h.settle()
    assert "Your session has ended" not in h.screen.text and "Room 0" in h.screen.text
    assert h.transport.requests[-1].headers["Authorization"] == "Bearer tok-from-the-other-tab"


async def test_a_kiosk_board_offline_keeps_its_rooms_says_when_it_retries_and_recovers_by_itself() -> None:
    h = Harness(kiosk=True)
    await h.sign_in()
    assert "Room 0" in h.screen.text and "Updated" in h.screen.text
    h.transport.handler = lambda r: OSError("offline")
    h.clock.advance(61)  # the board reads its rooms again every 60 s
    h.app.tick()
    await h.settle()
    assert "Offline: PlaceOS cannot be reached." in h.screen.text and "Trying again at" in h.screen.text
    assert "Room 1" in h.screen.text  # the rooms stay
    sent = len(h.transport.requests)
    for _ in range(1):  # the first back-off is 2 s
        h.clock.advance(1)
        h.app.tick()
        await h.settle()
    assert len(h.transport.requests) == sent
    h.transport.handler = standin
    h.clock.advance(1)
    h.app.tick()
    await h.settle()
    assert "Offline" not in h.screen.text and "Room" in h.screen.text


async def test_kiosk_stopped_by_the_loop_breaker_tries_again_later() -> None:
    h = Harness(kiosk=True)
    for _ in range(3):
        h.session.loop.record()
    h.app.sign_in()
    assert "Sign-in stopped" in h.screen.text and "try again by itself" in h.screen.text
    assigned = len(h.navigator.assigned)
    h.app.tick()
    h.clock.advance(31)
    h.app.tick()
    assert len(h.navigator.assigned) == assigned + 1


async def test_controller_error_shows_the_request_id_for_support() -> None:
    h = Harness()
    await h.sign_in()
    h.transport.handler = lambda r: HttpResponse(500, {"x-request-id": "req-7f3a"}, "{}")
    h.app.dispatch("reload")
    await h.settle()
    assert "(reference req-7f3a)" in h.screen.text


async def test_code_flow_exchanges_the_code_with_the_verifier_and_lists_systems() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", path="/?q=room")
    await code_sign_in(h, server)
    token = h.session.token()
    assert token and token.access_token.reveal() == "access-1-abcdefgh" and token.refresh_token
    assert h.navigator.path == "/?q=room" and "Ada Lovelace" in h.screen.text
    exchange = next(r for r in h.transport.requests if r.url.endswith("/token"))
    assert "code_verifier=" in (exchange.body or "") and exchange.credentials == "omit"


async def test_code_flow_with_a_wrong_verifier_is_refused() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code")
    await h.app.start("", h.clock.now)
    h.app.sign_in()
    query = server.authorize(h.navigator.assigned[-1])
    code = query.split("&")[0].split("=")[1]
    server.challenges[code] = "not-the-challenge"
    await h.app.start("", h.clock.now, query)
    assert "Sign-in did not complete" in h.screen.text and h.session.token() is None


async def test_code_flow_renews_silently_before_expiry_and_rotates() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    await code_sign_in(h, server)
    h.clock.advance(97)  # 23 s left of 120: past 80 % of its life
    h.app.tick()
    await h.settle()
    token = h.session.token()
    assert token and token.access_token.reveal() == "access-2-abcdefgh"
    assert token.refresh_token and token.refresh_token.reveal() == "refresh-2-abcdefgh"
    assert "refresh-1-abcdefgh" not in server.refresh_tokens  # rotated
    assert "Stay signed in" not in h.screen.text
    assert len(h.navigator.assigned) == 1  # no redirect


async def test_code_flow_refused_refresh_falls_back_to_sign_in_again() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    await code_sign_in(h, server)
    server.refresh_tokens.clear()  # e.g. a logout elsewhere revoked it
    h.clock.advance(121)
    h.app.tick()
    await h.settle()
    assert "Your session has ended" in h.screen.text and "Room 0" in h.screen.text


async def test_code_flow_offline_refresh_keeps_the_refresh_token_and_retries() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    await code_sign_in(h, server)
    h.transport.handler = lambda r: OSError("offline")
    h.clock.advance(121)
    h.app.tick()
    await h.settle()
    assert "cannot be reached to renew it" in h.screen.text
    assert (h.session.token() or Token(Secret("x"), 0, "")).refresh_token is not None
    h.transport.handler = server
    h.clock.advance(11)
    h.app.tick()
    await h.settle()
    assert h.session.valid_token() is not None and "cannot be reached" not in h.screen.text


async def test_after_a_same_page_sign_in_the_expiry_prompt_shows_again() -> None:
    # The bug: a dismissal outlived the token it was for, so a later token never warned before it ran out.
    h = Harness(expiry_warning_s=300)
    await h.sign_in(expires_in=1800)
    h.clock.advance(1600)
    h.app.tick()
    assert "Stay signed in?" in h.screen.text
    h.app.dispatch("dismiss_expiry")
    h.app.tick()
    assert "Stay signed in?" not in h.screen.text
    h.app.dispatch("sign_in")  # e.g. the "Sign in" of a later notice: a same-page round trip
    state = state_of(h.navigator.assigned[-1])
    h.app.receive_callback(f"access_token=tok-second-abcd&token_type=Bearer&expires_in=1800&state={state}", h.clock.now)
    await h.settle()
    h.clock.advance(1600)
    h.app.tick()
    assert "Stay signed in?" in h.screen.text


async def test_while_leaving_for_placeos_no_timer_starts_anything() -> None:
    h = Harness(expiry_warning_s=300)
    await h.sign_in(expires_in=600)
    h.app.dispatch("sign_in")
    assert len(h.navigator.assigned) == 1
    h.clock.advance(700)
    h.app.tick()
    assert len(h.navigator.assigned) == 1 and h.session.token() is not None  # nothing forgotten, no second redirect
    assert "Room 0" in h.screen.text  # the data stays until the page goes


async def test_code_flow_expired_while_offline_keeps_trying_at_the_guards_pace() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    await code_sign_in(h, server)
    h.transport.handler = lambda r: OSError("offline")
    h.clock.advance(121)
    for _ in range(5):  # ticks within the spacing: no renewal storm, and the refresh token is kept
        h.app.tick()
        await h.settle()
        h.clock.advance(1)
    renewals = [r for r in h.transport.requests if r.url.endswith("/token")]
    assert len(renewals) == 2  # the exchange, then one renewal attempt
    assert (h.session.token() or Token(Secret("x"), 0, "")).refresh_token is not None


class RecordingRealtime:
    """Realtime's surface as the controller uses it, recording each call."""

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.wanted: set[Any] = set()

    async def run(self) -> None:
        self.calls.append("run")

    async def keep_only(self, wanted: set[Any]) -> None:
        self.wanted = set(wanted)
        self.calls.append(("keep_only", sorted(b.name for b in wanted)))

    async def token_changed(self) -> None:
        self.calls.append("token_changed")

    async def stop(self) -> None:
        self.calls.append("stop")


async def test_live_state_follows_the_open_system_and_stops_at_sign_out() -> None:
    from app.api.frames import Binding
    from app.browse.rooms import LIVE_STATE, ROW_STATE

    h = Harness()
    realtime = RecordingRealtime()
    h.app.live.realtime = realtime  # type: ignore[assignment]
    await h.sign_in()
    assert realtime.calls[:1] == ["run"] or "run" in realtime.calls
    h.app.dispatch("open", "sys-0000000003")
    await h.settle()
    assert {b.sys for b in realtime.wanted} == {"sys-0000000003"} and {b.name for b in realtime.wanted} == set(
        LIVE_STATE
    )
    h.app.live.value(Binding("sys-0000000003", "Bookings", 1, "status"), "busy")
    h.app.live.value(Binding("sys-0000000009", "Bookings", 1, "status"), "free")  # another room: not shown
    await h.settle()  # values arriving together are drawn once
    assert "In use" in h.screen.text and "Free" not in h.screen.text
    h.app.dispatch("back")
    await h.settle()
    assert not [el for node in h.screen.frames[-1] for el in find(node, lambda e: e.attrs.get("id") == "live")]
    assert "In use" in h.screen.text  # its row: still bound, so known without being sent again
    # The list binds its rows' state instead: free, until when.
    assert {b.name for b in realtime.wanted} == set(ROW_STATE) and len({b.sys for b in realtime.wanted}) == 20
    h.transport.handler = lambda r: OSError("offline")
    await h.app.sign_out()
    assert realtime.calls[-1] == "stop"


async def test_a_silent_renewal_moves_the_socket_to_the_new_token() -> None:
    server = CodeServer()
    h = Harness(handler=server, flow="code", expiry_warning_s=60)
    realtime = RecordingRealtime()
    h.app.live.realtime = realtime  # type: ignore[assignment]
    await code_sign_in(h, server)
    h.clock.advance(97)
    h.app.tick()
    await h.settle()
    assert "token_changed" in realtime.calls


def test_the_live_state_renders_hostile_values_as_text() -> None:
    from app.browse.place import Place
    from app.browse.state import BrowseState
    from app.shell.model import Model
    from app.shell.view import render
    from app.ui.screens import Working

    model = Model(screen=Working(), browse=BrowseState(place=Place(system="sys-1"), detail={"name": "Room"}))
    model.browse.live = {
        "status": "<img src=x onerror=alert(1)>",
        "people_count": "lots",
        "current_booking": {"title": "<b>x</b>", "event_end": 10**30},
        "next_booking": ["not", "a", "booking"],
    }
    nodes = render(model)
    assert not [el for node in nodes for el in find(node, lambda e: e.tag in ("img", "b", "script"))]
    text = " ".join(text_of(node) for node in nodes)
    assert "<img src=x onerror=alert(1)>" in text and "<b>x</b>" not in text  # no booking is on in an unknown state
    model.browse.live["status"] = "busy"
    nodes = render(model)
    assert not [el for node in nodes for el in find(node, lambda e: e.tag in ("img", "b", "script"))]
    assert "Now: <b>x</b>" in " ".join(text_of(node) for node in nodes)


async def test_a_hash_change_without_a_response_does_not_enter_the_app() -> None:
    h = Harness()
    await h.app.start("", h.clock.now)
    h.app.receive_callback("q=nothing-to-see", h.clock.now)
    await h.settle()
    assert "Sign in to PlaceOS" in h.screen.text and h.session.token() is None


class FakeFrame:
    """A hidden frame: answers as PlaceOS's callback page would (a token for the state asked for), or not at all."""

    def __init__(self, answers: bool = True) -> None:
        self.answers = answers
        self.urls: list[str] = []

    async def __call__(self, url: str, timeout_s: float) -> str | None:
        self.urls.append(url)
        if not self.answers:
            return None
        state = state_of(url)
        return f"access_token=tok-framed-{len(self.urls):04d}&token_type=Bearer&expires_in=600&state={state}"


async def test_stay_signed_in_renews_in_a_hidden_frame_without_leaving_the_page() -> None:
    from urllib.parse import parse_qs, urlsplit

    frame = FakeFrame()
    h = Harness(expiry_warning_s=300, frame=frame)
    await h.sign_in(expires_in=1800)
    h.clock.advance(1600)
    h.app.tick()
    assert "Stay signed in?" in h.screen.text
    h.app.dispatch("stay_signed_in")
    await h.settle()
    params = {k: v[0] for k, v in parse_qs(urlsplit(frame.urls[0]).query).items()}
    assert params["redirect_uri"] == BASE + "/static/callback.html" and params["response_type"] == "token"
    token = h.session.token()
    assert token is not None and token.access_token.reveal() == "tok-framed-0001"
    assert h.navigator.assigned == [] and "Stay signed in?" not in h.screen.text and "Room 0" in h.screen.text


async def test_stay_signed_in_falls_back_to_a_redirect_when_the_frame_gets_nothing() -> None:
    h = Harness(expiry_warning_s=300, frame=FakeFrame(answers=False))
    await h.sign_in(expires_in=1800)
    h.clock.advance(1600)
    h.app.dispatch("stay_signed_in")
    await h.settle()
    assert len(h.navigator.assigned) == 1 and "/auth/oauth/authorize?" in h.navigator.assigned[0]


async def test_a_kiosk_renews_in_a_frame_and_without_a_session_keeps_its_data_and_retries_backing_off() -> None:
    frame = FakeFrame()
    h = Harness(kiosk=True, expiry_warning_s=60, frame=frame)
    await h.sign_in(expires_in=600)
    h.clock.advance(541)
    h.app.tick()
    await h.settle()
    assert len(frame.urls) == 1 and h.navigator.assigned == []
    assert (h.session.token() or Token(Secret("x"), 0, "")).access_token.reveal() == "tok-framed-0001"
    frame.answers = False  # PlaceOS's session ended: its login page cannot be framed, nothing comes back
    h.clock.advance(541)
    h.app.tick()
    await h.settle()
    assert "Sign-in needed" in h.screen.text and "Room" in h.screen.text and h.navigator.assigned == []
    tries = len(frame.urls)
    for _ in range(9):  # within the first back-off (10 s): no new attempt
        h.clock.advance(1)
        h.app.tick()
        await h.settle()
    assert len(frame.urls) == tries
    h.clock.advance(70)  # past expiry too: still no redirect, still the data, another try
    h.app.tick()
    await h.settle()
    assert len(frame.urls) == tries + 1 and h.navigator.assigned == [] and "Room" in h.screen.text


async def test_a_frame_renewal_answered_login_required_uses_its_state_and_says_a_sign_in_is_needed() -> None:
    from urllib.parse import parse_qs, urlsplit

    urls: list[str] = []

    async def refusing_frame(url: str, timeout_s: float) -> str | None:
        urls.append(url)
        return f"error=login_required&error_description=A+sign-in+is+needed.&state={state_of(url)}"

    h = Harness(kiosk=True, expiry_warning_s=60, frame=refusing_frame)
    await h.sign_in(expires_in=600)
    h.clock.advance(541)
    h.app.tick()
    await h.settle()
    assert parse_qs(urlsplit(urls[0]).query)["prompt"] == ["none"]
    assert "Sign-in needed" in h.screen.text and h.navigator.assigned == [] and "Room" in h.screen.text
    assert not [key for key in h.storage.keys() if key.startswith("placeos.state.")]  # its state is used up
