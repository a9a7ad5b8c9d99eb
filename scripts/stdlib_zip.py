"""Repack Pyodide's python_stdlib.zip so that start-up compiles no Python source.

Pyodide ships its stdlib as source only, and zipimport cannot write bytecode back, so every page load compiled
the ~125 modules Pyodide imports while it starts (2.5 MB of source): over a second of a cold start. This adds
bytecode beside the source of those modules, and of the ones the app imports at start-up.

What start-up reads (those modules' bytecode and source) is stored uncompressed: zipimport reads it without
inflating, and HTTP's brotli compresses it across files far better than per-member deflate. The rest of the
stdlib, read only on demand, stays deflated, which keeps the archive the page holds at 7.9 MB instead of 13.

The bytecode must be CPython 3.14's, so set-up runs this inside the fetched Pyodide under Node
(scripts/run_in_pyodide.mjs), before anything but Pyodide's own start-up has been imported. The functions also
run on the host's CPython, which the unit tests use.
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
import zipfile
import zipimport
from collections.abc import Iterable

# PEP 552 flags: hash-based and not checked against the source. The source beside it is the same file, from the
# same archive, so checking would only re-read and hash it on every import.
UNCHECKED_HASH_PYC = 0b01


def pyc_bytes(source: bytes, filename: str) -> bytes:
    """A .pyc for `source` as the running interpreter compiles it, with `filename` in its code objects.

    `filename` is where the source lives in the mounted archive, so tracebacks name it and linecache finds the
    lines through the zipimporter, exactly as when the module was compiled from source.
    """
    code = compile(source, filename, "exec", dont_inherit=True)
    return (
        importlib.util.MAGIC_NUMBER
        + UNCHECKED_HASH_PYC.to_bytes(4, "little")
        + importlib.util.source_hash(source)
        + marshal.dumps(code)
    )


def zip_imported(archive: str) -> set[str]:
    """The archive members (e.g. "asyncio/tasks.py") of every module imported from `archive` so far.

    Frozen modules also report a __file__ in the archive but never read it, so only zipimporter's count.
    """
    prefix = archive.rstrip("/") + "/"
    members = set()
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or ""
        if isinstance(getattr(spec, "loader", None), zipimport.zipimporter) and origin.startswith(prefix):
            members.add(origin[len(prefix) :])
    return members


def repack(source: str, dest: str, archive: str, precompile: Iterable[str]) -> int:
    """Copy the zip at `source` to `dest` with a .pyc beside each member named in `precompile`, both stored.

    `archive` is the path the served zip is mounted at in Pyodide. Returns the number of .pyc files added.
    """
    wanted = set(precompile)
    added = 0
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        missing = wanted - set(zin.namelist())
        if missing:
            raise ValueError(f"not in {source}: {', '.join(sorted(missing))}")
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename not in wanted:
                zout.writestr(_like(info, info.filename, info.compress_type), data, compresslevel=9)
                continue
            zout.writestr(_like(info, info.filename, zipfile.ZIP_STORED), data)
            pyc = pyc_bytes(data, f"{archive.rstrip('/')}/{info.filename}")
            zout.writestr(_like(info, info.filename + "c", zipfile.ZIP_STORED), pyc)
            added += 1
    return added


def _like(info: zipfile.ZipInfo, name: str, compress_type: int) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(name, info.date_time)
    out.external_attr = info.external_attr
    out.compress_type = compress_type
    return out


def main(source: str, dest: str, imports: Iterable[str]) -> None:
    """Set-up's entry point inside Pyodide: import what the app imports, then repack with all of it compiled."""
    archive = next(path for path in sys.path if path.endswith(".zip"))
    for name in imports:
        importlib.import_module(name)
    members = zip_imported(archive)
    added = repack(source, dest, archive, members)
    print(f"python_stdlib.zip: {added} modules pre-compiled for Python {sys.version.split()[0]}")
