"""The configuration page (docs/configuration.md) states the app's settings and the fault switches exactly as the
code declares them."""

from __future__ import annotations

from dataclasses import fields

from app.core.config import SETTINGS
from server.faults import Faults
from tests import ROOT

PAGE = (ROOT / "docs" / "configuration.md").read_text()


def settings_table() -> str:
    rows = ["| flag | key | default | what it does |", "|---|---|---|---|"]
    for setting in SETTINGS:
        choices = "\\|".join(setting.choices)  # a bare | would end the table cell
        flag = f"{setting.flag} {choices or setting.metavar}".strip()
        if isinstance(setting.default, bool):
            default = "on" if setting.default else "off"
        else:
            default = setting.derived or f"`{setting.default}`"
        rows.append(f"| `{flag}` | `{setting.key}` | {default} | {setting.help} |")
    return "\n".join(rows)


def test_the_table_of_app_settings_is_the_declared_one() -> None:
    table = settings_table()
    assert table in PAGE, "replace the configuration page's table of the app's settings with:\n" + table


def test_every_fault_switch_is_on_the_configuration_page() -> None:
    missing = [f.metadata["flag"] for f in fields(Faults) if f.metadata["flag"] not in PAGE]
    assert not missing, f"docs/configuration.md does not mention {missing}"
