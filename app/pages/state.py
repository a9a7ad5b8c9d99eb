"""What a page of one's own shows, owned by app.pages.runner and drawn by app.pages.view: which page, its title,
what its render made (or the traceback that stopped it), and the pages the navigation lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.ui.elements import El


@dataclass
class PageState:
    name: str = ""  # the page shown (?page=<name>)
    title: str = ""
    content: El | None = None  # what the page's render made, from what its load read
    error: str = ""  # the traceback that stopped it: shown in the page, never a blank app
    loading: bool = False
    message: str = ""  # what the page's last action said ("Booked Harbour until 15:30")
    index: list[tuple[str, str]] = field(default_factory=list)  # (name, title) of every page, for the navigation


__all__ = ["PageState"]
