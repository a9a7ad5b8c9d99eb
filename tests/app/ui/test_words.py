"""app.ui.words: a room's state and times in words."""

from __future__ import annotations

from app.ui.words import when


def test_times_read_in_the_room_and_your_own_zone() -> None:
    def zone_time(moment: float, zone: str | None) -> str | None:
        return {None: "10:00 UTC", "Europe/London": "10:00 GMT", "Australia/Sydney": "21:00 AEDT"}.get(zone)

    assert when(1, "Australia/Sydney", zone_time) == "21:00 AEDT in the room · 10:00 UTC your time"
    assert when(1, "Nowhere/Else", zone_time) == "10:00 UTC"
    assert when("1", "Australia/Sydney", zone_time) == "" and when(True, None, zone_time) == ""
