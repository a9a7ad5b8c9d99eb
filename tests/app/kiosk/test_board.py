"""The kiosk board under CPython (app.board, app.board_state, app.board_view): layout, page turns, refreshes and
their back-off, the badges, the saved copy, and one renewal for the tabs that share a token."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from app.api.frames import Binding
from app.api.live import Live
from app.auth.session import PAINTED_KEY, VIEW_KEY
from app.core.ports import HttpResponse
from app.kiosk.board import Board
from app.kiosk.view import board_view
from app.shell.frame_renewal import NOT_TRIED, RENEWED
from app.ui.elements import to_data
from app.ui.words import clock_time
from tests import ROOT
from tests.fakes import (
    SYSTEMS,
    FakeHost,
    Harness,
    config,
    find,
    signed_in_parts,
    standin,
    state_of,
    text_of,
)


def board_text(h: Harness) -> str:
    return h.screen.text


# layout ----------------------------------------------------------------------------------------------------------


# the board over the faked ports ---------------------------------------------------------------------------------


async def board(**config: Any) -> Harness:
    h = Harness(kiosk=True, storage="local", **config)
    await h.sign_in()
    return h


async def test_a_kiosk_shows_the_board_with_no_controls() -> None:
    h = await board()
    nodes = h.screen.frames[-1]
    assert "Rooms" in board_text(h) and "Updated" in board_text(h)
    assert not [n for node in nodes for n in find(node, lambda e: e.tag in ("button", "input", "form", "a"))]
    tiles = [n for node in nodes for n in find(node, lambda e: "tile" in e.attrs.get("class", "").split())]
    assert len(tiles) == 16 and "Room 0" in board_text(h) and "Page 1 of 3" in board_text(h)


async def test_the_board_reads_its_zone_or_its_search() -> None:
    h = await board(board_zone="zone-lvl-1", board_search="focus")
    (listing,) = [r.url for r in h.transport.requests if "/api/engine/v2/systems?" in r.url]
    query = listing.split("?", 1)[1]
    assert "zone_id=zone-lvl-1" in query and "q=focus" in query
    # The zone's name heads the board (the fake PlaceOS has no such zone: the header stays "Rooms").
    assert any(r.url.endswith("/api/engine/v2/zones/zone-lvl-1") for r in h.transport.requests)


async def test_pages_turn_on_their_own_and_only_the_visible_rooms_are_bound() -> None:
    h = await board(board_rotate_s=15)
    bound: list[set[Binding]] = []

    async def keep_only(wanted: set[Binding]) -> None:
        bound.append(wanted)

    h.app.live.keep_only = keep_only  # type: ignore[method-assign]
    h.clock.advance(15)
    h.app.tick()
    await h.settle()
    assert "Page 2 of 3" in board_text(h) and "Room 16" in board_text(h) and "Room 0 " not in board_text(h)
    assert {b.sys for b in bound[-1]} == {s["id"] for s in SYSTEMS[16:32]}
    assert {b.name for b in bound[-1]} == {"status", "people_count", "current_booking", "next_booking", "bookings"}


async def test_live_values_show_as_words_and_values_for_rooms_off_screen_are_ignored() -> None:
    h = await board()
    room, hidden = SYSTEMS[0]["id"], SYSTEMS[40]["id"]
    h.app.live.value(Binding(room, "Bookings", 1, "status"), "busy")
    h.app.live.value(Binding(room, "Bookings", 1, "people_count"), 3)
    h.app.live.value(Binding(room, "Bookings", 1, "current_booking"), {"title": "<b>Sync</b>", "event_end": 0})
    h.app.live.value(Binding(hidden, "Bookings", 1, "status"), "busy")
    assert "In use" in board_text(h) and "· 3 people" in board_text(h) and "<b>Sync</b>" in board_text(h)
    assert h.app.board is not None and hidden not in h.app.board.state.live


async def test_a_failed_refresh_keeps_the_rooms_says_offline_and_backs_off() -> None:
    h = await board()
    h.transport.handler = lambda r: HttpResponse(503, {}, '{"error":"busy"}')
    h.clock.advance(61)
    h.app.tick()
    await h.settle()
    assert "Offline: PlaceOS cannot be reached." in board_text(h) and "Room" in board_text(h)
    assert "Sign-in" not in board_text(h) and "Reload" not in board_text(h)  # nobody is at a wall to do it
    attempts = []
    for _ in range(5):  # 2 s, then 5 s, then every 10 s
        sent = len(h.transport.requests)
        seconds = 0
        while len(h.transport.requests) == sent:
            h.clock.advance(1)
            seconds += 1
            h.app.tick()
            await h.settle()
        attempts.append(seconds)
    assert attempts == [2, 5, 10, 10, 10]


PROMISED = re.compile(r"Trying again (?:at (\d\d:\d\d:\d\d)|now)")


async def test_through_an_hour_offline_every_retry_time_shown_is_true_and_it_is_fresh_within_10_s_of_placeos() -> None:
    # The token (an hour) runs out during the outage too: its renewal in a frame finds PlaceOS away, which is an
    # outage as well, not a sign-in problem.
    away = [False]

    async def frame(url: str, timeout_s: float) -> str | None:
        if away[0]:
            return None  # the frame's page never loads
        return f"access_token=tok-framed-{len(url)}&token_type=Bearer&expires_in=3600&state={state_of(url)}"

    h = await board(frame=frame)
    serving = h.transport.handler
    away[0] = True
    h.transport.handler = lambda r: (_ for _ in ()).throw(OSError("connection refused"))
    h.clock.advance(61)
    h.app.tick()
    await h.settle()
    gaps, last_try = [], h.clock.now
    for _ in range(3600):
        promised = PROMISED.search(board_text(h))
        assert promised, board_text(h)
        now = clock_time(h.clock.now, seconds=True)
        assert promised.group(1) is None or promised.group(1) >= now  # never a time gone by
        # What the badge promises: the board's next read while its token lasts, then the renewal's next try.
        path = "/api/engine/v2/systems" if h.session.valid_token() else "/auth/authority"
        sent = sum(path in r.url for r in h.transport.requests)
        h.clock.advance(1)
        h.app.tick()
        await h.settle()
        if sum(path in r.url for r in h.transport.requests) > sent:
            # It tried at the time it said (a one-second tick), and says so while it does.
            assert promised.group(1) in (None, now, clock_time(h.clock.now, seconds=True)), promised.group(0)
            gaps.append(h.clock.now - last_try)
            last_try = h.clock.now
    assert max(gaps) <= 10 and len(gaps) >= 350
    assert "Sign-in" not in board_text(h)
    h.transport.handler, away[0] = serving, False  # PlaceOS is back
    back = h.clock.now
    while "Offline" in board_text(h):
        h.clock.advance(1)
        h.app.tick()
        await h.settle()
    assert h.clock.now - back <= 10
    assert f"Updated {clock_time(h.clock.now, seconds=True)}" in board_text(h)


async def test_data_older_than_its_refresh_interval_is_marked_out_of_date() -> None:
    h = await board(board_refresh_s=60)
    assert "Out of date" not in board_text(h) and h.app.board is not None
    h.app.board.state.refreshing = True  # a refresh that hangs: no answer, no error
    h.clock.advance(69)
    h.app.tick()
    assert "Out of date" not in board_text(h)  # a refresh may take a few seconds
    h.clock.advance(2)
    h.app.tick()
    assert "Out of date." in board_text(h)
    await h.settle()


async def test_a_dropped_live_connection_shows_when_it_reconnects() -> None:
    h = await board()
    h.app.live.connection(False)
    h.app.live.retrying(12)
    h.app.tick()
    assert "Live updates paused." in board_text(h) and "Trying again at" in board_text(h)
    h.app.live.connection(True)
    h.app.tick()
    assert "Live updates paused." not in board_text(h)
    await h.settle()


async def test_a_tick_that_changes_nothing_leaves_the_page_alone() -> None:
    h = await board()
    h.app.tick()
    frames = len(h.screen.frames)
    h.clock.advance(0.2)
    h.app.tick()
    assert len(h.screen.frames) == frames


# the saved copy (item 5) ----------------------------------------------------------------------------------------


async def test_a_reload_paints_the_saved_board_at_once_before_anything_is_asked_of_placeos() -> None:
    h = await board()
    h.app.live.value(Binding(SYSTEMS[0]["id"], "Bookings", 1, "status"), "free")
    h.clock.advance(11)
    h.app.tick()  # saved at most 10 s after a change
    await h.settle()
    again = Harness(kiosk=True, storage="local")
    again.storage.data.update(h.storage.data)
    again.transport.handler = lambda r: OSError("offline")
    await again.app.start("", again.clock.now)
    first = text_of(again.screen.frames[0][0])
    assert "Room 0" in first and "Free" in first and "Refreshing." in first  # the very first paint
    await again.settle()
    assert "Offline: PlaceOS cannot be reached." in again.screen.text and "Room 0" in again.screen.text


async def test_signing_out_clears_the_saved_board() -> None:
    h = await board()
    assert h.storage.get(VIEW_KEY) and h.storage.get(PAINTED_KEY)
    h.transport.handler = lambda r: HttpResponse(200, {}, "{}")
    await h.app.sign_out()
    assert h.storage.get(VIEW_KEY) is None and h.storage.get(PAINTED_KEY) is None


async def test_the_board_is_kept_as_drawn_for_the_loader_with_only_what_the_loader_may_draw() -> None:
    h = await board()
    painted = json.loads(h.storage.get(PAINTED_KEY) or "[]")
    loader = (ROOT / "static" / "boot.js").read_text()
    tags = set(json.loads("[" + re.search(r"PAINT_TAGS = new Set\(\[(.*?)\]\)", loader, re.DOTALL).group(1) + "]"))  # type: ignore[union-attr]
    attrs = set(json.loads("[" + re.search(r"PAINT_ATTRS = new Set\(\[(.*?)\]\)", loader, re.DOTALL).group(1) + "]"))  # type: ignore[union-attr]

    def walk(node: Any) -> None:
        if isinstance(node, str):
            return
        assert node[0] in tags, node[0]
        assert all(name in attrs or name.startswith("aria-") for name in node[1]), node[1]
        for child in node[2:]:
            walk(child)

    for node in painted:
        walk(node)
    text = json.dumps(painted)
    assert "Room 0" in text and "Refreshing." in text and "board-clock" in text
    assert not [n for n in painted[0][2:] if isinstance(n, list) and "Offline" in json.dumps(n)]


async def test_a_rebooted_kiosk_with_no_token_renews_in_a_frame_behind_its_saved_board() -> None:
    h = await board()
    h.session.forget()
    urls: list[str] = []

    async def frame(url: str, timeout_s: float) -> str | None:
        urls.append(url)
        return f"access_token=tok-framed-abcdefgh&token_type=Bearer&expires_in=600&state={state_of(url)}"

    again = Harness(kiosk=True, storage="local", frame=frame)
    again.storage.data.update(h.storage.data)
    await again.app.start("", again.clock.now)
    await again.settle()
    assert len(urls) == 1 and again.navigator.assigned == [] and "Room 0" in again.screen.text
    assert again.transport.requests[-1].headers["Authorization"] == "Bearer tok-framed-abcdefgh"


async def test_a_rebooted_kiosk_whose_placeos_session_is_gone_goes_to_sign_in() -> None:
    h = await board()
    h.session.forget()

    async def frame(url: str, timeout_s: float) -> str | None:
        return f"error=login_required&state={state_of(url)}"

    again = Harness(kiosk=True, storage="local", frame=frame)
    again.storage.data.update(h.storage.data)
    await again.app.start("", again.clock.now)
    assert len(again.navigator.assigned) == 1 and "/auth/oauth/authorize?" in again.navigator.assigned[0]
    assert "Room 0" in again.screen.text  # and the board stays on screen until the page goes


# one renewal for the tabs that share a token (item 4) -----------------------------------------------------------


class Locks:
    """Web Locks between tabs, in one process: a name is held by one tab at a time; the others do not wait."""

    def __init__(self) -> None:
        self.held: set[str] = set()

    def for_tab(self) -> Callable[[str, Callable[[], Awaitable[None]]], Awaitable[bool]]:
        async def exclusive(name: str, work: Callable[[], Awaitable[None]]) -> bool:
            if name in self.held:
                return False
            self.held.add(name)
            try:
                await work()
                return True
            finally:
                self.held.discard(name)

        return exclusive


async def test_tabs_sharing_a_token_renew_it_once_and_the_others_adopt_it() -> None:
    locks = Locks()
    urls: list[str] = []

    async def frame(url: str, timeout_s: float) -> str | None:
        urls.append(url)
        # While this tab is in its frame, the other tab's renewal is due too.
        assert await two.app.keeper.renew_in_frame() == NOT_TRIED
        return f"access_token=tok-framed-{len(urls):04d}&token_type=Bearer&expires_in=3600&state={state_of(url)}"

    one = await board(expiry_warning_s=60, exclusive=locks.for_tab(), frame=frame)
    two = Harness(kiosk=True, storage="local", expiry_warning_s=60, exclusive=locks.for_tab(), frame=frame)
    two.storage = one.storage
    two.session._token_storage = one.storage  # the same localStorage
    one.clock.advance(3541)
    two.clock.now = one.clock.now
    assert await one.app.keeper.renew_in_frame() == RENEWED
    assert len(urls) == 1
    token = two.session.token()
    assert token is not None and token.access_token.reveal() == "tok-framed-0001"
    # The other tab, once the lock is free, finds the renewed token and has nothing left to renew.
    two.app.tick()
    await two.settle()
    assert len(urls) == 1
    await one.settle()
    await two.settle()


async def test_refresh_token_renewal_is_one_tab_at_a_time_too() -> None:
    ran: list[str] = []

    async def busy(name: str, work: Callable[[], Awaitable[None]]) -> bool:
        ran.append(name)
        return False  # another tab holds it

    h = Harness(flow="code", storage="local", kiosk=True, exclusive=busy)
    await h.app.keeper.renew("Your session has ended.", reload=False)
    assert ran == ["placeos-renewal"] and h.navigator.assigned == []  # not this tab's turn: nothing else happens


# the board on its own, against a fake host -----------------------------------------------------------------------


def board_alone(
    handler: Any = standin, board_save_s: int = 10, jitter: float = 0.5, **overrides: Any
) -> tuple[Board, FakeHost, Live, list[str]]:
    host = FakeHost()
    conf = config(kiosk=True, storage="local", board_save_s=board_save_s, **overrides)
    session, api, live = signed_in_parts(conf, host.clock, handler)
    refused: list[str] = []
    board = Board(
        host,
        conf,
        api=api,
        live=live,
        session=session,
        viewport=lambda: (1920.0, 1080.0),
        auth_required=refused.append,
        sign_in_retry_at=lambda: None,
        jitter=lambda: jitter,
    )
    return board, host, live, refused


async def test_the_board_alone_reads_its_rooms_and_takes_live_values_once_entered() -> None:
    board, host, live, _ = board_alone()
    live.value(Binding(SYSTEMS[0]["id"], "Bookings", 1, "status"), "busy")  # before entering: not subscribed
    board.enter()
    await board.refresh()
    assert board.drawn and len(board.state.rooms) == 45 and board.state.live == {}
    live.value(Binding(SYSTEMS[0]["id"], "Bookings", 1, "status"), "busy")
    assert board.state.live[SYSTEMS[0]["id"]] == {"status": "busy"}


async def test_the_board_alone_backs_off_when_placeos_is_away_and_hands_a_refusal_on() -> None:
    board, host, _, refused = board_alone(lambda request: OSError("offline"))
    board.enter()
    await board.refresh()
    assert board.state.problem == "PlaceOS cannot be reached." and board.state.offline
    assert board.state.retry_at == host.clock() + 2
    refusing, _, _, told = board_alone(lambda request: HttpResponse(401, {}, '{"error": "invalid_token"}'))
    await refusing.refresh()
    assert told == ["PlaceOS no longer accepts your sign-in."]


async def test_the_saved_copy_follows_live_values_at_the_injected_pace() -> None:
    board, host, live, _ = board_alone(board_save_s=2)
    board.enter()
    await board.refresh()
    saved = board._session.saved_view()
    live.value(Binding(SYSTEMS[0]["id"], "Bookings", 1, "status"), "busy")
    host.clock.advance(1)
    board.tick()
    assert board._session.saved_view() == saved  # not yet: live values change often
    host.clock.advance(1)
    board.tick()
    assert board._session.saved_view() != saved


async def test_with_its_own_system_named_the_board_beats_every_minute_give_or_take_a_tenth_while_online() -> None:
    beats: list[str] = []
    away = [False]

    def placeos(request: Any) -> Any:
        if away[0]:
            return OSError("connection refused")
        if "/signage/" in request.url:
            beats.append(request.url)
            return HttpResponse(200, {}, "{}")
        return standin(request)

    for jitter, every in ((0.0, 54), (1.0, 66)):  # 60 s, give or take a tenth
        beats.clear()
        board, host, _, _ = board_alone(placeos, jitter=jitter, board_system="sys-lobby-display", board_heartbeat_s=60)
        board.enter()
        times = []
        for _ in range(200):
            sent = len(beats)
            board.tick()
            await host.settle()
            if len(beats) > sent:
                times.append(host.clock())
            host.clock.advance(1)
        assert beats[0].endswith("/api/engine/v2/signage/sys-lobby-display?preview=false")
        assert [b - a for a, b in zip(times, times[1:], strict=False)] == [every] * (len(times) - 1)
    away[0] = True  # offline: no beats (the board's reads say it is offline), and they resume after
    host.clock.advance(60)
    board.tick()
    await host.settle()
    sent = len(beats)
    for _ in range(120):
        host.clock.advance(1)
        board.tick()
        await host.settle()
    assert len(beats) == sent and board.state.offline
    away[0] = False
    for _ in range(80):
        host.clock.advance(1)
        board.tick()
        await host.settle()
    assert len(beats) > sent


async def test_without_its_own_system_the_board_sends_no_heartbeat() -> None:
    board, host, _, _ = board_alone()
    board.enter()
    for _ in range(120):
        board.tick()
        await host.settle()
        host.clock.advance(1)
    assert not any("/signage/" in r.url for r in board._api._transport.requests)  # type: ignore[attr-defined]


async def test_quiet_hours_dim_the_board_to_a_clock_and_it_wakes_by_itself() -> None:
    async def frame(url: str, timeout_s: float) -> str | None:  # its sign-in renews through the night
        return f"access_token=tok-framed-{len(url)}&token_type=Bearer&expires_in=3600&state={state_of(url)}"

    h = await board(board_quiet="20:00-07:00", frame=frame)
    # The harness's clock starts at 08:00 (UTC, as the tests run): 13 hours on is 21:00.
    assert "Room 0" in board_text(h) and "board-quiet" not in json.dumps([to_data(n) for n in h.screen.frames[-1]])
    for hours in (13, 10):  # 21:00: quiet; then 07:00: awake again
        h.clock.advance(hours * 3600)
        for _ in range(3):
            h.app.tick()
            await h.settle()
        painted = json.dumps([to_data(n) for n in h.screen.frames[-1]])
        if hours == 13:
            assert "board-quiet" in painted and "Room 0" not in board_text(h) and "21:00" in board_text(h)
        else:
            assert '"board shift-' in painted and "tile-name" in painted  # the rooms, on whichever page


async def test_free_first_puts_each_page_s_free_rooms_first_and_the_zone_names_the_board() -> None:
    from app.core.ports import HttpRequest

    def placeos(request: HttpRequest) -> Any:
        if request.url.endswith("/zones/zone-bld-1"):
            return HttpResponse(200, {}, json.dumps({"id": "zone-bld-1", "name": "Sydney HQ"}))
        return standin(request)

    board, host, live, _ = board_alone(placeos, board_order="free-first", board_zone="zone-bld-1")
    board.enter()
    await board.refresh()
    names = [room.name for room in board.state.visible()]
    first, last = board.state.visible()[0], board.state.visible()[-1]
    live.value(Binding(last.id, "Bookings", 1, "status"), "free")
    live.value(Binding(first.id, "Bookings", 1, "status"), "busy")
    ordered = [room.name for room in board.state.visible()]
    # Free, then in use, then those PlaceOS said nothing of yet, each in name order as before.
    assert ordered == [last.name, first.name, *names[1:-1]]
    assert board.state.building == "Sydney HQ" and "Rooms  · Sydney HQ" in text_of(board_view(board.state)[0])
