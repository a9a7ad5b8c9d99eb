"""app.kiosk.state: the board's state, its grid and its saved copy, pure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.kiosk.state import MAX_ROOMS, BoardState, Grid, Room, from_snapshot, grid_for, snapshot
from app.kiosk.view import board_view


def board_view_of(state: BoardState) -> None:
    board_view(state)


@pytest.mark.parametrize(
    ("width", "height", "grid"),
    [(1920, 1080, Grid(4, 4)), (3840, 2160, Grid(4, 4)), (1080, 1920, Grid(2, 8)), (1280, 720, Grid(4, 4))],
)
def test_the_grid_is_the_same_at_any_resolution_and_turns_with_the_screen(width: int, height: int, grid: Grid) -> None:
    assert grid_for(width, height) == grid


@pytest.mark.property
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
def test_any_viewport_gives_a_usable_grid(width: float, height: float) -> None:
    grid = grid_for(width, height)
    assert 1 <= grid.cols <= 8 and 1 <= grid.rows <= 12


def test_pages_and_what_is_visible() -> None:
    state = BoardState(rooms=[Room(f"r{i}", f"Room {i}") for i in range(35)], grid=Grid(4, 4))
    assert state.pages == 3 and [r.id for r in state.visible()][:2] == ["r0", "r1"]
    state.page = 2
    assert [r.id for r in state.visible()] == ["r32", "r33", "r34"]
    state.page = 7  # a page past the end (the rooms shrank) wraps instead of showing nothing
    assert state.visible()


def test_a_snapshot_round_trips() -> None:
    state = BoardState(
        rooms=[Room("r1", "One", 4), Room("r2", "Two")],
        live={"r1": {"status": "busy", "people_count": 2}},
        fetched_at=1_800_000_000.0,
        updated_at=1_800_000_005.0,
    )
    back = from_snapshot(snapshot(state))
    assert back is not None and back.rooms == state.rooms and back.live == state.live
    assert back.updated_at == state.updated_at and back.from_saved_copy


@pytest.mark.property
@given(
    st.text(max_size=300)
    | st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=30,
    ).map(json.dumps)
)
def test_any_stored_text_is_a_board_or_nothing(text: str) -> None:
    state = from_snapshot(text)
    assert state is None or (state.rooms and all(isinstance(room.id, str) and room.id for room in state.rooms))


@pytest.mark.property
@given(
    st.lists(
        st.fixed_dictionaries(
            {"id": st.text(max_size=300) | st.integers(), "name": st.text(max_size=500) | st.none()},
            optional={"capacity": st.integers() | st.floats() | st.text(), "display_name": st.text()},
        ),
        max_size=20,
    ),
    st.dictionaries(st.text(max_size=20), st.dictionaries(st.text(max_size=20), st.integers() | st.text())),
)
def test_an_edited_snapshot_keeps_only_what_a_tile_can_show(rooms: list[dict[str, Any]], live: dict[str, Any]) -> None:
    state = from_snapshot(json.dumps({"v": 1, "rooms": rooms, "live": live}))
    if state is None:
        return
    assert len(state.rooms) <= MAX_ROOMS and all(len(room.name) <= 200 and len(room.id) <= 200 for room in state.rooms)
    assert set(state.live) <= {room.id for room in state.rooms}
    assert all(
        set(values) <= {"status", "people_count", "current_booking", "next_booking"} for values in state.live.values()
    )
    board_view_of(state)  # and the board can draw it


def test_quiet_hours_run_over_midnight_or_within_a_day() -> None:
    from app.kiosk.state import is_quiet, quiet_span

    night = quiet_span("20:00-07:00")
    assert night == (1200, 420)
    assert [is_quiet(night, m) for m in (1199, 1200, 0, 419, 420, 720)] == [False, True, True, True, False, False]
    lunch = quiet_span("12:30-13:15")
    assert [is_quiet(lunch, m) for m in (749, 750, 794, 795)] == [False, True, True, False]
    assert quiet_span("") is None and not is_quiet(None, 0)


def test_the_burn_in_shift_walks_all_nine_positions_one_every_three_minutes() -> None:
    from app.kiosk.state import shift_at

    positions = [shift_at(1_800_000_000 + 180 * step) for step in range(9)]
    assert sorted(positions) == list(range(9))
    assert shift_at(1_800_000_000) == shift_at(1_800_000_000 + 179)
