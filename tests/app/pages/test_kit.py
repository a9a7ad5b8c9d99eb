"""app.pages.kit: what a page draws with: text-only elements, buttons for its act, links within the app."""

from __future__ import annotations

from app.browse.place import place_from
from app.pages.kit import PAGE_ACT, badge, button, h, link


def test_a_button_calls_the_page_s_act_with_its_action_and_argument() -> None:
    pressed = button("Book 30 min", "book", "sys-1", primary=True)
    assert pressed.attrs == {"type": "button", "class": "primary", "data-action": PAGE_ACT, "data-arg": "book:sys-1"}
    assert pressed.children == ("Book 30 min",)


def test_links_name_a_place_of_the_app_relative_to_its_base_path() -> None:
    to_page = link("Sydney", page="free_rooms", building="zone-bld-syd01")
    assert to_page.attrs["href"] == "./?page=free_rooms&building=zone-bld-syd01"
    assert to_page.attrs["data-action"] == "to_place"
    assert place_from(to_page.attrs["data-arg"]).building == "zone-bld-syd01"
    assert link("Harbour", system="sys-1").attrs["href"] == "./?system=sys-1"
    assert link("Rooms").attrs["href"] == "./"


def test_a_badge_is_a_shape_and_words_and_markup_stays_text() -> None:
    assert badge("free", "Free until 15:00").children[-1] == "Free until 15:00"
    assert "status-unknown" in badge("<script>").attrs["class"]  # an unknown state is shown as unknown
    assert h("p", {}, "<b>bold</b>").children == ("<b>bold</b>",)  # a string is text, never HTML
