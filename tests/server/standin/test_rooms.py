"""The stand-in's Bookings simulator: a seeded day of meetings per room, and status variables that never
contradict it (PlaceOS's meanings: pending is a meeting started and not yet checked in to)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.standin.fixtures import SystemIndex, fixture_systems
from server.standin.rooms import CHECK_IN_WITHIN_S, DAY_S, Binding, Meeting, Refused, RoomSimulator, day_of_meetings
from tests.standin_helpers import FakeClock

SYSTEMS = SystemIndex.build(fixture_systems())
ROOMS = [s["id"] for s in SYSTEMS.systems]


@given(st.sampled_from(ROOMS), st.integers(0, 40_000))
def test_a_day_of_meetings_is_ordered_within_the_day_and_the_same_every_time(room: str, day: int) -> None:
    meetings = day_of_meetings(room, day)
    assert meetings == day_of_meetings(room, day)
    for meeting, following in zip(meetings, meetings[1:], strict=False):
        assert meeting.end <= following.start
    for meeting in meetings:
        assert day * DAY_S <= meeting.start < meeting.end <= (day + 1) * DAY_S
        assert meeting.start <= meeting.checked_in <= meeting.start + CHECK_IN_WITHIN_S


@given(st.sampled_from(ROOMS), st.floats(0, 10 * DAY_S), st.sampled_from([1.0, 60.0]))
def test_the_status_variables_never_contradict_each_other(room: str, later: float, speed: float) -> None:
    clock = FakeClock()
    simulator = RoomSimulator(SYSTEMS, clock, speed)
    clock.advance(later / speed)
    state, now = simulator.bookings(room), simulator.now()
    current, following, rest = state["current_booking"], state["next_booking"], state["bookings"]
    if state["status"] == "free":
        assert current is None and state["people_count"] == 0 and not state["in_use"]
    else:
        assert current is not None and current["event_start"] <= now < current["event_end"]
        assert state["in_use"] == (state["status"] == "busy") and state["pending"] == (state["status"] == "pending")
        if state["status"] == "pending":
            assert now - current["event_start"] < CHECK_IN_WITHIN_S and state["people_count"] == 0
    assert following is None or following["event_start"] > now
    assert all(b["event_end"] > now for b in rest) and rest == sorted(rest, key=lambda b: b["event_start"])
    assert (current is None) or rest[0] == current


def test_a_bound_value_follows_the_clock_and_unknown_bindings_are_named() -> None:
    clock = FakeClock()
    simulator = RoomSimulator(SYSTEMS, clock, 60.0)
    seen = set()
    for _ in range(120):  # two simulated hours in two real minutes
        seen.add(simulator.value(Binding(ROOMS[0], "Bookings", 1, "status")))
        clock.advance(1)
    assert seen <= {"free", "pending", "busy"} and len(seen) >= 2
    assert simulator.missing(Binding("sys-nowhere", "Bookings", 1, "status")) == "system"
    assert simulator.missing(Binding(ROOMS[0], "Bookings", 9, "status")) == "module"
    assert simulator.missing(Binding(ROOMS[0], "Bookings", 1, "status")) is None


def test_what_people_do_to_a_room_changes_what_its_bookings_module_says() -> None:
    clock = FakeClock()
    simulator = RoomSimulator(SYSTEMS, clock, 1.0)
    room = ROOMS[0]
    for meeting in simulator.meetings(room, int(simulator.now() // DAY_S)):  # a clear day: only what is done here
        simulator.change(room, meeting.start)
    assert simulator.bookings(room)["status"] == "free"
    assert simulator.call(room, "book_now", [1800, "Ad hoc"]) is True
    state = simulator.bookings(room)
    assert state["status"] == "busy" and state["current_booking"]["title"] == "Ad hoc"
    with pytest.raises(Refused):
        simulator.call(room, "book_now", [60])  # taken
    simulator.call(room, "end_meeting", [state["current_booking"]["event_start"]])
    assert simulator.bookings(room)["status"] == "free"
    start = int(simulator.now()) + 600
    simulator.add(room, Meeting("Later", start, start + 600, start + 600))  # nobody will check in
    clock.advance(700)
    assert simulator.bookings(room)["status"] == "pending"
    simulator.call(room, "start_meeting", [start])
    assert simulator.bookings(room)["status"] == "busy"
    for refused in (["end_meeting", ["x"]], ["start_meeting", [float("nan")]], ["launch", []]):
        with pytest.raises(Refused):
            simulator.call(room, refused[0], refused[1])  # type: ignore[arg-type]


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**15), 10**15), st.floats(), st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)


@pytest.mark.property
@given(st.sampled_from(["book_now", "start_meeting", "end_meeting", "explode"]), st.lists(JSON_VALUES, max_size=4))
def test_any_call_from_the_socket_or_rest_changes_the_room_or_is_refused(method: str, args: list[object]) -> None:
    # exec's arguments are any JSON a client sends: the simulator answers or refuses, never fails (a 409, or code 3).
    simulator = RoomSimulator(SYSTEMS, FakeClock(), 1.0)
    try:
        assert simulator.call(ROOMS[0], method, args) is True
    except Refused as refused:
        assert str(refused)
    state = simulator.bookings(ROOMS[0])
    assert state["status"] in ("free", "pending", "busy")
