"""app.pages.merge: which values count as the same across runs of a module's top level, what is opaque, and a
merge planned in full before anything is patched."""

from __future__ import annotations

import contextvars
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from app.pages.merge import Merge, Unsafe, opaque


def top_level(source: str, name: str = "mod") -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, f"{name}.py", "exec"), namespace)
    return namespace


SOURCE = """
from typing import Callable, Optional

class Row:
    def __init__(self, name):
        self.name = name

def handle(row):
    return row.name

HANDLERS = {"row": handle, "kinds": [Row, int]}
FIRST = Row("a")
NOTHING = object()
Hook = Callable[[Row], Optional[str]]
"""


def test_runs_of_one_top_level_are_the_same_though_every_object_is_new() -> None:
    first, second = top_level(SOURCE), top_level(SOURCE)
    merge = Merge("mod", first, first, second)
    for key in ("HANDLERS", "FIRST", "NOTHING", "Hook", "Row", "handle"):
        assert first[key] is not second[key] and merge.same(first[key], second[key]), key
    changed = top_level(SOURCE.replace('Row("a")', 'Row("b")').replace("int]", "str]"))
    assert not merge.same(first["FIRST"], changed["FIRST"]) and not merge.same(first["HANDLERS"], changed["HANDLERS"])


def test_too_deep_to_compare_counts_as_changed() -> None:
    deep: Any = []
    for _ in range(20):
        deep = [deep]
    merge = Merge("mod", {}, {}, {})
    assert merge.same(deep, deep) and not merge.same(deep, eval(repr(deep)))  # noqa: S307


@dataclass
class Plain:
    value: int


def test_what_shows_nothing_of_its_state_is_opaque() -> None:
    assert opaque(contextvars.ContextVar("x")) and opaque(object())
    assert not opaque(Plain(1)) and not opaque([1]) and not opaque("text") and not opaque({})


def test_a_merge_that_cannot_be_carried_over_patches_nothing() -> None:
    live = top_level("def greet():\n    return 'old'\nSEEN = []\n")
    live["SEEN"].append("the program's")
    base = top_level("def greet():\n    return 'old'\nSEEN = []\n")
    new = top_level("def greet():\n    return 'new'\nSEEN = ['seeded']\n")
    greet: Callable[[], str] = live["greet"]
    with pytest.raises(Unsafe, match="SEEN holds what the app has changed"):
        Merge("mod", live, base, new).apply()
    assert greet() == "old"  # planned first, so nothing was patched before the refusal


def test_a_merge_keeps_state_and_identity_and_takes_the_new_code() -> None:
    live = top_level("def greet():\n    return 'old'\nSEEN = []\nLABEL = 'a'\n")
    live["SEEN"].append(1)
    base = top_level("def greet():\n    return 'old'\nSEEN = []\nLABEL = 'a'\n")
    new = top_level("def greet():\n    return 'new'\nSEEN = []\nLABEL = 'b'\nADDED = 1\n")
    merged, rebound = Merge("mod", live, base, new).apply()
    assert merged["greet"] is live["greet"] and merged["greet"]() == "new"
    assert merged["SEEN"] is live["SEEN"] == [1]
    assert merged["LABEL"] == "b" and rebound == {"LABEL": ("a", "b")} and merged["ADDED"] == 1


def test_a_closure_over_other_names_cannot_take_new_code() -> None:
    live = top_level("def make():\n    x = 1\n    def f():\n        return x\n    return f\n\nf = make()\n")
    new = types.FunctionType(compile("def f(): return 2", "mod.py", "exec").co_consts[0], {}, "f")
    new.__module__, new.__qualname__ = "mod", live["f"].__qualname__
    merge = Merge("mod", live, live, {"f": new})
    with pytest.raises(Unsafe, match="closes over other names"):
        merge.plan("f", live["f"], new)


def test_a_function_added_to_a_class_keeps_its_closure_and_its_super_reaches_the_live_class() -> None:
    before = "class Base:\n    def hello(self):\n        return 'base'\n\nclass A(Base):\n    pass\n"
    factory = "def make():\n    table = {'k': 'v'}\n"
    factory += "    def lookup(self, key):\n        return table[key]\n    return lookup\n"
    after = (
        factory
        + "class Base:\n    def hello(self):\n        return 'base'\n\n"
        + "class A(Base):\n    lookup = make()\n\n    def hello(self):\n        return 'a+' + super().hello()\n"
    )
    live, base, new = top_level(before), top_level(before), top_level(after)
    instance = live["A"]()
    merged, _ = Merge("mod", live, base, new).apply()
    assert merged["A"] is live["A"] and instance.lookup("k") == "v" and instance.hello() == "a+base"
