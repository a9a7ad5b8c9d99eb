"""app.browse.list_view: the rooms list's drawing, pure."""

from __future__ import annotations

from app.browse.list_view import count_text
from app.browse.place import Place
from app.browse.rows import seats
from app.browse.state import BrowseState


def test_words_for_counts_read_as_english() -> None:
    assert (seats(1), seats(2), seats(0), seats("x"), seats(True)) == ("1 seat", "2 seats", "0 seats", "", "")
    model = BrowseState(systems=[{"id": "a"}], total=1)
    assert count_text(model) == "1 system"
    model = BrowseState(systems=[{"id": str(n)} for n in range(20)], total=10_000, place=Place(offset=40))
    assert count_text(model) == "41–60 of 10,000 systems"
