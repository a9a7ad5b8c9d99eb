"""app.browser.dom in the page: the element tree drawn as DOM, text as text, attributes from the allow-list only,
and a second render patching what changed instead of drawing anew."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.app.browser.page import in_page, run
from tests.live import LiveServer

pytestmark = pytest.mark.browser

DRAW = """
import json, js
from app.browser.dom import DomScreen
from app.ui.elements import h
box = js.document.createElement("div")
box.id = "dom-test"
js.document.body.append(box)
screen = DomScreen(box)
screen.render([h("p", {"id": "para", "onclick": "alert(1)", "style": "color:red", "class": "x"}, "<b>bold</b>")])
first = box.querySelector("#para")
first.dataset.mark = "kept"  # still there after the patch: the same element, not a new one
screen.render([h("p", {"id": "para", "class": "y"}, "changed")])
para = box.querySelector("#para")
json.dumps({"attrs": [a.name for a in para.attributes], "html": box.innerHTML, "cls": para.className,
            "bold": int(box.querySelectorAll("b").length)})
"""


def test_drawn_as_text_with_allowed_attributes_and_patched_in_place(page: Page, live_server: LiveServer) -> None:
    drawn = run(in_page(page, live_server), DRAW)
    assert sorted(drawn["attrs"]) == ["class", "data-mark", "id"] and drawn["cls"] == "y"  # no onclick, no style
    assert ">changed</p>" in drawn["html"] and "bold" not in drawn["html"] and not drawn["bold"]
