"""What the screen shows, as the shell composes it: which screen, the notices over it, and each feature's own state
(the rooms list's and detail's, a kiosk's board), which its unit owns. Plain data; app.shell.view renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.browse.state import BrowseState
from app.pages.state import PageState
from app.ui.screens import Loading, Notice, Screen

if TYPE_CHECKING:
    from app.kiosk.state import BoardState


@dataclass
class Model:
    screen: Screen = field(default_factory=Loading)
    browse: BrowseState = field(default_factory=BrowseState)  # app.browse.rooms's, shared with it
    notice: Notice | None = None
    expiry_notice: Notice | None = None  # app.shell.session_keeper's, copied here before each render
    board: BoardState | None = None  # a kiosk's board, once it has something to show; None for people
    own: PageState = field(default_factory=PageState)  # a developer's own page (app.pages.runner's)


__all__ = ["Model"]
