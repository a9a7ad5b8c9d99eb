"""app.browse.detail_view: a room's card, pure; links only where they are safe."""

from __future__ import annotations


def test_a_display_s_heartbeat_shows_as_when_placeos_last_saw_it() -> None:
    from app.browse.detail_view import detail_view
    from app.browse.state import BrowseState
    from tests.fakes import text_of

    state = BrowseState()
    state.detail = {"id": "sys-lobby", "name": "Lobby display", "signage_last_seen": 1_800_000_000}
    state.detail_times = {"signage_last_seen": "15 Jan 2027, 08:00 UTC"}
    assert "Display last seen 15 Jan 2027, 08:00 UTC" in text_of(detail_view(state))
    state.detail_times = {}
    assert "Display last seen —" in text_of(detail_view(state))


def test_a_room_s_map_is_its_level_s_floor_plan_by_name_or_link_never_the_svg_id() -> None:
    from app.browse.detail_view import detail_view
    from app.browse.state import BrowseState
    from tests.fakes import text_of

    level = {"id": "zone-l3", "name": "L3", "display_name": "Level 3", "tags": ["level"]}
    state = BrowseState()
    state.detail = {"id": "sys-1", "name": "Coogee", "map_id": "map-coogee", "zone_data": [level]}
    shown = text_of(detail_view(state))
    assert "Map Marked on the Level 3 floor plan" in shown and "map-coogee" not in shown
    state.detail["zone_data"] = [{**level, "map_id": "https://placeos.example.com/maps/l3.svg"}]
    assert "Map Level 3 floor plan" in text_of(detail_view(state))
    state.detail["zone_data"] = [{**level, "map_id": "javascript:alert(1)"}]  # never an href
    assert "Map Marked on the Level 3 floor plan" in text_of(detail_view(state))
    state.detail = {"id": "sys-1", "name": "Coogee", "map_id": "map-coogee"}
    assert "Map Marked on its level's floor plan" in text_of(detail_view(state))
    state.detail = {"id": "sys-1", "name": "Coogee"}
    assert "Map —" in text_of(detail_view(state))


def test_now_reads_each_state_as_placeos_s_bookings_driver_means_it_and_its_lines_agree() -> None:
    from app.browse.detail_view import live_section
    from app.browse.state import BrowseState
    from tests.fakes import text_of

    at = 1_800_000_000
    state = BrowseState(detail={"id": "sys-1", "timezone": "Australia/Sydney"}, live_system="sys-1")
    state.clocks = {(float(at), "Australia/Sydney"): "15:26 AEDT", (float(at + 1800), "Australia/Sydney"): "15:56 AEDT"}
    call = {"title": "Customer call", "event_start": at - 600, "event_end": at}
    training = {"title": "Training", "event_start": at, "event_end": at + 1800}
    state.live = {"status": "pending", "people_count": 0, "current_booking": call, "next_booking": training}
    said = " ".join(text_of(live_section(state)).split())  # type: ignore[arg-type]
    assert said == (
        "Now ◐ Awaiting check-in 0 people in the room Booked now: Customer call until 15:26 AEDT "
        "Nobody has checked in yet. Next: Training at 15:26 AEDT"
    )
    state.live = {"status": "busy", "current_booking": training, "next_booking": None}
    said = " ".join(text_of(live_section(state)).split())  # type: ignore[arg-type]
    assert said == "Now ● In use until 15:56 AEDT Now: Training until 15:56 AEDT"
    state.live = {"status": "free", "current_booking": call, "next_booking": training}  # a stale current: not on now
    said = " ".join(text_of(live_section(state)).split())  # type: ignore[arg-type]
    assert said == "Now ○ Free until 15:26 AEDT Next: Training at 15:26 AEDT"
    state.live = {"status": "not_bookable"}
    assert "Not bookable" in text_of(live_section(state))  # type: ignore[arg-type]
