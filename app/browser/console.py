"""The console's engine in the page: Pyodide's own console (pyodide.console.PyodideConsole), and micropip told of
the local wheels only. Imported when a developer first runs something, never on the start path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js

from app.console.repl import Engine


def pyodide_engine(namespace: dict[str, Any], out: Callable[[str], None], err: Callable[[str], None]) -> Engine:
    from pyodide.console import PyodideConsole

    engine: Engine = PyodideConsole(namespace, stdout_callback=out, stderr_callback=err)
    return engine


_micropip_ready = False


async def local_micropip(source: str) -> None:
    """Before code that uses micropip: load it from the runtime (never a CDN), and point it at the wheels serve.py
    serves (--wheels), so `await micropip.install("name")` finds a local wheel by its name."""
    global _micropip_ready
    if _micropip_ready or "micropip" not in source:
        return
    from pyodide_js import loadPackage

    await loadPackage("micropip")
    import micropip

    index = str(js.URL.new("wheels/simple/", js.document.baseURI).href)  # beside the app, under its base path
    micropip.set_index_urls([index + "{package_name}/"])
    _micropip_ready = True


__all__ = ["local_micropip", "pyodide_engine"]
