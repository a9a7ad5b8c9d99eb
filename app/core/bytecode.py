"""The app's own bytecode, for the loader to keep between visits.

Pyodide compiles the app from source on every load (~60 ms warm, more on a first visit): its file system lives
in memory only, and Python there does not write bytecode. After a first visit the loader asks for this archive in
idle time and keeps it in Cache Storage beside the ETag of the app.zip it was made from; a later visit with the
same app.zip unpacks it next to the sources, and imports skip compiling.

The .pyc files are "unchecked" (PEP 552): Python uses them without comparing them with the source, which is why
the loader only ever unpacks them over the exact app.zip they were compiled from.
"""

from __future__ import annotations

import importlib.util
import io
import py_compile
import zipfile
from pathlib import Path


def compiled_archive(package: Path) -> bytes:
    """A zip of the __pycache__ files for every module under `package`, with paths relative to its parent."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for source in sorted(package.rglob("*.py")):
            cached = Path(importlib.util.cache_from_source(str(source)))
            py_compile.compile(
                str(source),
                cfile=str(cached),
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            archive.write(cached, cached.relative_to(package.parent).as_posix())
    return buffer.getvalue()


__all__ = ["compiled_archive"]
