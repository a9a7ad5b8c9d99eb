"""What changed between two renders of the element tree, as the few DOM operations that turn one into the other.

Why: replacing the whole screen on every render (once a second while a countdown runs) dropped the focused
element, snapped the scroll back and made screen readers read the page again. Patching in place keeps every
element that did not change the very same element, so focus, scroll, a half-typed search and a text selection
stay where the person left them. Children are matched by position, and an element whose tag or id changed is
replaced whole, never morphed into another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.ui.elements import El

Path = tuple[int, ...]  # child indexes from the root: (2, 0) is the first child of the root's third node


@dataclass(frozen=True)
class Replace:
    path: Path
    node: El | str


@dataclass(frozen=True)
class SetText:
    path: Path
    text: str


@dataclass(frozen=True)
class SetAttrs:
    path: Path
    changed: tuple[tuple[str, str], ...]  # set these (name, value)
    removed: tuple[str, ...]  # and remove these


@dataclass(frozen=True)
class Append:
    path: Path  # of the parent
    node: El | str


@dataclass(frozen=True)
class Truncate:
    path: Path  # of the parent
    length: int  # children past this many go


Op = Replace | SetText | SetAttrs | Append | Truncate


def diff(old: Sequence[El | str], new: Sequence[El | str]) -> list[Op]:
    """The operations, in order, that turn the root's children `old` into `new`. Each path is valid when its
    operation runs: a node's own operations come before its later siblings' and after its earlier ones'."""
    ops: list[Op] = []
    _children((), old, new, ops)
    return ops


def _children(path: Path, old: Sequence[El | str], new: Sequence[El | str], ops: list[Op]) -> None:
    for index, (before, after) in enumerate(zip(old, new, strict=False)):
        _node((*path, index), before, after, ops)
    if len(new) > len(old):
        ops.extend(Append(path, node) for node in new[len(old) :])
    elif len(old) > len(new):
        ops.append(Truncate(path, len(new)))


def _node(path: Path, before: El | str, after: El | str, ops: list[Op]) -> None:
    if before == after:
        return
    if isinstance(before, str) and isinstance(after, str):
        ops.append(SetText(path, after))
        return
    if (
        isinstance(before, str)
        or isinstance(after, str)
        or before.tag != after.tag
        or before.attrs.get("id") != after.attrs.get("id")
    ):
        ops.append(Replace(path, after))
        return
    if before.attrs != after.attrs:
        changed = tuple((k, v) for k, v in after.attrs.items() if before.attrs.get(k) != v)
        removed = tuple(k for k in before.attrs if k not in after.attrs)
        ops.append(SetAttrs(path, changed, removed))
    _children(path, before.children, after.children, ops)


__all__ = ["Append", "Op", "Path", "Replace", "SetAttrs", "SetText", "Truncate", "diff"]
