"""app.browse.state: the rooms list's and detail's own state, made for a configuration."""

from __future__ import annotations

from app.browse.place import Place
from app.browse.state import BrowseState
from tests.fakes import config


def test_a_fresh_state_links_under_the_base_path_and_trusts_pictures_from_placeos_and_the_app() -> None:
    conf = config(placeos_base="https://placeos.example", base_path="/apps/rooms/")
    state = BrowseState.for_config(conf)
    assert state.base_path == conf.base_path and state.systems is None and state.place == Place()
    assert state.image_origins == ("https://placeos.example", "http://127.0.0.1:8000")


def test_a_fresh_state_can_start_at_a_place_and_shares_nothing_with_another() -> None:
    here = Place(q="board", system="sys-1")
    one, two = BrowseState.for_config(config(), here), BrowseState.for_config(config())
    one.features_seen.add("VidConf")
    assert one.place == here and two.features_seen == set() and two.image_origins == ("http://127.0.0.1:8000",)
