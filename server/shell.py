"""The offline app shell: the service worker at <base>sw.js, made from static/sw.js with this build's manifest.

A build is everything a start needs and nothing else: the page, the loader and its CSS, the app archive, its
configuration and the runtime files Pyodide loads at start. Its id hashes all of them (the runtime by its build id,
since its path is versioned), and the page's CSP, so any change that a start would see gives a new id, and with it
a new worker script: the browser finds the new script on a later load, the worker caches the new build whole and
drops the old one. Never in it: the callback pages, API or auth responses, the console's wheels.

serve.py serves the worker only with --offline-shell (a developer's edits would otherwise show one load late);
the production build has it unless --no-offline-shell. Off, <base>sw.js still answers, with a worker that drops
the cache and passes everything to the network, so turning the shell off reaches browsers that had it: their next
page comes from the network, has no shell, and unregisters the worker.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .assets import asset_url
from .settings import RUNTIME_ID

WORKER_SOURCE = "sw.js"  # in static/, served at <base>sw.js so that its scope is the whole app
NOT_IN_SHELL = frozenset({WORKER_SOURCE, "callback.html", "callback.js"})  # the template, and the callback page
# What Pyodide fetches at start (static/boot.js); micropip's wheel is the console's and stays out.
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
PLACEHOLDER = 'const SHELL = { build: "", files: [], enabled: false };'


@dataclass(frozen=True)
class Shell:
    """One build's manifest: its id and its files as URLs relative to the base path ("./" is the page)."""

    build: str
    files: tuple[str, ...]
    enabled: bool = True

    def worker(self, template: str) -> bytes:
        """static/sw.js with this manifest written in: the only line that differs between builds."""
        if PLACEHOLDER not in template:
            raise ValueError("static/sw.js has lost its SHELL line")
        manifest = {"build": self.build, "files": list(self.files), "enabled": self.enabled}
        return template.replace(PLACEHOLDER, f"const SHELL = {json.dumps(manifest)};").encode()


def static_shell_files(static_root: Path) -> list[Path]:
    return sorted(
        path
        for path in static_root.rglob("*")
        if path.is_file() and path.name not in NOT_IN_SHELL and not path.name.endswith(".gz")
    )


def shell_for(index: bytes, csp: str, config: bytes, app_etag: str, static_root: Path, enabled: bool) -> Shell:
    """The manifest of the build made of these parts (the same parts give the same id, here and in dist/)."""
    digest = hashlib.sha256()
    files = ["./", "app.zip", "app-config.json"]
    for part in (index, csp.encode(), config, app_etag.encode(), RUNTIME_ID.encode()):
        digest.update(hashlib.sha256(part).digest())
    for path in static_shell_files(static_root):
        name = path.relative_to(static_root).as_posix()
        files.append(asset_url(static_root, name))  # as the page asks for it
        digest.update(hashlib.sha256(name.encode() + b"\0" + path.read_bytes()).digest())
    files += [f"pyodide/{RUNTIME_ID}/{name}" for name in RUNTIME_FILES]
    return Shell(digest.hexdigest()[:20], tuple(files), enabled)


__all__ = ["NOT_IN_SHELL", "RUNTIME_FILES", "WORKER_SOURCE", "Shell", "shell_for", "static_shell_files"]
