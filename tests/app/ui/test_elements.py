"""app.ui.elements: the element tree, which can only make text."""

from __future__ import annotations

from app.ui.elements import h


def test_h_drops_empty_children() -> None:
    assert h("p", {}, "", None, ["a", None]).children == ("a",)
