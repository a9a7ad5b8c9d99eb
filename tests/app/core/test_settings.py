"""app.core.settings: one declaration per setting, each with its own key and flag, and a default the app accepts."""

from __future__ import annotations

from app.core.config import ClientConfig
from app.core.settings import DEFAULTS, SETTINGS


def test_each_setting_has_its_own_key_and_flag_and_a_default_among_its_choices() -> None:
    keys = [s.key for s in SETTINGS]
    flags = [s.flag for s in SETTINGS]
    assert len(set(keys)) == len(keys) and len(set(flags)) == len(flags)
    assert all(flag.startswith("--") and " " not in flag for flag in flags)
    assert all(s.help and (not s.choices or s.default in s.choices) for s in SETTINGS)
    assert DEFAULTS == {s.key: s.default for s in SETTINGS}


def test_the_defaults_as_served_make_a_configuration() -> None:
    config = ClientConfig.from_mapping(dict(DEFAULTS), "http://127.0.0.1:8000/")
    assert config.board_order == "name" and config.board_quiet == "" and config.board_heartbeat_s == 60
