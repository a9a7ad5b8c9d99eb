"""app.kiosk.view: the board drawn from its state, pure."""

from __future__ import annotations

from app.kiosk.view import seats


def test_seats_say_one_seat_and_many_seats() -> None:
    assert (seats(1), seats(8), seats(None)) == ("1 seat", "8 seats", "")
