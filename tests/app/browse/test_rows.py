"""app.browse.rows: a listed room with its state now in words and a shape, and the Free now switch."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.browse.list_view import systems_view
from app.browse.place import Place
from app.browse.rows import free_note, free_switch, row_state, shown_rows, system_row
from app.browse.state import BrowseState
from app.ui.elements import El
from tests.fakes import find, text_of

AT = 1_800_000_000.0


def said(node: El) -> str:
    return " ".join(text_of(node).split())


def listing(free: bool, rows_live: dict[str, dict[str, Any]]) -> BrowseState:
    systems = [{"id": f"sys-{n}", "name": f"Room {n}", "capacity": 4} for n in range(4)]
    place = Place(free=free)
    return BrowseState(place=place, systems=systems, total=4, listed=place, rows_live=rows_live)


def test_each_state_reads_in_words_beside_a_shape_and_an_unknown_one_keeps_its_space_empty() -> None:
    clock = {AT: "10:30", AT + 1800: "11:00 AEDT"}.get
    busy = {"status": "busy", "current_booking": {"title": "Sync", "event_end": AT + 1800}}
    assert said(row_state(busy, lambda m: clock(m) or "")) == "● In use until 11:00 AEDT"
    assert said(row_state({"status": "free", "next_booking": {"event_start": AT}}, lambda m: clock(m) or "")) == (
        "○ Free until 10:30"
    )
    assert said(row_state({"status": "pending"}, str)) == "◐ Awaiting check-in"
    for nothing in (None, {}, {"status": None}, {"status": "<b>x</b>"}):  # no Bookings, or nothing known: no guess
        empty = row_state(nothing, str)
        assert empty.attrs["class"] == "row-state" and said(empty) == ""
    row = system_row({"id": "sys-1", "name": "Room"}, Place(), "/", busy, str)
    assert "status-busy" in str(find(row, lambda e: "row-state" in str(e.attrs.get("class")))[0].attrs["class"])


def test_free_now_keeps_only_the_rooms_free_says_how_many_and_waits_for_the_rest() -> None:
    state = listing(True, {"sys-0": {"status": "free"}, "sys-1": {"status": "busy"}, "sys-2": {"status": None}})
    assert free_note(state) == "Checking which rooms are free now (3 of 4 read)…"
    state.rows_live["sys-3"] = {"status": "free"}
    assert [s["id"] for s in shown_rows(state)] == ["sys-0", "sys-3"]
    assert free_note(state) == "2 rooms of the 4 on this page are free now."
    names = [text_of(e) for e in find(systems_view(state, "/"), lambda e: e.attrs.get("class") == "system-name")]
    assert names == ["Room 0", "Room 3"]
    assert free_switch(state.place).attrs["aria-pressed"] == "true"
    everything = listing(False, state.rows_live)
    assert len(shown_rows(everything)) == 4 and free_switch(everything.place).attrs["aria-pressed"] == "false"


@pytest.mark.property
@given(
    st.dictionaries(
        st.sampled_from(["status", "current_booking", "next_booking"]),
        st.one_of(
            st.none(),
            st.text(max_size=30),
            st.integers(),
            st.dictionaries(st.sampled_from(["title", "event_start", "event_end"]), st.one_of(st.text(), st.floats())),
        ),
    )
)
def test_any_live_values_draw_a_row_state_of_text_only(live: dict[str, Any]) -> None:
    node = row_state(live, str)
    assert not find(node, lambda e: e.tag not in ("span",))
    assert isinstance(text_of(node), str)
