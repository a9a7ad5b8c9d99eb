"""The three-way merge behind app.pages.hotswap: a module's namespace as it started (its previous source, run again),
as the program holds it now, and as the new source makes it, merged so that the program keeps its objects and its
state and runs the new code. Planned in full before anything is patched: whatever cannot be carried over raises
Unsafe first, and the tab reloads instead."""

from __future__ import annotations

import enum
import types
from collections.abc import Callable
from typing import Any

MISSING: Any = object()
MODULE_KEPT = frozenset({"__name__", "__file__", "__spec__", "__loader__", "__package__", "__cached__", "__path__"})
# Made by the class machinery for the class they belong to: never copied from another class object.
CLASS_KEPT = frozenset(
    {"__dict__", "__weakref__", "__module__", "__qualname__", "__abstractmethods__", "_abc_impl", "__slots__"}
)
DEPTH = 8  # how deep values are compared; deeper counts as changed, which only ever costs a reload


class Unsafe(Exception):
    """The save changes something a swap cannot carry over."""


class Merge:
    """The module's namespace after the save: planned in full (raising Unsafe) before anything is patched."""

    def __init__(self, module: str, live: dict[str, Any], base: dict[str, Any], new: dict[str, Any]) -> None:
        self.module, self.live, self.base, self.new = module, live, base, new
        self.patches: list[Callable[[], None]] = []
        self.classes: dict[type, type] = {}  # the new source's class → the live class it is patched into
        self.functions: dict[types.FunctionType, types.FunctionType] = {}

    def apply(self) -> tuple[dict[str, Any], dict[str, tuple[Any, Any]]]:
        merged = dict(self.live)
        fresh: dict[str, Any] = {}
        for key, new in self.new.items():
            live = self.live.get(key, MISSING)
            if key in MODULE_KEPT or key == "__builtins__" or new is live:
                continue
            chosen = self.plan(key, live, new)
            if chosen is not live:
                fresh[key] = chosen
        for patch in self.patches:
            patch()
        rebound = {}
        for key, value in fresh.items():
            merged[key] = self.translate(value)
            if key in self.live:
                rebound[key] = (self.live[key], merged[key])
        return merged, rebound

    def plan(self, key: str, live: Any, new: Any) -> Any:
        if live is MISSING:
            return new  # a name the save adds
        if isinstance(live, types.FunctionType) and isinstance(new, types.FunctionType) and self.own(live, new):
            self.plan_function(live, new)
            return live
        if isinstance(live, type) and isinstance(new, type) and self.own(live, new):
            self.plan_class(live, new)
            return live
        if isinstance(live, (types.FunctionType, type, types.ModuleType)):
            return new  # imported from elsewhere: the same object again, or what the import names now
        if opaque(live) and type(live) is type(new):
            return live  # a ContextVar, a lock: nothing to compare, and what it holds is the program's
        base = self.base.get(key, MISSING)
        if self.same(live, new):
            return live  # the save leaves it as it is: the same object stays, wherever the app holds it
        if base is not MISSING and self.same(base, live):
            return new  # as it started: the new source says what it is now
        if base is MISSING or not self.same(base, new):
            raise Unsafe(
                f"{self.module}.{key} holds what the app has changed since it started, and this save "
                "changes how it starts"
            )
        return live  # state the app holds: kept

    def own(self, live: Any, new: Any) -> bool:
        """Both defined here, under one name: the live one takes the new one's code (never one of another
        module's, which a class may only refer to)."""
        return bool(live.__module__ == new.__module__ == self.module and live.__qualname__ == new.__qualname__)

    def plan_function(self, live: types.FunctionType, new: types.FunctionType) -> None:
        if live.__code__.co_freevars != new.__code__.co_freevars:
            raise Unsafe(f"{self.module}.{new.__qualname__} closes over other names than before")
        self.functions[new] = live

        def patch() -> None:
            live.__code__ = new.__code__
            live.__defaults__ = self.translate(new.__defaults__)
            live.__kwdefaults__ = self.translate(new.__kwdefaults__)
            live.__doc__ = new.__doc__
            live.__annotations__ = new.__annotations__
            live.__dict__.update(new.__dict__)

        self.patches.append(patch)

    def plan_class(self, live: type, new: type) -> None:
        named = self.describe
        if type(live) is not type(new) and named(type(live)) != named(type(new)):
            raise Unsafe(f"{self.module}.{new.__qualname__}'s metaclass changed")
        if [named(b) for b in live.__bases__] != [named(b) for b in new.__bases__]:
            raise Unsafe(f"{self.module}.{new.__qualname__}'s bases changed")
        for layout in ("__slots__", "__dataclass_fields__", "_fields"):
            if list(getattr(live, layout, ())) != list(getattr(new, layout, ())):
                raise Unsafe(f"{self.module}.{new.__qualname__}'s fields changed: what exists has the old ones")
        members = issubclass(live, enum.Enum)
        if members and enum_members(live) != enum_members(new):
            raise Unsafe(f"{self.module}.{new.__qualname__}'s members changed")
        self.classes[new] = live
        plans: list[Callable[[], None]] = []
        for key, value in vars(new).items():
            if key in CLASS_KEPT or isinstance(value, (types.MemberDescriptorType, types.GetSetDescriptorType)):
                continue
            current = vars(live).get(key, MISSING)
            if (
                isinstance(current, types.FunctionType)
                and isinstance(value, types.FunctionType)
                and self.own(current, value)
            ):
                self.plan_function(current, value)
            elif isinstance(current, type) and isinstance(value, type) and self.own(current, value):
                self.plan_class(current, value)
            elif (
                isinstance(current, (classmethod, staticmethod))
                and type(current) is type(value)
                and isinstance(current.__func__, types.FunctionType)
                and self.own(current.__func__, value.__func__)
            ):
                self.plan_function(current.__func__, value.__func__)  # type: ignore[arg-type]
            elif not members or isinstance(value, (types.FunctionType, property, classmethod, staticmethod)):
                plans.append(self.setter(live, key, value))
        gone = [k for k in vars(live) if k not in vars(new) and k not in CLASS_KEPT and not members]
        plans.extend(self.setter(live, key, MISSING) for key in gone)
        self.patches.extend(plans)

    def setter(self, cls: type, key: str, value: Any) -> Callable[[], None]:
        """Set (or, for MISSING, remove) a class attribute once everything is planned."""

        def patch() -> None:
            if value is MISSING:
                delattr(cls, key)
            else:
                setattr(cls, key, self.translate(value))

        return patch

    def patched(self, value: Any) -> bool:
        return isinstance(value, type) and value in self.classes

    def translate(self, value: Any, depth: int = 0) -> Any:
        """The new source's value, with its classes and functions replaced by the live ones they were patched into
        (a function's `super()` cell too), so the module holds one of each."""
        if depth > DEPTH:
            return value
        if isinstance(value, types.FunctionType):
            if value in self.functions:
                return self.functions[value]
            cells = value.__closure__
            if cells and any(self.patched(contents(c)) for c in cells):
                closure = tuple(
                    types.CellType(self.classes[contents(c)]) if self.patched(contents(c)) else c for c in cells
                )
                rebuilt = types.FunctionType(
                    value.__code__, value.__globals__, value.__name__, value.__defaults__, closure
                )
                rebuilt.__kwdefaults__, rebuilt.__qualname__ = value.__kwdefaults__, value.__qualname__
                rebuilt.__dict__.update(value.__dict__)
                return rebuilt
            return value
        if isinstance(value, type):
            return self.classes.get(value, value)
        if isinstance(value, property):
            fget, fset, fdel = (self.translate(p, depth + 1) for p in (value.fget, value.fset, value.fdel))
            return property(fget, fset, fdel, value.__doc__)
        if isinstance(value, (classmethod, staticmethod)):
            return type(value)(self.translate(value.__func__, depth + 1))
        if type(value) in (list, tuple, set, frozenset):
            return type(value)(self.translate(v, depth + 1) for v in value)
        if type(value) is dict:
            return {k: self.translate(v, depth + 1) for k, v in value.items()}
        if type(value) in self.classes:  # an instance the new source made of a class patched here (frozen or not)
            object.__setattr__(value, "__class__", self.classes[type(value)])
        return value

    def same(self, a: Any, b: Any, depth: int = 0) -> bool:
        """Whether two values are the same as far as a module's start says: equal data, the same definitions (by
        name: each run of the top level makes its own function and class objects)."""
        if a is b:
            return True
        if depth > DEPTH:
            return False
        if isinstance(a, (types.FunctionType, type)) or isinstance(b, (types.FunctionType, type)):
            return bool(type(a) is type(b) and self.describe(a) == self.describe(b))
        if self.describe(type(a)) != self.describe(type(b)):
            return False
        if type(a) is object:
            return True  # a sentinel: `NO_BODY = object()` holds nothing that could differ
        if type(a).__module__ in ("typing", "types") or isinstance(a, types.GenericAlias):
            return repr(a) == repr(b)
        if type(a) in (list, tuple):
            return len(a) == len(b) and all(self.same(x, y, depth + 1) for x, y in zip(a, b, strict=True))
        if type(a) is dict:
            return a.keys() == b.keys() and all(self.same(v, b[k], depth + 1) for k, v in a.items())
        if hasattr(a, "__dict__") and not isinstance(a, types.ModuleType):
            return self.same(vars(a), vars(b), depth + 1) and self.same(slotted(a), slotted(b), depth + 1)
        if slotted(a):
            return self.same(slotted(a), slotted(b), depth + 1)
        try:
            return bool(a == b)
        except Exception:
            return False

    @staticmethod
    def describe(value: Any) -> str:
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"


def opaque(value: Any) -> bool:
    """An object that is only ever equal to itself and shows nothing of what it holds."""
    equal_by_identity = all("__eq__" not in vars(cls) for cls in type(value).__mro__[:-1])
    return not hasattr(value, "__dict__") and not slotted(value) and equal_by_identity


def contents(cell: types.CellType) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # a cell not filled yet
        return MISSING


def enum_members(cls: Any) -> list[tuple[str, Any]]:
    return [(member.name, member.value) for member in cls]


def slotted(value: Any) -> dict[str, Any]:
    names = (
        n for cls in type(value).__mro__ for n in getattr(cls, "__slots__", ()) if n not in ("__dict__", "__weakref__")
    )
    return {n: getattr(value, n, MISSING) for n in names}


__all__ = ["CLASS_KEPT", "MISSING", "MODULE_KEPT", "Merge", "Unsafe", "opaque"]
