"""app.core.bytecode: the app's compiled modules, which imports use without looking at the source."""

from __future__ import annotations

import importlib
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import pytest

from app.core import bytecode


def test_app_bytecode_archive_is_used_by_imports_without_looking_at_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "built" / "zbc_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("ANSWER = 'compiled'\n")

    archive = bytecode.compiled_archive(package)

    # A fresh copy of the sources, as the loader unpacks app.zip, with the archive unpacked over it.
    fresh = tmp_path / "page" / "zbc_pkg"
    fresh.mkdir(parents=True)
    (fresh / "__init__.py").write_text("")
    (fresh / "mod.py").write_text("ANSWER = 'source'\n")
    with zipfile.ZipFile(io.BytesIO(archive)) as unpacked:
        assert sorted(unpacked.namelist()) == sorted(
            f"zbc_pkg/__pycache__/{name}.{sys.implementation.cache_tag}.pyc" for name in ("__init__", "mod")
        )
        unpacked.extractall(fresh.parent)
    monkeypatch.syspath_prepend(str(fresh.parent))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as in Pyodide
    try:
        importlib.invalidate_caches()
        module = importlib.import_module("zbc_pkg.mod")
        # Unchecked: the bytecode wins over a different source. The loader only unpacks it over the app.zip
        # whose ETag it was saved with, so in the page the two never differ.
        assert module.ANSWER == "compiled"
    finally:
        for name in [name for name in sys.modules if name.startswith("zbc_pkg")]:
            del sys.modules[name]
