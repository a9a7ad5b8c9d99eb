"""Start-up bytecode: the runtime build (named by its recipe, with stdlib bytecode beside the source) and the
app's own bytecode archive.

scripts/stdlib_zip.py runs inside Pyodide at set-up; here its functions run on the host's CPython, which makes
bytecode for the host's version but is otherwise the same code path zipimport takes in the page.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import traceback
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import fetch_runtime, stdlib_zip
from server.settings import RUNTIME_ID, SNAPSHOT_IMPORTS, Settings
from server.static import render_index
from tests import ROOT


def test_runtime_id_names_the_current_recipe_everywhere() -> None:
    # The runtime is served as immutable under its id: a build made by another recipe must get another URL, or
    # browsers would mix its files (and start-up snapshots made from them) with the old build's.
    expected = fetch_runtime.runtime_id()
    assert RUNTIME_ID == expected, f"set RUNTIME_ID in server/settings.py to {expected}"
    page = render_index((ROOT / "index.html").read_text(), Settings())
    assert f'data-runtime="pyodide/{expected}/"' in page  # the loader takes it from there, and has no copy
    assert "pyodide/" not in (ROOT / "static" / "boot.js").read_text().replace("pyodide.mjs", "")
    assert Settings().runtime_dir.name == expected


# Imported only after start-up: the bytecode in idle time; a save's swap under serve.py --reload.
AFTER_START_UP = {"core/bytecode.py", "pages/hotswap.py", "pages/merge.py"}


def test_the_snapshot_holds_every_stdlib_module_the_app_imports_at_start_up() -> None:
    import ast
    import sys

    imported: set[str] = set()
    late = {"app." + name.removesuffix(".py").replace("/", ".") for name in AFTER_START_UP}
    for path in (ROOT / "app").rglob("*.py"):
        after_start_up = path.relative_to(ROOT / "app").as_posix() in AFTER_START_UP
        for node in ast.parse(path.read_text()).body:  # module level only: what importing the module runs
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            assert after_start_up or not late & set(names), f"{path} imports {late & set(names)} as it starts"
            if not after_start_up:
                imported |= {name.split(".")[0] for name in names}
    stdlib = {name for name in imported if name in sys.stdlib_module_names} - {"__future__"}
    assert stdlib <= set(SNAPSHOT_IMPORTS), f"add {sorted(stdlib - set(SNAPSHOT_IMPORTS))} to SNAPSHOT_IMPORTS"
    page = render_index((ROOT / "index.html").read_text(), Settings())
    assert f'data-snapshot-imports="{" ".join(SNAPSHOT_IMPORTS)}"' in page


def test_npm_pins_exactly_the_pyodide_the_build_checks() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert package["dependencies"] == {"pyodide": fetch_runtime.PYODIDE_VERSION}
    assert lock["packages"]["node_modules/pyodide"]["version"] == fetch_runtime.PYODIDE_VERSION
    assert lock["packages"]["node_modules/pyodide"]["integrity"].startswith("sha512-")


def test_runtime_id_changes_with_what_the_build_does(monkeypatch: pytest.MonkeyPatch) -> None:
    before = fetch_runtime.runtime_id()
    monkeypatch.setattr(fetch_runtime, "APP_IMPORTS", (*fetch_runtime.APP_IMPORTS, "decimal"))
    assert fetch_runtime.runtime_id() != before


def test_served_stdlib_has_bytecode_for_start_up_and_keeps_every_source() -> None:
    with zipfile.ZipFile(Settings().runtime_dir / "python_stdlib.zip") as served:
        infos = {info.filename: info for info in served.infolist()}
        # What Pyodide imports while it starts, and what the app imports: compiled, and stored for zipimport.
        for member in ["typing.py", "asyncio/base_events.py", "_pyodide/_base.py", "json/decoder.py", "secrets.py"]:
            pyc = infos[member + "c"]
            assert pyc.compress_type == zipfile.ZIP_STORED
            header = served.read(pyc)[:8]
            assert int.from_bytes(header[4:8], "little") == stdlib_zip.UNCHECKED_HASH_PYC
            assert header[:4] != importlib.util.MAGIC_NUMBER  # CPython 3.14's, made by Pyodide, not the host's
            assert infos[member].compress_type == zipfile.ZIP_STORED
        # The rest is imported on demand only: source, still deflated.
        assert "tomllib/_parser.pyc" not in infos
        assert infos["tomllib/_parser.py"].compress_type == zipfile.ZIP_DEFLATED
        sources = {name for name in infos if name.endswith(".py")}
    assert len(sources) == 559  # every module Pyodide 314.0.7 ships, with its source for tracebacks


@pytest.fixture
def probe_zip(tmp_path: Path) -> Iterator[Path]:
    """A small stdlib-like zip of uniquely named modules, removed from sys.modules afterwards."""
    source = tmp_path / "stock.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as stock:
        stock.writestr("zprobe_hot.py", "def boom():\n    raise ValueError('from the hot module')\n")
        stock.writestr("zprobe_pkg/__init__.py", "NAME = 'package'\n")
        stock.writestr("zprobe_cold.py", "VALUE = 42\n")
        stock.writestr("zprobe_data.txt", "not python")
    yield source
    for name in [name for name in sys.modules if name.startswith("zprobe_")]:
        del sys.modules[name]


def _import_from(archive: Path, name: str) -> object:
    sys.path.insert(0, str(archive))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(archive))


def test_repack_adds_bytecode_that_zipimport_loads_with_source_lines_in_tracebacks(
    probe_zip: Path, tmp_path: Path
) -> None:
    served = tmp_path / "python_stdlib.zip"
    added = stdlib_zip.repack(str(probe_zip), str(served), str(served), ["zprobe_hot.py", "zprobe_pkg/__init__.py"])

    assert added == 2
    with zipfile.ZipFile(served) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert archive.read("zprobe_data.txt") == b"not python"
    assert {name for name, info in infos.items() if info.compress_type == zipfile.ZIP_STORED} == {
        "zprobe_hot.py",
        "zprobe_hot.pyc",
        "zprobe_pkg/__init__.py",
        "zprobe_pkg/__init__.pyc",
    }
    assert infos["zprobe_cold.py"].compress_type == zipfile.ZIP_DEFLATED

    hot = _import_from(served, "zprobe_hot")
    assert getattr(hot, "__file__", "").endswith("zprobe_hot.pyc")  # the bytecode was used, not the source
    with pytest.raises(ValueError) as raised:
        hot.boom()  # type: ignore[attr-defined]
    text = "".join(traceback.format_exception(raised.value))
    assert f'File "{served}/zprobe_hot.py", line 2, in boom' in text
    assert "raise ValueError('from the hot module')" in text  # linecache found the source in the zip
    assert _import_from(served, "zprobe_pkg").NAME == "package"
    assert getattr(_import_from(served, "zprobe_cold"), "__file__", "").endswith("zprobe_cold.py")


def test_repack_refuses_a_module_the_stock_zip_lacks(probe_zip: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="zprobe_gone.py"):
        stdlib_zip.repack(str(probe_zip), str(tmp_path / "out.zip"), "/lib/x.zip", ["zprobe_gone.py"])


def test_zip_imported_lists_only_modules_zipimport_loaded_from_that_archive(probe_zip: Path) -> None:
    _import_from(probe_zip, "zprobe_cold")
    _import_from(probe_zip, "zprobe_pkg")

    members = stdlib_zip.zip_imported(str(probe_zip))

    assert members == {"zprobe_cold.py", "zprobe_pkg/__init__.py"}
    assert stdlib_zip.zip_imported("/elsewhere.zip") == set()
