"""A page of one's own on screen: its title, what its render drew (or its traceback), and the navigation between
the rooms list and each page."""

from __future__ import annotations

from app.pages.kit import link
from app.pages.source import filename_of
from app.pages.state import PageState
from app.ui.elements import El, h


def page_view(state: PageState) -> El:
    if state.error:
        body = h(
            "div",
            {"class": "page-error", "role": "alert"},
            h("p", {}, f"{filename_of(state.name)} stopped. Save a fix and it runs again."),
            h("pre", {"class": "traceback"}, state.error),
        )
    elif state.content is None:
        body = h("p", {"class": "muted", "role": "status"}, "Loading…")
    else:
        body = state.content
    return h(
        "section",
        {"class": "own-page", "aria-labelledby": "page-title", "aria-busy": "true" if state.loading else None},
        h("h1", {"id": "page-title", "tabindex": "-1"}, state.title or state.name),
        h("p", {"class": "page-message", "role": "status"}, state.message) if state.message else None,
        body,
    )


def pages_nav(state: PageState, current: str) -> El | None:
    """The rooms list and each page, the one shown marked: only where there are pages of one's own."""
    if not state.index:
        return None
    links = [("", "Rooms"), *state.index]
    return h(
        "nav",
        {"class": "pages-nav", "aria-label": "Pages"},
        [link(title, page=name, current=name == current) for name, title in links],
    )


__all__ = ["page_view", "pages_nav"]
