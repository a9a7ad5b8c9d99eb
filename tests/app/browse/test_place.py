"""app.browse.place: the place in the URL, read from anything the address bar holds, and written back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.browse.place import MAX_FEATURES, PAGE_NAME, Place, filtered, place_from, unfiltered


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
        st.sampled_from(
            ["q", "offset", "system", "building", "level", "capacity", "features", "bookable", "page", "x"]
        ),
        st.text(max_size=400),
    )
)
def test_any_address_gives_a_bounded_place_that_round_trips(query: dict[str, str]) -> None:
    place = Place.from_query(query)
    assert len(place.q) <= 200 and len(place.building) <= 100 and len(place.features) <= MAX_FEATURES
    assert 0 <= place.capacity <= 99999 and all(0 < len(f) <= 40 and "," not in f for f in place.features)
    assert place.page == "" or PAGE_NAME.fullmatch(place.page)
    assert place_from(place.path()) == place


def test_a_page_of_one_s_own_is_a_place_and_leaving_it_for_the_list_forgets_it() -> None:
    place = place_from("/?page=free_rooms&building=zone-b1")
    assert place == Place(page="free_rooms", building="zone-b1")
    assert place.path("./") == "./?page=free_rooms&building=zone-b1"
    assert place.listing() == Place(building="zone-b1")
    assert place_from("/?page=../../etc").page == "" and place_from("/?page=Free").page == ""


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
    assert unfiltered(Place(free=True, bookable=True), "free") == Place(bookable=True)
