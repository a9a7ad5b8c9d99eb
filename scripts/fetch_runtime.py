"""Fetch the Pyodide runtime and the micropip wheel from the package registries and build what we serve.

Idempotent: when the build for the current recipe is present it returns at once. Nothing here is ever fetched
from a CDN; npm and PyPI are the only sources, and every file is checked against a pinned hash before it is used.

What is served differs from the npm package in two ways, both for start-up speed, neither in behaviour:
- python_stdlib.zip carries bytecode beside the source of every module Pyodide and the app import while they
  start (made by Pyodide's own CPython under Node: scripts/stdlib_zip.py), and is stored uncompressed for HTTP;
- the large files get brotli and gzip siblings, which aiohttp's FileResponse serves by the client's
  Accept-Encoding (brotli: wasm 9.6 MB -> 2.77 MB, where gzip gave 3.53 MB).
The build lives under .runtime/pyodide/<runtime id>/ and is served at /pyodide/<runtime id>/ as immutable: the id
hashes the recipe, so a changed recipe is a new URL, and no browser mixes files (or a start-up snapshot) of two
builds.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import brotli

PYODIDE_VERSION = "314.0.7"
# Files taken from the npm package `pyodide@PYODIDE_VERSION`, with the sha256 each must have.
PYODIDE_FILES = {
    "pyodide.mjs": "6f1d60f7bf529beb300f0f47983c921d3982363640ba20af0e38efdddbc66109",
    "pyodide.asm.mjs": "f7cdc8ece80678ceb712f8e65ebe6d3a83203a180c399865f49612a051693635",
    "pyodide.asm.wasm": "cc36e3cab04fdfc9a63ff13eb52eae2b911bf46c025cc7b281f394bd3de1d5e6",
    "python_stdlib.zip": "fa1957e5777068fc4f7437f96d860ae2fbe9c19732ba06c84e004ec16dd7dd7a",
}
# The stock lockfile is read (never served): our own lockfile is derived from it.
STOCK_LOCK_SHA256 = "5dc2fc119108bc148c7457dc86e7675b5c87e1cafd420b9c34c1eaef7b36c010"
MICROPIP_VERSION = "0.11.1"
MICROPIP_WHEEL = f"micropip-{MICROPIP_VERSION}-py3-none-any.whl"
MICROPIP_SHA256 = "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3"
# Stdlib modules the app imports by the time its first screen is up and its first API request is made, and when it
# saves its own bytecode after start-up (app/bytecode.py), on top of those Pyodide's start-up imports: their
# bytecode is built too. A browser test (test_boot_browser) fails, naming the module, when the app starts
# importing one that is not compiled ahead.
APP_IMPORTS = (
    "asyncio",
    "base64",
    "collections",
    "dataclasses",
    "encodings.cp437",  # zipfile decodes app.zip's member names with it
    "hashlib",
    "hmac",
    "json",
    "logging",
    "py_compile",
    "pyodide.http",
    "random",
    "re",
    "secrets",
    "time",
    "typing",
)
# Files worth compressed siblings (the micropip wheel is a zip of deflated members already).
COMPRESS_SUFFIXES = (".wasm", ".mjs", ".json", ".zip")
BROTLI = {"quality": 11, "lgwin": 24}
# Bump when the build steps below change in a way recipe() does not show (it hashes stdlib_zip.py itself).
BUILD_REVISION = 1

ROOT = Path(__file__).resolve().parent.parent
RUNTIMES = ROOT / ".runtime" / "pyodide"
STDLIB_TOOL = ROOT / "scripts" / "stdlib_zip.py"


def recipe() -> dict[str, object]:
    """Everything the served build depends on: the inputs' hashes and how they are transformed."""
    return {
        "pyodide": PYODIDE_VERSION,
        "files": PYODIDE_FILES,
        "stock_lock": STOCK_LOCK_SHA256,
        "micropip": MICROPIP_SHA256,
        "app_imports": list(APP_IMPORTS),
        "brotli": BROTLI,
        "stdlib_zip.py": hashlib.sha256(STDLIB_TOOL.read_bytes().replace(b"\r\n", b"\n")).hexdigest(),
        "revision": BUILD_REVISION,
    }


def runtime_id() -> str:
    """The build's name in paths and URLs: the Pyodide version and a hash of the recipe."""
    digest = hashlib.sha256(json.dumps(recipe(), sort_keys=True).encode()).hexdigest()
    return f"{PYODIDE_VERSION}-{digest[:8]}"


DEFAULT_DEST = RUNTIMES / runtime_id()


class FetchError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path: Path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise FetchError(f"{path.name}: sha256 {actual} does not match the pinned {expected}")


def build_lockfile(stock: dict[str, object], served_wheels: dict[str, Path]) -> dict[str, object]:
    """Keep only the packages we serve, with the hashes of the wheels we actually serve.

    Pyodide rebuilds wheels, so the stock lockfile's hashes do not match the PyPI wheels and the integrity
    check in loadPackage would fail.
    """
    packages = stock["packages"]
    assert isinstance(packages, dict)
    kept: dict[str, object] = {}
    for name, wheel in served_wheels.items():
        entry = dict(packages[name])
        entry["file_name"] = wheel.name
        entry["sha256"] = sha256_of(wheel)
        entry["depends"] = [dep for dep in entry.get("depends", []) if dep in served_wheels]
        kept[name] = entry
    return {"info": stock["info"], "packages": kept}


def is_complete(dest: Path) -> bool:
    stamp = dest / ".complete"
    if not stamp.exists():
        return False
    try:
        return json.loads(stamp.read_text()) == recipe() and all(
            (dest / name).exists() for name in [*PYODIDE_FILES, MICROPIP_WHEEL, "pyodide-lock.json"]
        )
    except ValueError:
        return False


def _run(cmd: list[str], cwd: Path) -> str:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def fetch(dest: Path) -> None:
    # Long on purpose: the set-up's steps in the order they run, each checked before the next.
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        print(f"fetching pyodide@{PYODIDE_VERSION} from the npm registry (npm ci: package-lock.json)", flush=True)
        # package-lock.json pins the tarball's integrity; the sha256 pins below pin each file we take from it.
        _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT)
        (tmp / "package").mkdir()
        for name in [*PYODIDE_FILES, "pyodide-lock.json"]:
            shutil.copy2(ROOT / "node_modules" / "pyodide" / name, tmp / "package" / name)
        for name, expected in PYODIDE_FILES.items():
            _check(tmp / "package" / name, expected)
        _check(tmp / "package" / "pyodide-lock.json", STOCK_LOCK_SHA256)

        print(f"fetching micropip {MICROPIP_VERSION} from PyPI", flush=True)
        # micropip needs Python >= 3.13: ask pip for the wheel as Pyodide's Python would see it.
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.14",
                "--dest",
                str(tmp),
                f"micropip=={MICROPIP_VERSION}",
            ],
            cwd=tmp,
        )
        _check(tmp / MICROPIP_WHEEL, MICROPIP_SHA256)

        staging = dest.with_name(dest.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in PYODIDE_FILES:
            if name != "python_stdlib.zip":
                shutil.copy2(tmp / "package" / name, staging / name)
        shutil.copy2(tmp / MICROPIP_WHEEL, staging / MICROPIP_WHEEL)
        stock = json.loads((tmp / "package" / "pyodide-lock.json").read_text())
        lock = build_lockfile(stock, {"micropip": staging / MICROPIP_WHEEL})
        (staging / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))

        # Brotli at quality 11 takes ~34 s for the wasm alone: it runs beside the stdlib's build (Node, one core),
        # and the stdlib zip is compressed once it exists.
        print("compressing (brotli and gzip), beside pre-compiling the stdlib with Pyodide's Python", flush=True)
        ready = sorted(
            (path for path in staging.iterdir() if path.suffix in COMPRESS_SUFFIXES),
            key=lambda path: -path.stat().st_size,
        )
        with ProcessPoolExecutor(max_workers=2) as pool:
            compressed = [pool.submit(compress_siblings, path) for path in ready]
            build_stdlib(tmp, staging / "python_stdlib.zip")
            compressed.append(pool.submit(compress_siblings, staging / "python_stdlib.zip"))
            for job in compressed:
                job.result()
        (staging / ".complete").write_text(json.dumps(recipe()))
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
    if dest.parent == RUNTIMES:  # earlier builds: nothing serves them any more
        for old in RUNTIMES.iterdir():
            if old != dest and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)


def build_stdlib(tmp: Path, out: Path) -> None:
    """Run scripts/stdlib_zip.py inside the fetched Pyodide under Node: its bytecode must be CPython 3.14's."""
    node = shutil.which("node")
    if node is None:
        raise FetchError("Node.js is needed to prepare the runtime (it runs Pyodide once); install nodejs")
    work = tmp / "stdlib-build"
    (work / "tool").mkdir(parents=True)
    shutil.copy2(STDLIB_TOOL, work / "tool" / "stdlib_zip.py")
    shutil.copy2(tmp / "package" / "python_stdlib.zip", work / "stock.zip")
    code = (
        "import sys; sys.path.insert(0, '/work/tool'); import stdlib_zip; "
        f"stdlib_zip.main('/work/stock.zip', '/work/python_stdlib.zip', {list(APP_IMPORTS)!r})"
    )
    runner = ROOT / "scripts" / "run_in_pyodide.mjs"
    print(_run([node, str(runner), str(tmp / "package"), str(work), code], cwd=tmp).strip())
    shutil.move(work / "python_stdlib.zip", out)
    out.chmod(0o644)


def compress_siblings(path: Path) -> None:
    data = path.read_bytes()
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
    path.with_name(path.name + ".br").write_bytes(brotli.compress(data, **BROTLI))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--force", action="store_true", help="fetch again even if the runtime is complete")
    args = parser.parse_args(argv)
    if not args.force and is_complete(args.dest):
        return 0
    try:
        fetch(args.dest)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"pyodide runtime ready in {args.dest.relative_to(ROOT) if args.dest.is_relative_to(ROOT) else args.dest}")
    served = re.search(r'^RUNTIME_ID = "([^"]+)"', (ROOT / "server" / "settings.py").read_text(), re.MULTILINE)
    if served and served.group(1) != runtime_id():
        print(
            f"warning: this build is {runtime_id()} but server/settings.py serves {served.group(1)}: set RUNTIME_ID "
            f'there and RUNTIME in static/boot.js to "{runtime_id()}" (the recipe changed, so its URL must too)',
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
