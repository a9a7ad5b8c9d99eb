"""app.shell.units: which unit gets what. A kiosk gets a board, a person none; every unit shares the one socket;
a page without a frame cannot renew quietly for a new tab."""

from __future__ import annotations

from app.api.live import Live
from tests.fakes import Harness


def test_a_person_gets_no_board_and_a_kiosk_gets_one_sharing_the_one_socket() -> None:
    person, kiosk = Harness(), Harness(kiosk=True)
    assert person.app.board is None
    assert kiosk.app.board is not None and kiosk.app.board._live is kiosk.app.live
    assert person.app.browse._live is person.app.live


def test_the_socket_app_main_made_is_the_one_every_unit_uses() -> None:
    made = Live(None, spawn=lambda work: None, clock=lambda: 0.0)
    h = Harness(kiosk=True, live=made)
    assert h.app.live is made and h.app.board is not None and h.app.board._live is made


async def test_without_a_frame_a_new_tab_does_not_renew_quietly() -> None:
    h = Harness()
    assert not await h.app.tabs.renew_quietly()
