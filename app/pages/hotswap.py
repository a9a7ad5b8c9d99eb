"""An app module saved under serve.py --reload, swapped into the running app: its functions and classes keep their
identity and take the new code, so every reference the app holds (a callback, an instance, another module's
`from … import`) runs the new code at once, the screen is drawn again and the websocket stays open.

A swap never loses what the app knows. The module's top level runs again, and each name is merged three ways:
how the module started (its previous source, run in a scratch namespace), what it holds now, and what the new
source makes. A value still as it started takes the new source's value; one the app has changed since (state) is
kept, unless the save changes how it starts, which only a fresh start can honour: the tab reloads then. So do a
changed class layout (bases, slots, a dataclass's fields, an enum's members) and a module whose top level does
more than define names. Imported only after start-up, under --reload: its stdlib imports cost a start nothing.
"""

from __future__ import annotations

import ast
import linecache
import sys
import traceback
import types
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.pages.merge import MISSING, MODULE_KEPT, Merge, Unsafe


@dataclass(frozen=True)
class Swapped:
    module: str


@dataclass(frozen=True)
class Refused:
    """Not swappable in place: the tab reloads, and `reason` says why (in the browser's console)."""

    module: str
    reason: str


@dataclass(frozen=True)
class Failed:
    """The new source does not compile or its top level raised: the app keeps running the code it had."""

    module: str
    traceback: str


Outcome = Swapped | Refused | Failed


def module_name(path: str) -> str:
    """ "app/ui/words.py" → "app.ui.words"; "app/ui/__init__.py" → "app.ui"."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def swap(path: str, source: str, modules: MutableMapping[str, types.ModuleType] | None = None) -> Outcome:
    """Swap the app module saved at `path` ("app/ui/words.py") to `source` in place (see the module's docstring)."""
    modules = sys.modules if modules is None else modules
    name = module_name(path)
    module = modules.get(name)
    top = modules.get(name.split(".")[0])
    filename = getattr(module, "__file__", None) or ""
    if module is None and top is not None and getattr(top, "__path__", None):
        # Not imported yet: nothing runs it, and its first import reads the save.
        keep_source(str(Path(list(top.__path__)[0]).parent / path), source)
        return Swapped(name)
    if module is None or not filename:
        return Refused(name, f"{name} is not a module imported from a file")
    try:
        code = definitions(source, filename)
    except (SyntaxError, ValueError) as error:
        return Failed(name, "".join(traceback.format_exception_only(type(error), error)))
    except Unsafe as why:
        return Refused(name, f"{name}: {why}")
    try:
        with open(filename, encoding="utf-8") as file:
            previous = file.read()
        base = run(definitions(previous, filename), module)
    except (OSError, SyntaxError, ValueError, Unsafe) as error:
        return Refused(name, f"{name} as it started cannot be run again: {error}")
    except Exception as error:
        return Refused(name, f"{name}'s previous source no longer runs on its own: {error!r}")
    live = dict(vars(module))
    try:
        exec(code, vars(module))
    except Exception as error:
        restore(module, live)
        shown = traceback.TracebackException.from_exception(error)
        shown.stack = traceback.StackSummary.from_list([f for f in shown.stack if f.filename == filename])
        return Failed(name, "".join(shown.format()))
    try:
        merged, rebound = Merge(name, live, base, dict(vars(module))).apply()
    except Exception as why:  # Unsafe, or a class the interpreter will not patch: a fresh start is always right
        restore(module, live)
        return Refused(name, f"{name}: {why}" if isinstance(why, Unsafe) else f"{name} could not be patched: {why!r}")
    restore(module, merged)
    propagate(name, rebound, modules)
    keep_source(filename, source)
    return Swapped(name)


def definitions(source: str, filename: str) -> types.CodeType:
    """The module's code, parsed once: SyntaxError, or Unsafe where its top level does more than define."""
    tree = ast.parse(source, filename)
    defines_only(tree)
    return compile(tree, filename, "exec", dont_inherit=True)


def defines_only(tree: ast.Module | ast.If) -> None:
    """A top level that runs again must do nothing but define: a call there (a registration, a filter added to a
    logger), or under an `if` there, would happen twice."""
    for node in [*tree.body, *(tree.orelse if isinstance(tree, ast.If) else [])]:
        if isinstance(node, ast.If):
            defines_only(node)
        elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
            raise Unsafe(f"its top level does more than define names (line {node.lineno}: {ast.unparse(node)[:60]})")
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)):
            raise Unsafe(f"its top level does more than define names (line {node.lineno})")


def run(code: types.CodeType, module: types.ModuleType) -> dict[str, Any]:
    """The module's top level, run in a scratch namespace: how it starts."""
    scratch = {k: v for k, v in vars(module).items() if k in MODULE_KEPT}
    scratch["__builtins__"] = __builtins__
    exec(code, scratch)
    return scratch


def restore(module: types.ModuleType, names: dict[str, Any]) -> None:
    namespace = vars(module)
    namespace.clear()
    namespace.update(names)


def propagate(name: str, rebound: dict[str, tuple[Any, Any]], modules: MutableMapping[str, types.ModuleType]) -> None:
    """A value the save changed, rebound where another module imported it by name (`from app.ui.words import X`).
    Functions and classes need none of this: they were patched in place."""
    top = name.split(".")[0]
    for other_name, other in list(modules.items()):
        if other_name == name or other is None or not (other_name == top or other_name.startswith(top + ".")):
            continue
        namespace = vars(other)
        for key, (old, new) in rebound.items():
            if namespace.get(key, MISSING) is old:
                namespace[key] = new


def keep_source(filename: str, source: str) -> None:
    """The module's file, now the new source: tracebacks and help() show the lines that run, and a later import
    reads it (its bytecode goes: the app's is never checked against its source, app.core.bytecode). A new file is
    found by the next import too: the import system's listing of its folder is read again."""
    import importlib
    import importlib.util

    try:
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        with open(filename, "w", encoding="utf-8") as file:
            file.write(source)
        Path(importlib.util.cache_from_source(filename)).unlink(missing_ok=True)
    except (OSError, ValueError, NotImplementedError):
        pass
    linecache.checkcache(filename)
    importlib.invalidate_caches()


__all__ = ["Failed", "Outcome", "Refused", "Swapped", "module_name", "swap"]
