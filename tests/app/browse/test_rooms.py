"""A person's list and detail (app.browse, app.list_view, app.detail): search and filters kept in the URL, real
links, the pager, a detail card grouped and resolved, and a new tab that starts signed in (app.tabs)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.browse.detail_view import mail_href
from app.browse.list_view import count_text, seats
from app.browse.place import MAX_FEATURES, Place, place_from
from app.browse.rooms import filtered, unfiltered
from app.browse.state import BrowseState
from app.core.ports import HttpResponse
from app.ui.countdown import spoken
from app.ui.elements import El, h
from app.ui.words import when
from tests.fakes import SYSTEMS, Harness, find, standin, text_of


async def signed_in_at(path: str, **kwargs: Any) -> Harness:
    """A person who opened this address, signed in from there and came back to it."""
    h_ = Harness(path=path, **kwargs)
    await h_.app.start("", h_.clock.now)
    await h_.sign_in()
    return h_


def rows(h_: Harness) -> list[El]:
    return [
        el for node in h_.screen.frames[-1] for el in find(node, lambda e: "system-row" in e.attrs.get("class", ""))
    ]


def test_a_place_with_filters_round_trips_through_its_address() -> None:
    place = Place(
        q="board",
        offset=40,
        building="zone-b1",
        level="zone-l1",
        capacity=8,
        features=("VidConf", "Display"),
        bookable=True,
    )
    assert place_from(place.path("/apps/x/")) == place
    assert place.api_filters() == {
        "zone_id": "zone-l1",
        "capacity": "8",
        "features": "VidConf,Display",
        "bookable": "true",
    }
    assert Place(building="zone-b1").api_filters() == {"zone_id": "zone-b1"}
    assert place_from("/?level=zone-l1") == Place()  # a level is only ever within a chosen building


@given(
    st.dictionaries(
        st.sampled_from(["q", "offset", "system", "building", "level", "capacity", "features", "bookable", "x"]),
        st.text(max_size=400),
    )
)
def test_any_address_gives_a_bounded_place_that_round_trips(query: dict[str, str]) -> None:
    place = Place.from_query(query)
    assert len(place.q) <= 200 and len(place.building) <= 100 and len(place.features) <= MAX_FEATURES
    assert 0 <= place.capacity <= 99999 and all(0 < len(f) <= 40 and "," not in f for f in place.features)
    assert place_from(place.path()) == place


@given(
    st.dictionaries(
        st.one_of(
            st.sampled_from(["building", "level", "capacity", "bookable", "q"]),
            st.text(max_size=20).map("feature:".__add__),
        ),
        st.text(max_size=300),
    )
)
def test_any_posted_filter_form_gives_a_bounded_place(form: dict[str, str]) -> None:
    place = filtered(Place(building=form.get("building", "")[:100]), form)
    assert place.offset == 0 and len(place.features) <= MAX_FEATURES and 0 <= place.capacity <= 99999
    assert place_from(place.path()) == place  # what the form chose is exactly what the address keeps


def test_chips_remove_one_filter_or_all() -> None:
    place = Place(q="a", offset=20, building="b", level="l", capacity=4, features=("X", "Y"), bookable=True)
    assert unfiltered(place, "building") == Place(q="a", capacity=4, features=("X", "Y"), bookable=True)
    assert unfiltered(place, "feature:X").features == ("Y",) and unfiltered(place, "feature:X").offset == 0
    assert unfiltered(place, "capacity").capacity == 0 and unfiltered(place, "bookable").bookable is False
    assert unfiltered(place, "all") == Place(q="a")


def test_words_for_counts_read_as_english() -> None:
    assert (seats(1), seats(2), seats(0), seats("x"), seats(True)) == ("1 seat", "2 seats", "0 seats", "", "")
    model = BrowseState(systems=[{"id": "a"}], total=1)
    assert count_text(model) == "1 system"
    model = BrowseState(systems=[{"id": str(n)} for n in range(20)], total=10_000, place=Place(offset=40))
    assert count_text(model) == "41–60 of 10,000 systems"


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


def test_mailto_only_for_one_plain_address() -> None:
    assert mail_href("a.b+c@rooms.example.com") == "mailto:a.b+c@rooms.example.com"
    for bad in ("a@b", "a@b.com,c@d.com", "a@b.com?cc=x@y.com", "javascript:x@y.com", "a b@c.com", "", None, "@x.com"):
        assert mail_href(bad) is None, bad


@given(st.text(max_size=80))
def test_no_generated_text_makes_a_mailto_with_more_than_one_address_or_a_header(text: str) -> None:
    href = mail_href(text)
    if href is not None:
        address = href.removeprefix("mailto:")
        assert address.count("@") == 1 and "?" not in address and "," not in address and "%" not in text


def test_times_read_in_the_room_and_your_own_zone() -> None:
    def zone_time(moment: float, zone: str | None) -> str | None:
        return {None: "10:00 UTC", "Europe/London": "10:00 GMT", "Australia/Sydney": "21:00 AEDT"}.get(zone)

    assert when(1, "Australia/Sydney", zone_time) == "21:00 AEDT in the room · 10:00 UTC your time"
    assert when(1, "Nowhere/Else", zone_time) == "10:00 UTC"
    assert when("1", "Australia/Sydney", zone_time) == "" and when(True, None, zone_time) == ""


def test_the_countdown_is_spoken_at_thresholds_not_every_second() -> None:
    heard = {spoken(s) for s in range(1, 301)}
    assert heard == {
        "Your session ends in less than 10 seconds.",
        "Your session ends in less than 30 seconds.",
        "Your session ends in less than a minute.",
        "Your session ends in 2 minutes.",
        "Your session ends in 3 minutes.",
        "Your session ends in 4 minutes.",
        "Your session ends in 5 minutes.",
    }


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


def linked(a: Harness, b: Harness) -> None:
    """Two tabs of one origin: a BroadcastChannel between them, and one localStorage."""
    a.app.tabs.broadcast = b.app.tabs.message
    b.app.tabs.broadcast = a.app.tabs.message
    b.session._shared = a.session._shared


async def test_a_new_tab_starts_signed_in_with_the_token_of_a_signed_in_tab() -> None:
    first = Harness()
    await first.sign_in()
    second = Harness(path="/?system=sys-0000000002")
    linked(first, second)
    await second.app.start("", second.clock.now)
    await second.settle()
    assert "Sign in to PlaceOS" not in second.screen.text and second.app.working
    assert second.app.model.browse.place.system == "sys-0000000002"
    assert second.session.token().access_token.reveal() == first.session.token().access_token.reveal()


async def test_a_first_visit_asks_no_tab_and_waits_for_none() -> None:
    asked: list[str] = []
    alone = Harness()
    alone.app.tabs.broadcast = asked.append
    await alone.app.start("", alone.clock.now)
    assert asked == [] and "Sign in to PlaceOS" in alone.screen.text


async def test_a_signed_out_tab_offers_nothing_and_the_refresh_token_never_travels() -> None:
    first = Harness()
    await first.app.start("", first.clock.now)  # signed out
    second = Harness()
    linked(first, second)
    second.session._shared.set("placeos.signed-in-until", str(int(second.clock.now + 600)))
    await second.app.start("", second.clock.now)
    assert "Sign in to PlaceOS" in second.screen.text
    sent: list[str] = []
    first.app.tabs.broadcast = sent.append
    await first.sign_in()
    first.session.keep(
        first.session.token().__class__.from_json(
            json.dumps({**json.loads(first.session.token().to_json()), "refresh_token": "rt-secret"})
        )
    )
    first.app.tabs.message(json.dumps({"type": "token-wanted", "nonce": "n1"}))
    assert sent and "rt-secret" not in sent[-1] and json.loads(sent[-1])["nonce"] == "n1"


def test_h_drops_empty_children() -> None:
    assert h("p", {}, "", None, ["a", None]).children == ("a",)


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


messages = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda kind, nonce, token: json.dumps({"type": kind, "nonce": nonce, "token": token}),
        st.sampled_from(["token-wanted", "token-offered", "signed-out", "x"]),
        st.one_of(st.text(max_size=80), st.integers(), st.none()),
        st.one_of(st.text(max_size=200), st.integers(), st.none(), st.just('{"access_token": 1}')),
    ),
)


@given(st.lists(messages, max_size=6))
def test_no_message_from_another_tab_breaks_a_tab_or_gives_it_a_token_it_did_not_ask_for(sent: list[str]) -> None:
    h_ = Harness()
    answers: list[str] = []
    h_.app.tabs.broadcast = answers.append
    for message in sent:
        h_.app.tabs.message(message)
    assert h_.session.token() is None  # nothing asked, nothing taken
    assert answers == []  # a signed-out tab offers nothing
