"""What a unit of the app may ask of the app that hosts it, and nothing more: draw the screen again, run work in
the background, read the time, and know whether the app itself (not a sign-in or error screen) is showing. Each
unit gets this and its own named collaborators, never the whole app (app.shell.controller composes them)."""

from __future__ import annotations

from typing import Protocol

from app.core.ports import Clock, Spawn


class Host(Protocol):
    clock: Clock
    spawn: Spawn

    def show(self, focus: str | None = None) -> None: ...

    @property
    def working(self) -> bool: ...


__all__ = ["Host"]
