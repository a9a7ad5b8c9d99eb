"""A page of one's own from its source: compiled and run as a module of its own, its `load`, `render` and optional
`act` checked, and any failure (a syntax error, an import that fails, a missing function) as a traceback that
names the page's own lines. Pure: the source arrives as text (app.pages.runner fetches it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.ui.elements import El

CONTRACT = (
    "A page is a module with `async def load(api, place)` (what it reads from PlaceOS), `def render(data)` (its "
    "elements, from app.pages.kit) and, for its buttons, `async def act(api, action, arg)`; TITLE names it."
)


class PageError(Exception):
    """A page that cannot be shown; str() is its traceback from the page's first line on."""


@dataclass(frozen=True)
class PageModule:
    name: str
    title: str
    load: Callable[[Any, Any], Awaitable[Any]]
    render: Callable[[Any], El]
    act: Callable[[Any, str, str], Awaitable[Any]] | None = None


def filename_of(name: str) -> str:
    return f"pages/{name}.py"


def page_traceback(error: BaseException, filename: str) -> str:
    """The traceback from the page's first frame on: the runner's own frames say nothing to the page's author."""
    import traceback  # here, not at the top: a page loads after start-up, and only in a developer's build

    frames = traceback.extract_tb(error.__traceback__)
    first = next((i for i, frame in enumerate(frames) if frame.filename == filename), len(frames))
    lines = traceback.format_list(frames[first:])
    head = ["Traceback (most recent call last):\n"] if lines else []
    return "".join(head + lines + traceback.format_exception_only(type(error), error)).rstrip()


def compile_page(name: str, source: str) -> PageModule:
    """The page `name` from its source; PageError with its traceback when it cannot be shown."""
    import inspect  # as traceback above: outside the start-up snapshot's imports (server/settings.py)
    import linecache

    filename = filename_of(name)
    # Tracebacks read a file's lines through linecache: the page has no file here, so its source goes there.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {"__name__": f"pages.{name}", "__file__": filename}
    try:
        exec(compile(source, filename, "exec"), namespace)
    except (Exception, SystemExit) as error:  # exit() in a page ends the page, not the app
        raise PageError(page_traceback(error, filename)) from None
    load, render, act = namespace.get("load"), namespace.get("render"), namespace.get("act")
    if not inspect.iscoroutinefunction(load):
        raise PageError(f"{filename} has no `async def load(api, place)`. {CONTRACT}")
    if not callable(render) or inspect.iscoroutinefunction(render):
        raise PageError(f"{filename} has no `def render(data)` (not async: it only draws). {CONTRACT}")
    if act is not None and not inspect.iscoroutinefunction(act):
        raise PageError(f"{filename}'s `act` must be `async def act(api, action, arg)`. {CONTRACT}")
    title = namespace.get("TITLE")
    title = title.strip()[:60] if isinstance(title, str) and title.strip() else name.replace("_", " ").capitalize()
    return PageModule(name, title, load, render, act)


def run_failed(error: BaseException, name: str) -> str:
    """A failure in the page's load, render or act, as its traceback."""
    return page_traceback(error, filename_of(name))


__all__ = ["CONTRACT", "PageError", "PageModule", "compile_page", "filename_of", "page_traceback", "run_failed"]
