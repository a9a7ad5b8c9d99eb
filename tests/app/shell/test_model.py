"""app.shell.model: what the screen shows, composed of the units' own states; the panels are not in it."""

from __future__ import annotations

from dataclasses import fields

from app.browse.state import BrowseState
from app.shell.model import Model
from app.ui.screens import Loading


def test_a_new_model_is_loading_and_holds_a_rooms_list_of_its_own() -> None:
    first, second = Model(), Model()
    assert isinstance(first.screen, Loading) and first.browse is not second.browse
    state = BrowseState()
    assert Model(browse=state).browse is state  # shared with the unit that owns it, not copied


def test_the_model_carries_no_panel_and_no_feature_data_of_its_own() -> None:
    # Each feature's state is its unit's (the rooms list's, the board's, a developer's page's), only held here.
    assert [f.name for f in fields(Model)] == ["screen", "browse", "notice", "expiry_notice", "board", "own"]
    assert Model().own is not Model().own
