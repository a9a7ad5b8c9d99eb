"""A developer's own pages and reload on save, for serve.py only (never in the production build).

`--pages DIR` serves each `DIR/<name>.py` at `_pages/<name>.py` and their list, with each page's TITLE read from
its source (parsed, never run here), at `_pages/index.json`; the app imports a page from there (app.pages).
`--reload` adds `_dev/changes`, a server-sent event stream of the Python files saved under app/ and DIR, and
`_dev/app/<path>.py`, an app module's source as saved: the open tab swaps a page or an app module in place, or
reloads itself where a module cannot be (app.pages.runner.OwnPages.changed, app.pages.hotswap).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from .static import safe_child

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a page's name: its file's, and its address (?page=free_rooms)
WATCH_S = 0.1  # how often the watcher looks at the files' modification times: a save shows well within 1 s
HEARTBEAT_S = 15.0  # a comment now and then, so a proxy between does not close a quiet stream
MAX_SOURCE = 512 * 1024


def page_title(source: str, name: str) -> str:
    """The page's `TITLE = "…"`, read from its syntax tree; its name in words where it has none (or does not
    parse yet: the app shows why when it is opened)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TITLE" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str) and node.value.value.strip():
                return node.value.value.strip()[:60]
    return name.replace("_", " ").capitalize()


def page_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if NAME.fullmatch(p.stem) and p.is_file())


def snapshot(folders: list[Path]) -> dict[str, float]:
    """Each Python file under the folders, by path, with its modification time."""
    seen: dict[str, float] = {}
    for folder in folders:
        for path in folder.rglob("*.py"):
            if "__pycache__" not in path.parts:
                with contextlib.suppress(OSError):  # removed while we looked
                    seen[str(path)] = path.stat().st_mtime_ns
    return seen


def python_source(path: Path) -> web.Response:
    """A page's or an app module's source as saved: never cached, since the next save changes it."""
    body = path.read_bytes()[:MAX_SOURCE]
    return web.Response(body=body, content_type="text/x-python", charset="utf-8", headers={"Cache-Control": "no-store"})


class DevPages:
    def __init__(self, root: Path, pages: Path | None, reload: bool) -> None:
        self._root = root
        self._pages = pages
        self._reload = reload
        self._streams: set[asyncio.Task[object]] = set()  # the open change streams' handlers

    async def index(self, request: web.Request) -> web.StreamResponse:
        assert self._pages is not None
        listed = [
            {"name": p.stem, "title": page_title(p.read_text(errors="replace"), p.stem)}
            for p in page_files(self._pages)
        ]
        return web.json_response(listed, headers={"Cache-Control": "no-store"})

    async def source(self, request: web.Request) -> web.StreamResponse:
        assert self._pages is not None
        name = request.match_info["name"]
        path = self._pages / f"{name}.py"
        if not NAME.fullmatch(name) or not path.is_file():
            return web.json_response({"error": f"no page {name[:40]!r} in {self._pages.name}/"}, status=404)
        return python_source(path)

    async def app_source(self, request: web.Request) -> web.StreamResponse:
        """An app module's source as saved, for the open tab to swap in (app.pages.hotswap)."""
        relative = request.match_info["path"]
        path = safe_child(self._root / "app", relative) if relative.endswith(".py") else None
        if path is None:
            return web.json_response({"error": f"no module app/{relative[:80]}"}, status=404)
        return python_source(path)

    def _folders(self) -> list[Path]:
        return [self._root / "app", *([self._pages] if self._pages is not None else [])]

    def _relative(self, path: str) -> str:
        """ "app/browse/rows.py" or "pages/free_rooms.py": where the tab looks to know what to do."""
        found = Path(path)
        if self._pages is not None and found.parent == self._pages:
            return f"pages/{found.name}"
        return found.relative_to(self._root).as_posix()

    async def changes(self, request: web.Request) -> web.StreamResponse:
        stream = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        await stream.prepare(request)
        handler = asyncio.current_task()
        if handler is not None:
            self._streams.add(handler)
        try:
            await stream.write(b": watching\n\n")
            async for changed in self._watch():
                event = json.dumps({"path": changed}).encode()
                await stream.write(b"event: change\ndata: " + event + b"\n\n" if changed else b": watching\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the tab went, or the server stops
        finally:
            self._streams.discard(handler)
        return stream

    async def _watch(self) -> AsyncIterator[str]:
        """Each file saved (or added, or removed) from now on; "" now and then while nothing is."""
        loop = asyncio.get_running_loop()
        before, quiet_since = snapshot(self._folders()), loop.time()
        while True:
            await asyncio.sleep(WATCH_S)
            now = snapshot(self._folders())
            changed = sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))
            before = now
            for path in changed:
                yield self._relative(path)
            if changed:
                quiet_since = loop.time()
            elif loop.time() - quiet_since > HEARTBEAT_S:
                quiet_since = loop.time()
                yield ""

    async def close_streams(self, app: web.Application) -> None:
        """On shutdown: an open stream would hold the server's stop for its whole timeout."""
        for handler in list(self._streams):
            handler.cancel()

    def add_to(self, app: web.Application, base: str) -> None:
        if self._pages is not None:
            app.router.add_get(base + "_pages/index.json", self.index)
            app.router.add_get(base + "_pages/{name}.py", self.source)
        if self._reload:
            app.router.add_get(base + "_dev/changes", self.changes)
            app.router.add_get(base + "_dev/app/{path:.+}", self.app_source)
            app.on_shutdown.append(self.close_streams)


__all__ = ["NAME", "DevPages", "page_files", "page_title", "snapshot"]
