"""The server's HTML for a first visit's sign-in card (server/first_screen.py): the app's own tree, whose strings can
only become text, in the page only where it can be right."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.shell.view import first_screen
from app.ui.elements import El, h
from server.first_screen import first_screen_html, to_html
from server.settings import ClientSettings, Settings
from server.static import render_index
from tests import ROOT


class Reader(HTMLParser):
    """The tree back from HTML, as a browser's parser would make it: tags, attributes, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[list[object]] = [["root", {}]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: list[object] = [tag, {k: v or "" for k, v in attrs}]
        self.stack[-1].append(node)
        if tag not in ("input", "img", "br"):
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1][0] == tag, f"</{tag}> closes <{self.stack[-1][0]}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        siblings = self.stack[-1]
        if len(siblings) > 2 and isinstance(siblings[-1], str):
            siblings[-1] += data
        else:
            siblings.append(data)


def read(html: str) -> list[object]:
    reader = Reader()
    reader.feed(html)
    reader.close()
    assert len(reader.stack) == 1, "an element was left open"
    return reader.stack[0][2:]


def as_lists(node: El | str) -> object:
    if isinstance(node, str):
        return node
    return [node.tag, dict(node.attrs), *(as_lists(c) for c in node.children)]


def merged(nodes: tuple[El | str, ...]) -> tuple[El | str, ...]:
    """Adjacent strings as one: HTML has no boundary between two text nodes."""
    out: list[El | str] = []
    for node in nodes:
        if isinstance(node, str) and out and isinstance(out[-1], str):
            out[-1] += node
        else:
            out.append(node if isinstance(node, str) else El(node.tag, node.attrs, merged(node.children)))
    return tuple(out)


def test_the_card_is_the_apps_first_screen_read_back_whole() -> None:
    html = first_screen_html()
    assert read(html) == [as_lists(node) for node in first_screen()]
    assert 'data-action="sign_in"' in html and "Sign in to PlaceOS" in html


hostile_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["<script>alert(1)</script>", "</main><img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "&amp;&lt;", "]]>"]
)
attr_names = st.sampled_from(["id", "class", "title", "href", "data-arg", "aria-label", "onclick", "style", "srcdoc"])
trees = st.recursive(
    hostile_text.filter(bool),
    lambda children: st.builds(
        lambda tag, attrs, kids: h(tag, attrs, kids),
        st.sampled_from(["div", "p", "span", "section", "h1", "button", "a", "li", "ul"]),
        st.dictionaries(attr_names, hostile_text, max_size=4),
        st.lists(children, max_size=4),
    ),
    max_leaves=12,
)


@given(trees)
def test_any_text_or_attribute_value_comes_back_as_the_same_text_and_nothing_can_run(tree: El | str) -> None:
    html = to_html(tree)
    back = read(html)
    expected = merged((tree,))
    # Attributes that are not on the app's allow-list are dropped, as the DOM renderer drops them.
    allowed = [as_lists(_without_unsafe(node)) for node in expected]
    assert back == allowed
    assert "<script" not in html.replace("&lt;script", "")
    for unsafe in ("onclick=", "style=", "srcdoc="):
        assert f" {unsafe}" not in html


def _without_unsafe(node: El | str) -> El | str:
    if isinstance(node, str):
        return node
    attrs = {k: v for k, v in node.attrs.items() if k not in ("onclick", "style", "srcdoc")}
    return El(node.tag, attrs, tuple(_without_unsafe(c) for c in node.children))


@pytest.mark.parametrize("tag", ["", "1a", "a b", "img/onerror", "div>", "DIV"])
def test_a_tag_name_html_could_misread_is_refused(tag: str) -> None:
    with pytest.raises(ValueError):
        to_html(El(tag))


def test_the_page_carries_the_card_except_for_a_kiosk() -> None:
    template = (ROOT / "index.html").read_text()
    person = render_index(template, Settings())
    assert 'data-first-screen="1"' in person and f'<div id="first-screen">{first_screen_html()}</div>' in person
    kiosk = render_index(template, replace(Settings(), client=ClientSettings(kiosk=True)))
    assert 'data-first-screen=""' in kiosk and '<div id="first-screen"></div>' in kiosk
