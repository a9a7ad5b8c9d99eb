"""app.browse.place: the place in the URL, read from anything the address bar holds, and written back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.browse.place import MAX_FEATURES, Place, place_from


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
