"""app.console.view: the console's panel, as text only."""

from __future__ import annotations

from app.console.state import ConsoleState, Entry
from app.console.view import console_launcher, console_panel
from tests.fakes import find, text_of


def test_long_output_is_folded_in_the_panel_and_everything_is_text() -> None:
    state = ConsoleState(open=True)
    state.entries = [Entry("result", "\n".join(str(n) for n in range(100))), Entry("input", "<b>x</b>")]
    panel = console_panel(state)
    folds = find(panel, lambda e: e.tag == "details")
    assert len(folds) == 1 and "100 lines" in text_of(folds[0])
    assert ">>> <b>x</b>" in text_of(panel)
    (field,) = find(panel, lambda e: e.tag == "textarea")
    (label,) = find(panel, lambda e: e.tag == "label")
    assert label.attrs["for"] == field.attrs["id"] and text_of(label) == "Python input"


def test_the_launcher_is_a_labelled_button_that_toggles_the_console() -> None:
    launcher = console_launcher()
    (button,) = find(launcher, lambda e: e.tag == "button") or [launcher]
    assert button.attrs.get("data-action") == "console_toggle" and text_of(button) == "Console"
