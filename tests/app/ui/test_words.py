"""app.ui.words: a room's state and times in words."""

from __future__ import annotations

from app.ui.words import booking_moments, clock_time, local_zone_clock, room_clock, when


def test_times_read_in_the_room_and_your_own_zone() -> None:
    def zone_time(moment: float, zone: str | None) -> str | None:
        return {None: "10:00 UTC", "Europe/London": "10:00 GMT", "Australia/Sydney": "21:00 AEDT"}.get(zone)

    assert when(1, "Australia/Sydney", zone_time) == "21:00 AEDT in the room · 10:00 UTC your time"
    assert when(1, "Nowhere/Else", zone_time) == "10:00 UTC"
    assert when("1", "Australia/Sydney", zone_time) == "" and when(True, None, zone_time) == ""


def test_a_time_of_day_carries_the_room_s_zone_only_where_it_is_not_the_viewer_s() -> None:
    def zone_clock(moment: float, zone: str | None) -> str | None:
        return {None: "04:26 UTC", "Europe/London": "04:26 GMT", "Australia/Sydney": "15:26 AEDT"}.get(zone)

    plain = clock_time(1_800_000_000)
    assert room_clock(1_800_000_000, "Australia/Sydney", zone_clock) == "15:26 AEDT"
    assert room_clock(1_800_000_000, "Europe/London", zone_clock) == plain  # the viewer's time of day: no zone
    assert (
        room_clock(1_800_000_000, "Nowhere/Else", zone_clock) == plain
        and room_clock(1_800_000_000, None, zone_clock) == plain
    )
    assert room_clock(10.0**30, "Australia/Sydney", zone_clock) == ""  # no calendar holds it
    assert local_zone_clock(1_800_000_000, "Australia/Sydney") in ("19:00 AEDT", None)  # None: no zone data here
    assert local_zone_clock(1_800_000_000, "Not/AZone") is None


def test_the_booking_times_live_values_name_are_found_whatever_else_they_hold() -> None:
    live = {"current_booking": {"event_start": 1, "event_end": 2.5}, "next_booking": {"event_start": True}, "x": 3}
    assert booking_moments(live) == [1.0, 2.5]
    assert booking_moments({"current_booking": "soon", "next_booking": None}) == []
