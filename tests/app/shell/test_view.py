"""Rendering (app.view): a tree whose strings can only become text."""

from __future__ import annotations

import json

from app.core.ports import HttpResponse
from tests.fakes import (
    Harness,
    find,
    standin,
)


async def test_controller_markup_stays_text_in_the_tree() -> None:
    evil = [{"id": "sys-x", "name": "<img src=x onerror=alert(1)>", "capacity": 1}]
    h = Harness(handler=lambda r: standin(r) if "users" in r.url else HttpResponse(200, {}, json.dumps(evil)))
    await h.sign_in()
    frame = h.screen.frames[-1]
    assert not [el for node in frame for el in find(node, lambda e: e.tag in ("img", "script"))]
    assert "<img src=x onerror=alert(1)>" in h.screen.text
