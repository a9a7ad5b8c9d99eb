"""A person's list and detail (app.browse, app.list_view, app.detail): search and filters kept in the URL, real
links, the pager, a detail card grouped and resolved, and a new tab that starts signed in (app.tabs)."""

from __future__ import annotations

import json
from typing import Any

from app.api.frames import Binding
from app.api.live import Live
from app.browse.place import Place
from app.browse.rooms import STALE_SIGN_IN, Browse
from app.browse.state import BrowseState
from app.core.ports import HttpResponse
from app.ui.elements import El
from tests.fakes import (
    SYSTEMS,
    FakeHost,
    FakeNavigator,
    Harness,
    config,
    find,
    signed_in_at,
    signed_in_parts,
    standin,
    text_of,
)


def rows(h_: Harness) -> list[El]:
    return [
        el for node in h_.screen.frames[-1] for el in find(node, lambda e: "system-row" in e.attrs.get("class", ""))
    ]


async def test_rows_are_links_to_their_system_and_one_page_has_no_pager() -> None:
    few = [{"id": "sys-1", "name": "Only room", "capacity": 1}]
    h_ = await signed_in_at(
        "/?q=only",
        handler=lambda r: (
            standin(r) if "/systems" not in r.url else HttpResponse(200, {"x-total-count": "1"}, json.dumps(few))
        ),
    )
    (row,) = rows(h_)
    assert row.tag == "a" and row.attrs["href"] == "/?q=only&system=sys-1"
    assert "1 seat" in text_of(row) and "1 system" in h_.screen.text
    assert not find(h_.screen.frames[-1][-1], lambda e: e.attrs.get("class") == "pager")
    assert h_.screen.title == "“only” · Systems · PlaceOS"


async def test_the_pager_jumps_and_an_offset_past_the_end_leads_back_to_the_last_page() -> None:
    h_ = await signed_in_at("/?offset=900")
    assert h_.app.model.browse.place.offset == 40 and h_.navigator.path == "/?offset=40"
    assert h_.navigator.history == ["/?offset=40"]  # the address past the end was replaced, not kept
    assert "41–45 of 45 systems" in h_.screen.text
    h_.app.dispatch("goto", "", {"page": "1"})
    await h_.settle()
    assert h_.navigator.path == "/" and h_.screen.focus[-1] == "systems-list"
    h_.app.dispatch("goto", "", {"page": "99999"})
    await h_.settle()
    assert h_.app.model.browse.place.offset == 40


async def test_filters_go_to_the_api_and_the_address_and_show_as_chips() -> None:
    h_ = Harness()
    await h_.sign_in()
    h_.app.dispatch(
        "filter", "", {"building": "zone-b1", "capacity": "6", "feature:VidConf": "VidConf", "bookable": "true"}
    )
    await h_.settle()
    assert h_.navigator.path == "/?building=zone-b1&capacity=6&features=VidConf&bookable=true"
    asked = [r.url for r in h_.transport.requests if "/systems" in r.url][-1]
    assert (
        "zone_id=zone-b1" in asked
        and "capacity=6" in asked
        and "features=VidConf" in asked
        and "bookable=true" in asked
    )
    chips = [
        text_of(e)
        for node in h_.screen.frames[-1]
        for e in find(node, lambda e: "chip-remove" in e.attrs.get("class", ""))
    ]
    assert chips == ["Building: North Building ×", "At least 6 seats ×", "VidConf ×", "Bookable ×"]
    levels = [text_of(e) for node in h_.screen.frames[-1] for e in find(node, lambda e: e.tag == "option")]
    assert "Level 1" in levels and "Level 2" in levels
    h_.app.dispatch("unfilter", "all")
    await h_.settle()
    assert h_.navigator.path == "/"


async def test_while_a_new_query_loads_the_old_list_is_dimmed_and_labelled() -> None:
    h_ = Harness()
    await h_.sign_in()
    shown = len(h_.screen.frames)
    h_.app.dispatch("search", "", {"q": "room 4"})
    await h_.settle()
    # The first frame of the new query, before its answer: the old rows, dimmed, busy and said to be the old ones.
    frame = h_.screen.frames[shown]
    (listing,) = [e for node in frame for e in find(node, lambda e: e.attrs.get("id") == "systems-list")]
    assert "stale" in listing.attrs["class"] and listing.attrs["aria-busy"] == "true"
    assert "Loading new results" in " ".join(text_of(n) for n in frame)
    (listing,) = [e for node in h_.screen.frames[-1] for e in find(node, lambda e: e.attrs.get("id") == "systems-list")]
    assert listing.attrs["class"] == "systems"


COMPLETE = {
    **SYSTEMS[3],
    "email": "room3@rooms.example.com",
    "timezone": "Europe/London",
    "created_at": 1_700_000_000,
    "zone_data": [
        {"id": "zone-b1", "name": "North Building", "tags": ["building"]},
        {"id": "zone-l2", "name": "Level 2", "tags": ["level"]},
    ],
    "module_data": [
        {"id": "mod-1", "name": "Bookings", "notes": "Room bookings"},
        {"id": "mod-2", "name": "Display", "connected": False},
    ],
    "images": ["http://127.0.0.1:8000/pic.svg", "https://elsewhere.example.com/pic.svg", "javascript:alert(1)"],
}


def detail_handler(request: Any) -> HttpResponse:
    if "/systems/sys-0000000003" in request.url:
        assert "complete=true" in request.url
        return HttpResponse(200, {}, json.dumps(COMPLETE))
    return standin(request)


async def test_the_detail_is_grouped_with_names_not_ids_and_a_mailto() -> None:
    h_ = Harness(handler=detail_handler)
    await h_.sign_in()
    h_.app.dispatch("open", "sys-0000000003")
    h_.app.show()
    assert h_.screen.frames[-1] and "Room 3" in text_of(h_.screen.frames[-1][-1])  # the list's name while loading
    await h_.settle()
    text = h_.screen.text
    for heading in ("About", "Booking", "Location", "Devices", "Record"):
        assert heading in text
    assert "North Building" in text and "Level 2" in text and "zone-b1" not in text
    assert "Bookings · Room bookings" in text and "Display (offline)" in text
    frame = h_.screen.frames[-1]
    links = {e.attrs.get("href") for node in frame for e in find(node, lambda e: e.tag == "a")}
    assert "mailto:room3@rooms.example.com" in links
    pictures = [e.attrs["src"] for node in frame for e in find(node, lambda e: e.tag == "img")]
    assert pictures == ["http://127.0.0.1:8000/pic.svg"]  # PlaceOS's origin; the other as a link, no javascript:
    assert "https://elsewhere.example.com/pic.svg" in links and not [u for u in links if u and "javascript" in u]
    assert h_.screen.title == "Room 3 · PlaceOS"


async def test_after_a_401_the_card_keeps_its_data_and_a_missing_system_says_so() -> None:
    h_ = Harness(handler=detail_handler)
    await h_.sign_in()
    h_.app.dispatch("open", "sys-0000000003")
    await h_.settle()
    h_.transport.handler = lambda r: HttpResponse(401, {}, '{"error":"logged out"}')
    h_.app.dispatch("reload")
    await h_.settle()
    assert "North Building" in h_.screen.text and "no longer accepts your sign-in" in h_.screen.text
    other = await signed_in_at("/?system=sys-gone", handler=detail_handler)
    assert "System not found" in other.screen.text and "Try again" not in other.screen.text
    assert "← All systems" in other.screen.text and other.screen.title == "System not found · PlaceOS"


async def test_a_plain_expiry_is_not_called_a_refusal() -> None:
    h_ = Harness()
    await h_.sign_in()
    h_.transport.handler = lambda r: HttpResponse(401, {}, '{"error":"Signature is expired"}')
    h_.app.dispatch("page", "20")
    await h_.settle()
    assert "Your session has ended" in h_.screen.text and "no longer accepts" not in h_.screen.text


async def test_the_countdown_notice_is_not_itself_a_live_region() -> None:
    h_ = Harness(expiry_warning_s=300)
    await h_.sign_in(expires_in=1800)
    h_.clock.advance(1600)
    h_.app.tick()
    (notice,) = [
        e for node in h_.screen.frames[-1] for e in find(node, lambda e: e.attrs.get("class") == "notice warn")
    ]
    assert "role" not in notice.attrs
    (live,) = find(notice, lambda e: e.attrs.get("role") == "status")
    assert text_of(live) == "Your session ends in 4 minutes."


async def test_the_page_is_kept_per_tab_for_its_address_and_forgotten_at_sign_out() -> None:
    h_ = await signed_in_at("/?q=room")
    saved = json.loads(h_.storage.get("placeos.page.painted") or "null")
    assert saved["path"] == "/?q=room" and "Room 0" in json.dumps(saved["nodes"])
    h_.transport.handler = lambda r: HttpResponse(200, {}, "{}")
    await h_.app.sign_out()
    assert h_.storage.get("placeos.page.painted") is None


async def test_a_painted_page_stays_until_the_first_answer_never_loading() -> None:
    h_ = await signed_in_at("/")
    again = Harness(path="/")
    again.storage, again.session._session_storage, again.session._token_storage = h_.storage, h_.storage, h_.storage
    again.app.browse.painted = True  # the loader drew the saved page
    await again.app.start("", again.clock.now)
    await again.settle()
    texts = [" ".join(text_of(n) for n in frame) for frame in again.screen.frames]
    assert texts and not [t for t in texts if "Loading systems" in t]
    assert "Room 0" in texts[0]  # the first frame Python draws is already the fresh list


async def test_a_painted_page_gives_way_when_placeos_refuses_the_kept_token() -> None:
    h_ = await signed_in_at("/")
    again = Harness(path="/", handler=lambda request: HttpResponse(401, {}, '{"error": "invalid_token"}'))
    again.storage, again.session._session_storage, again.session._token_storage = h_.storage, h_.storage, h_.storage
    again.app.browse.painted = True
    await again.app.start("", again.clock.now)
    await again.settle()
    # The copy cannot say anything, so Python's screen replaces it, with the refusal and the way on.
    assert again.screen.frames, "the saved copy stayed on screen, saying nothing"
    assert "PlaceOS no longer accepts your sign-in." in " ".join(text_of(n) for n in again.screen.frames[-1])


# the rooms unit on its own, against a fake host ------------------------------------------------------------------


def rooms_alone(
    handler: Any = standin, place: Place | None = None
) -> tuple[Browse, FakeHost, Live, list[str], list[list[str]], FakeNavigator]:
    from app.ui.words import local_zone_clock, local_zone_time

    host = FakeHost()
    conf = config()
    session, api, live = signed_in_parts(conf, host.clock, handler)
    refused: list[str] = []
    kept: list[list[str]] = []
    navigator = FakeNavigator("/")
    state = BrowseState.for_config(conf, place)
    browse = Browse(
        host,
        state,
        api=api,
        live=live,
        session=session,
        navigator=navigator,
        zone_time=local_zone_time,
        zone_clock=local_zone_clock,
        auth_required=refused.append,
        keep_page=kept.append,
    )
    return browse, host, live, refused, kept, navigator


async def test_a_refresh_fills_its_own_state_and_keeps_the_page_with_what_it_asked() -> None:
    browse, host, _, refused, kept, _ = rooms_alone()
    await browse.refresh()
    state = browse.state
    assert state.systems and state.total == 45 and state.listed == state.place and not state.loading
    assert state.user is not None and state.buildings and refused == []
    assert len(kept) == 1 and any("/api/engine/v2/systems" in url for url in kept[0])


async def test_a_refused_token_is_handed_to_the_session_keeper_and_nothing_is_kept() -> None:
    refusing = lambda request: HttpResponse(401, {}, '{"error": "invalid_token"}')  # noqa: E731
    browse, _, _, refused, kept, _ = rooms_alone(refusing)
    await browse.refresh()
    assert refused == [STALE_SIGN_IN] and kept == [] and not browse.state.loading


async def test_an_open_room_takes_its_live_values_and_lets_go_of_them_when_it_is_left() -> None:
    browse, host, live, *_, navigator = rooms_alone(place=Place(system="sys-0000000003"))
    await browse.refresh()
    live.value(Binding("sys-0000000003", "Bookings", 1, "status"), "busy")
    live.value(Binding("sys-0000000009", "Bookings", 1, "status"), "free")  # another room: not this one's
    assert browse.state.live == {"status": "busy"}
    browse.act("back", "", {})
    await host.settle()
    live.value(Binding("sys-0000000003", "Bookings", 1, "status"), "free")
    assert browse.state.live == {} and navigator.path == "/"


async def test_the_loaders_copy_stays_until_the_first_answer_unless_there_is_something_to_say() -> None:
    browse, *_ = rooms_alone()
    browse.painted = True
    assert browse.keeps_painted(said=False)
    assert not browse.keeps_painted(said=True) and not browse.painted  # gone for good
    browse.painted = True
    await browse.refresh()
    assert not browse.keeps_painted(said=False)


async def test_the_listed_rooms_take_their_state_read_in_their_zone_and_the_left_ones_are_dropped() -> None:
    browse, host, live, *_ = rooms_alone()
    await browse.refresh()
    state = browse.state
    listed = [s["id"] for s in state.systems or []]
    assert set(state.rows_live) == set(listed) and all(v == {} for v in state.rows_live.values())
    first, zone = listed[0], (state.systems or [])[0].get("timezone")
    booking = {"title": "Sync", "event_start": 1_800_000_000, "event_end": 1_800_001_800}
    live.value(Binding(first, "Bookings", 1, "status"), "busy")
    live.value(Binding(first, "Bookings", 1, "current_booking"), booking)
    live.value(Binding(first, "Bookings", 1, "people_count"), 3)  # not a row's: not kept
    live.value(Binding(listed[1], "Bookings", 1, "status"), None)  # no Bookings there: known absent
    assert state.rows_live[first] == {"status": "busy", "current_booking": booking}
    assert state.rows_live[listed[1]] == {"status": None}
    assert (1_800_001_800.0, zone or "") in state.clocks  # read once, in the room's zone, when it came
    before = len(host.shown)
    await host.settle()
    assert len(host.shown) == before + 1  # the values that came together are drawn once
    browse.act("page", "20", {})
    await host.settle()
    assert first not in state.rows_live  # off screen: no longer listed, no longer kept


async def test_a_room_opened_from_its_row_shows_at_once_what_its_row_knew_since_nothing_is_sent_again() -> None:
    browse, host, live, *_ = rooms_alone()
    await browse.refresh()
    first = (browse.state.systems or [])[0]["id"]
    live.value(Binding(first, "Bookings", 1, "status"), "busy")
    browse.act("open", first, {})
    await host.settle()
    assert browse.state.live == {"status": "busy"}  # still bound, so PlaceOS sends it no more: known from the row
    live.value(Binding(first, "Bookings", 1, "people_count"), 2)
    browse.act("back", "", {})
    await host.settle()
    assert browse.state.rows_live[first] == {"status": "busy"}  # and back in its row; people are not a row's


async def test_a_value_that_comes_while_an_opened_room_loads_is_not_lost() -> None:
    browse, host, live, *_ = rooms_alone()
    await browse.refresh()
    first = (browse.state.systems or [])[0]["id"]
    browse.act("open", first, {})  # the address has the room; its data is on the way
    live.value(Binding(first, "Bookings", 1, "status"), "pending")  # the row's bind answered just now
    await host.settle()
    assert browse.state.live == {"status": "pending"}
