"""app.ui.patch: the operations turn any rendered tree into any other, and leave alone what did not change."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from app.ui.elements import El, h
from app.ui.patch import Append, Replace, SetAttrs, SetText, Truncate, diff


@dataclass
class Node:
    """A DOM node as far as the patch needs one: a text, or an element with attributes and children."""

    tag: str | None  # None: a text node
    text: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    @classmethod
    def of(cls, el: El | str) -> Node:
        if isinstance(el, str):
            return cls(None, el)
        return cls(el.tag, attrs=dict(el.attrs), children=[cls.of(c) for c in el.children])

    def tree(self) -> El | str:
        if self.tag is None:
            return self.text
        return El(self.tag, dict(self.attrs), tuple(c.tree() for c in self.children))


def apply(root: Node, ops: list[object]) -> None:
    def at(path: tuple[int, ...]) -> Node:
        node = root
        for index in path:
            node = node.children[index]
        return node

    for op in ops:
        if isinstance(op, Replace):
            parent, index = at(op.path[:-1]), op.path[-1]
            parent.children[index] = Node.of(op.node)
        elif isinstance(op, SetText):
            node = at(op.path)
            assert node.tag is None, "text set on an element"
            node.text = op.text
        elif isinstance(op, SetAttrs):
            node = at(op.path)
            node.attrs.update(op.changed)
            for name in op.removed:
                del node.attrs[name]
        elif isinstance(op, Append):
            at(op.path).children.append(Node.of(op.node))
        elif isinstance(op, Truncate):
            del at(op.path).children[op.length :]


texts = st.sampled_from(["", "a", "Systems", "1 seat", "—", "<b>x</b>"])
attrs = st.dictionaries(st.sampled_from(["id", "class", "value", "aria-label"]), st.sampled_from(["x", "y", ""]))
trees: st.SearchStrategy[El | str] = st.recursive(
    texts.filter(bool),
    lambda kids: st.builds(
        lambda tag, a, c: El(tag, a, tuple(c)), st.sampled_from(["div", "p", "li"]), attrs, st.lists(kids, max_size=4)
    ),
    max_leaves=12,
)


@given(st.lists(trees, max_size=4), st.lists(trees, max_size=4))
def test_the_operations_turn_any_tree_into_any_other(old: list[El | str], new: list[El | str]) -> None:
    root = Node("root", children=[Node.of(n) for n in old])
    apply(root, diff(old, new))
    assert [c.tree() for c in root.children] == new


def screen(seconds: int, rows: int = 3) -> list[El | str]:
    return [
        h("div", {"class": "notice"}, f"Your session ends in {seconds} s"),
        h("input", {"id": "search", "value": "board"}),
        h("ul", {}, [h("li", {"id": f"row-{n}"}, f"Room {n}") for n in range(rows)]),
    ]


def test_a_countdown_changes_its_text_and_nothing_else() -> None:
    assert diff(screen(30), screen(29)) == [SetText((0, 0), "Your session ends in 29 s")]
    assert diff(screen(30), screen(30)) == []


def test_a_longer_list_appends_and_a_shorter_one_truncates_keeping_the_rows_before() -> None:
    assert diff(screen(5, 3), screen(5, 4)) == [Append((2,), h("li", {"id": "row-3"}, "Room 3"))]
    assert diff(screen(5, 4), screen(5, 2)) == [Truncate((2,), 2)]


def test_an_element_whose_tag_or_id_changes_is_replaced_not_morphed() -> None:
    before = [h("button", {"id": "sign-out"}, "Sign out")]
    assert diff(before, [h("a", {"id": "sign-out"}, "Sign out")]) == [
        Replace((0,), h("a", {"id": "sign-out"}, "Sign out"))
    ]
    assert diff(before, [h("button", {"id": "back"}, "Sign out")]) == [
        Replace((0,), h("button", {"id": "back"}, "Sign out"))
    ]
    assert diff([h("p", {"class": "a", "hidden": True})], [h("p", {"class": "b"})]) == [
        SetAttrs((0,), (("class", "b"),), ("hidden",))
    ]
