"""The shape the code keeps, read from the real import graph (every import, those under TYPE_CHECKING and inside
functions included): no circles, no import that runs upward, one thin layer touching the browser."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import ROOT

APP_MODULES = sorted((ROOT / "app").rglob("*.py"))
BROWSER = ROOT / "app" / "browser"
SERVER_MODULES = sorted((ROOT / "server").rglob("*.py"))

# What each package of app/ may import besides itself. A package imports only what lies below it: the auth core
# knows no screen, the features know neither each other nor the shell that composes them.
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "ui": {"core"},
    "auth": {"core"},
    "api": {"core", "auth"},
    "browse": {"core", "ui", "auth", "api"},
    "kiosk": {"core", "ui", "auth", "api"},
    "doctor": {"core", "ui", "auth", "api"},
    "console": {"core", "ui"},
    "pages": {"core", "ui", "auth", "api", "browse"},
    "shell": {"core", "ui", "auth", "api", "browse", "kiosk", "doctor", "console", "pages"},
    "browser": {"core", "ui", "auth", "api", "console", "shell"},
    "main": {"core", "ui", "auth", "api", "browse", "kiosk", "doctor", "console", "pages", "shell", "browser"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(path: Path, known: set[str]) -> Iterator[str]:
    """Every module of the project that `path` imports, by its dotted name."""
    name = module_name(path)
    package = name if is_package(path) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:  # `from package import module`
                    yield f"{target}.{alias.name}"
                elif target in known:
                    yield target


def graph(paths: list[Path]) -> dict[str, set[str]]:
    known = {module_name(p) for p in paths}
    return {module_name(p): set(imports_of(p, known)) - {module_name(p)} for p in paths}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def feature(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_modules_are_found() -> None:
    # A relative path would find nothing when pytest runs from elsewhere, and every check below would pass.
    assert len(APP_MODULES) > 40 and len(SERVER_MODULES) > 20 and (BROWSER / "__init__.py") in APP_MODULES
    edges = graph(APP_MODULES)
    assert "app.core.config" in edges["app.main"] and "app.shell.controller" in edges["app.main"]


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("paths", [APP_MODULES, SERVER_MODULES], ids=["app", "server"])
def test_no_import_circles(paths: list[Path]) -> None:
    assert circles(graph(paths)) == []


def test_every_app_module_is_in_a_package_with_a_place_in_the_layers() -> None:
    for path in APP_MODULES:
        name = module_name(path)
        assert name == "app" or feature(name) in MAY_IMPORT, f"{name} is in no package of the layers"


def test_app_imports_run_downward_only() -> None:
    wrong = [
        f"{module} imports {other}"
        for module, others in graph(APP_MODULES).items()
        for other in others
        if feature(module) and feature(other) != feature(module) and feature(other) not in MAY_IMPORT[feature(module)]
    ]
    assert wrong == []


def test_no_module_but_the_composition_root_and_the_browser_wiring_imports_the_controller() -> None:
    importers = {m for m, others in graph(APP_MODULES).items() if "app.shell.controller" in others}
    assert importers <= {"app.main", "app.browser.events"}


def test_no_module_imports_the_package_it_is_in() -> None:
    # A package's __init__ says what it is; logic there, imported by its own modules, is an import running upward.
    for paths in (APP_MODULES, SERVER_MODULES):
        edges = graph(paths)
        upward = [f"{m} imports {o}" for m, others in edges.items() for o in others if m.startswith(o + ".")]
        assert upward == []


def test_package_inits_only_say_what_they_are() -> None:
    for path in [p for p in APP_MODULES if is_package(p) and p.parent != BROWSER]:
        body = ast.parse(path.read_text()).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr), f"{path} holds more than its docstring"


@pytest.mark.parametrize("path", [p for p in APP_MODULES if BROWSER not in p.parents], ids=module_name)
def test_only_app_browser_touches_js_or_pyodide(path: Path) -> None:
    roots = {module.split(".")[0] for module in _all_imports(path)}
    assert not roots & {"js", "pyodide", "pyodide_js", "micropip"}, f"{path.name} imports the browser"


@pytest.mark.parametrize("path", SERVER_MODULES, ids=module_name)
def test_nothing_in_server_imports_the_command_line(path: Path) -> None:
    assert "serve" not in {module.split(".")[0] for module in _all_imports(path)}, f"{path} imports serve.py"


@pytest.mark.parametrize("path", [p for p in APP_MODULES if not is_package(p)], ids=module_name)
def test_every_app_module_declares_what_it_exports(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert any(
        isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        for node in tree.body
    ), f"{path.name} has no __all__"


@pytest.mark.parametrize("path", APP_MODULES, ids=module_name)
def test_app_modules_stay_small(path: Path) -> None:
    # One idea per module; past this, a module is doing two things.
    assert len(path.read_text().splitlines()) <= 260, f"{path.name} has grown past one idea"


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    return names


def test_the_import_reader_sees_imports_under_type_checking_and_in_functions(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import js\ndef f():\n    import pyodide\n"
    )
    assert {"js", "pyodide"} <= _all_imports(source)


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "e2e").glob("test_*.py")), ids=lambda p: p.name)
def test_every_browser_story_is_marked_so_make_test_runs_it_apart(path: Path) -> None:
    # Unmarked, a story runs among the unit tests: Playwright's event loop then breaks every async test after it.
    assert "\npytestmark = pytest.mark.browser\n" in path.read_text(), f"{path.name} has no browser mark"
