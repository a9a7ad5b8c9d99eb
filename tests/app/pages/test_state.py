"""app.pages.state: a page's state starts empty, each its own."""

from __future__ import annotations

from app.pages.state import PageState


def test_a_new_page_state_shows_nothing_yet_and_shares_no_list() -> None:
    first, second = PageState(), PageState()
    assert (first.name, first.content, first.error, first.loading) == ("", None, "", False)
    assert first.index is not second.index
