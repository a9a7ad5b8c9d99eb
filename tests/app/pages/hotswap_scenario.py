"""The swaps app.pages.hotswap makes, run as a script on a Python of one's choice (tests/app/pages/test_hotswap.py runs
it on the host's CPython and on the app's Pyodide in Node): a class's methods, super() and a property; a frozen
dataclass; an enum; state kept; a refusal that changes nothing. Prints "ok <version>"."""

import importlib
import pathlib
import sys
import tempfile
import textwrap
from types import ModuleType

from app.pages.hotswap import Outcome, Refused, Swapped, swap

root = pathlib.Path(tempfile.mkdtemp())
(root / "demo").mkdir()
(root / "demo" / "__init__.py").write_text("")
sys.path.insert(0, str(root))


def write(name: str, source: str) -> ModuleType:
    (root / "demo" / f"{name}.py").write_text(textwrap.dedent(source))
    importlib.invalidate_caches()
    return importlib.import_module(f"demo.{name}")


def save(name: str, source: str) -> Outcome:
    return swap(f"demo/{name}.py", textwrap.dedent(source))


shapes = write(
    "shapes",
    """
    import enum
    from dataclasses import dataclass, field

    class Kind(enum.Enum):
        ROOM = 1
        def label(self):
            return "room"

    class Shape:
        def area(self):
            return 0

    class Square(Shape):
        def __init__(self, side):
            self.side = side
        def area(self):
            return self.side * self.side

    @dataclass(frozen=True)
    class Row:
        name: str
        tags: list = field(default_factory=list)
        def title(self):
            return self.name

    SEEN = {}
    LABEL = "a"
""",
)
square, row, kind = shapes.Square(3), shapes.Row("x"), shapes.Kind.ROOM
shapes.SEEN["k"] = 1
outcome = save(
    "shapes",
    """
    import enum
    from dataclasses import dataclass, field

    class Kind(enum.Enum):
        ROOM = 1
        def label(self):
            return "Room"

    class Shape:
        def area(self):
            return 0
        def describe(self):
            return f"area {self.area()}"

    class Square(Shape):
        def __init__(self, side):
            self.side = side
        def area(self):
            return 2 * self.side * self.side
        def describe(self):
            return "square, " + super().describe()
        @property
        def double(self):
            return self.side * 2

    @dataclass(frozen=True)
    class Row:
        name: str
        tags: list = field(default_factory=list)
        def title(self):
            return self.name.upper()

    SEEN = {}
    LABEL = "b"
""",
)
assert isinstance(outcome, Swapped), outcome
assert square.describe() == "square, area 18" and square.double == 6 and isinstance(square, shapes.Shape)
assert row.title() == "X" and row == shapes.Row("x") and kind.label() == "Room" and shapes.Kind.ROOM is kind
assert shapes.SEEN == {"k": 1} and shapes.LABEL == "b"
refused = save("shapes", "SEEN = {'seeded': 1}\n")
assert isinstance(refused, Refused) and shapes.SEEN == {"k": 1}, refused
print("ok", sys.version.split()[0])
