"""Rendering (app.view): a tree whose strings can only become text."""

from __future__ import annotations

import json

from app.core.ports import HttpResponse
from app.ui.elements import El
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


def holds(node: El | str, target: El) -> bool:
    return node is target or (isinstance(node, El) and any(holds(child, target) for child in node.children))


def test_the_console_button_sits_in_the_header_of_a_signed_in_screen_and_in_a_free_corner_without_one() -> None:
    from app.browse.state import BrowseState
    from app.console.state import ConsoleState
    from app.shell.model import Model
    from app.shell.view import render
    from app.ui.screens import SignedOut, Working

    console = ConsoleState()
    signed_in = render(Model(browse=BrowseState(), screen=Working()), console=console)
    header = next(node for node in signed_in if node.tag == "header")
    launchers = [el for node in signed_in for el in find(node, lambda e: e.attrs.get("id") == "console-open")]
    assert len(launchers) == 1 and holds(header, launchers[0])  # in the header: it covers nothing
    signed_out = render(Model(browse=BrowseState(), screen=SignedOut("")), console=console)
    assert signed_out[-1].attrs.get("id") == "console-open"  # no header: the corner the centred card never reaches
    console.open = True
    assert not [
        el
        for node in render(Model(screen=Working()), console=console)
        for el in find(node, lambda e: e.attrs.get("id") == "console-open")
    ]
