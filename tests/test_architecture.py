"""The shape the code keeps: one thin layer touches the browser, and nothing on the server reaches up to serve.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_MODULES = sorted((ROOT / "app").rglob("*.py"))
BROWSER = ROOT / "app" / "browser"
SERVER_MODULES = sorted((ROOT / "server").rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    names |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }
    return names


def test_the_modules_are_found() -> None:
    # A relative path would find nothing when pytest runs from elsewhere, and every check below would pass.
    assert len(APP_MODULES) > 15 and len(SERVER_MODULES) > 10 and (BROWSER / "__init__.py") in APP_MODULES


@pytest.mark.parametrize("path", [p for p in APP_MODULES if BROWSER not in p.parents], ids=lambda p: p.name)
def test_only_app_browser_touches_js_or_pyodide(path: Path) -> None:
    assert not imported_roots(path) & {"js", "pyodide"}, f"{path.name} imports the browser"


@pytest.mark.parametrize("path", SERVER_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_in_server_imports_the_command_line(path: Path) -> None:
    assert "serve" not in imported_roots(path), f"{path} imports serve.py"


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_app_module_declares_what_it_exports(path: Path) -> None:
    tree = ast.parse(path.read_text())
    if path.name == "__init__.py":
        return
    assert any(
        isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        for node in tree.body
    ), f"{path.name} has no __all__"


@pytest.mark.parametrize("path", APP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_app_modules_stay_small(path: Path) -> None:
    # One idea per module; past this, a module is doing two things.
    assert len(path.read_text().splitlines()) <= 262, f"{path.name} has grown past one idea"
