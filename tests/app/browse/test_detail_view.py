"""app.browse.detail_view: a room's card, pure; links only where they are safe."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.browse.detail_view import mail_href


def test_mailto_only_for_one_plain_address() -> None:
    assert mail_href("a.b+c@rooms.example.com") == "mailto:a.b+c@rooms.example.com"
    for bad in ("a@b", "a@b.com,c@d.com", "a@b.com?cc=x@y.com", "javascript:x@y.com", "a b@c.com", "", None, "@x.com"):
        assert mail_href(bad) is None, bad


@given(st.text(max_size=80))
def test_no_generated_text_makes_a_mailto_with_more_than_one_address_or_a_header(text: str) -> None:
    href = mail_href(text)
    if href is not None:
        address = href.removeprefix("mailto:")
        assert address.count("@") == 1 and "?" not in address and "," not in address and "%" not in text


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
