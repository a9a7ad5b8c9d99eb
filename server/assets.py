"""The loader's files as the page links them: each address carries its content's hash (`static/boot.js?v=…`), so
a new file is a new address and the linked one can be cached for good. A returning visit then starts without a
revalidation round trip on its critical path (three 304s before, one after the other: the page, the loader, the
loader's cache module)."""

from __future__ import annotations

import hashlib
from pathlib import Path

# What the page loads from static/ on every start (index.html and static/boot.js).
FINGERPRINTED = ("app.css", "boot.js", "boot-start.mjs", "boot-shell.mjs", "boot-cache.mjs")


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


def asset_url(static_root: Path, name: str) -> str:
    """static/<name>'s address relative to the base path: with its hash if the page links it so, else plain."""
    if name in FINGERPRINTED:
        return f"static/{name}?v={fingerprint((static_root / name).read_bytes())}"
    return f"static/{name}"


__all__ = ["FINGERPRINTED", "asset_url", "fingerprint"]
