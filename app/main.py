"""Composition root: called once by static/boot.js with what the loader captured."""

from __future__ import annotations

from typing import Any


async def start(handoff: Any) -> None:
    from js import document

    root = document.getElementById("app")
    heading = document.createElement("h1")
    heading.textContent = "Python ready"
    root.replaceChildren(heading)
