"""app.pages.view: a page of one's own on screen (its content, a traceback, or Loading…) and the navigation."""

from __future__ import annotations

from app.pages.state import PageState
from app.pages.view import page_view, pages_nav
from app.ui.elements import El, h


def texts(node: El | str) -> list[str]:
    return [node] if isinstance(node, str) else [t for child in node.children for t in texts(child)]


def test_a_page_shows_its_title_message_and_content() -> None:
    shown = page_view(PageState("free_rooms", "Free rooms now", h("p", {}, "3 free"), message="Booked Harbour."))
    assert texts(shown) == ["Free rooms now", "Booked Harbour.", "3 free"]
    assert page_view(PageState("free_rooms", loading=True)).attrs["aria-busy"] == "true"
    assert "Loading…" in texts(page_view(PageState("free_rooms")))


def test_a_failed_page_shows_its_traceback_as_an_alert() -> None:
    shown = page_view(PageState("broken", error="Traceback …\nKeyError: 'x'"))
    alert = next(child for child in shown.children if isinstance(child, El) and child.attrs.get("role") == "alert")
    assert texts(alert) == ["pages/broken.py stopped. Save a fix and it runs again.", "Traceback …\nKeyError: 'x'"]


def test_the_navigation_lists_the_rooms_and_each_page_and_marks_the_one_shown() -> None:
    assert pages_nav(PageState(), "") is None  # no pages of one's own: no navigation
    nav = pages_nav(PageState(index=[("free_rooms", "Free rooms now")]), "free_rooms")
    assert nav is not None and texts(nav) == ["Rooms", "Free rooms now"]
    links = [child for child in nav.children if isinstance(child, El)]
    assert [a.attrs["href"] for a in links] == ["./", "./?page=free_rooms"]
    assert [a.attrs.get("aria-current") for a in links] == [None, "page"]
