"""Static serving: MIME types, caching, gzip, security headers, path traversal, and serve.py's start-up errors."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import brotli
import pytest

from server.app import create_app
from server.assets import FINGERPRINTED
from server.errors import StartupError
from server.settings import RUNTIME_ID, Settings
from server.static import safe_child
from tests import ROOT

RUNTIME = f"/pyodide/{RUNTIME_ID}"


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> Any:
    return await aiohttp_client(create_app(replace(Settings(), data_path=tmp_path / "db.sqlite3")))


async def test_index_is_served_with_strict_security_headers(client: Any) -> None:
    response = await client.get("/")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'wasm-unsafe-eval'" in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"]
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/", "/static/boot.js", "/static/app.css", "/static/boot-cache.mjs"])
async def test_the_page_and_its_loader_go_gzipped_to_a_browser_that_takes_it_and_still_revalidate(
    client: Any, path: str
) -> None:
    plain = await client.get(path, headers={"Accept-Encoding": "identity"}, auto_decompress=False)
    page = await plain.read()
    assert "Content-Encoding" not in plain.headers and page
    packed = await client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"}, auto_decompress=False)
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    body = await packed.read()
    assert gzip.decompress(body) == page and len(body) < len(page) / 2
    again = await client.get(path, headers={"If-None-Match": packed.headers["ETag"], "Accept-Encoding": "gzip"})
    assert again.status == 304
    archive = await client.get("/app.zip", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert "Content-Encoding" not in archive.headers  # deflated inside already


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("pyodide.asm.wasm", "application/wasm"),
        ("pyodide.mjs", "text/javascript; charset=utf-8"),
        ("pyodide.asm.mjs", "text/javascript; charset=utf-8"),
        ("python_stdlib.zip", "application/zip"),
        ("pyodide-lock.json", "application/json"),
        ("micropip-0.11.1-py3-none-any.whl", "application/zip"),
    ],
)
async def test_runtime_files_have_explicit_types_and_immutable_caching(
    client: Any, path: str, content_type: str
) -> None:
    response = await client.get(f"{RUNTIME}/{path}", headers={"Accept-Encoding": "identity"})
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),  # what Chromium sends, even over plain http
        ("gzip, deflate", "gzip", gzip.decompress),
    ],
)
@pytest.mark.parametrize(("path", "most"), [("pyodide.asm.wasm", 3_600_000), ("python_stdlib.zip", 3_800_000)])
async def test_large_runtime_files_go_compressed_in_the_best_encoding_the_client_accepts(
    client: Any, accept: str, encoding: str, decode: Callable[[bytes], bytes], path: str, most: int
) -> None:
    response = await client.get(f"{RUNTIME}/{path}", headers={"Accept-Encoding": accept}, auto_decompress=False)
    body = await response.read()
    assert response.headers["Content-Encoding"] == encoding
    assert response.headers["Vary"] == "Accept-Encoding"
    assert len(body) < most
    assert decode(body) == (Settings().runtime_dir / path).read_bytes()


async def test_lockfile_lists_only_the_wheels_served_with_their_real_hashes(client: Any) -> None:
    import hashlib

    lock = await (await client.get(f"{RUNTIME}/pyodide-lock.json")).json()
    assert set(lock["packages"]) == {"micropip"}
    entry = lock["packages"]["micropip"]
    wheel = await (await client.get(f"{RUNTIME}/{entry['file_name']}")).read()
    assert hashlib.sha256(wheel).hexdigest() == entry["sha256"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../serve.py",
        "/static/%2e%2e/serve.py",
        "/static/..%2fserve.py",
        "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        f"{RUNTIME}/../../../serve.py",
        f"{RUNTIME}/%2e%2e/%2e%2e/%2e%2e/README.md",
        f"{RUNTIME}/.complete",
        "/static/",
        "/static/.",
        f"{RUNTIME}/",
        "/app/main.py",
        "/server/settings.py",
    ],
)
async def test_paths_outside_the_served_folders_and_directories_are_refused(client: Any, path: str) -> None:
    response = await client.get(path, allow_redirects=False)
    assert response.status == 404


def test_safe_child_refuses_escapes_hidden_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "ok.css").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path.parent / "outside.css").write_text("x")
    assert safe_child(tmp_path, "ok.css") == (tmp_path / "ok.css").resolve()
    for bad in ["", "../outside.css", "sub", "sub/", ".hidden", "sub/../ok.css", "a\\b", "ok.css\x00"]:
        assert safe_child(tmp_path, bad) is None, bad


async def test_app_zip_holds_the_app_package_and_revalidates_by_etag(client: Any) -> None:
    response = await client.get("/app.zip")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-cache"
    names = zipfile.ZipFile(BytesIO(await response.read())).namelist()
    assert "app/__init__.py" in names and "app/main.py" in names
    assert not [n for n in names if "__pycache__" in n or not n.startswith("app/")]
    again = await client.get("/app.zip", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    assert await again.read() == b""


async def test_static_assets_revalidate_by_etag(client: Any) -> None:
    first = await client.get("/static/boot.js")
    assert first.headers["Content-Type"] == "text/javascript; charset=utf-8"
    again = await client.get("/static/boot.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status == 304


async def test_the_page_links_the_loader_s_files_by_content_hash_and_only_that_address_is_immutable(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "index.html", site / "index.html")
    shutil.copytree(ROOT / "static", site / "static")
    shutil.copytree(ROOT / "app", site / "app", ignore=shutil.ignore_patterns("__pycache__"))
    client = await aiohttp_client(create_app(replace(Settings(), data_path=tmp_path / "db", root=site)))

    async def linked() -> dict[str, str]:
        page = await (await client.get("/")).text()
        found = re.findall(r'(?:href|src|data-boot-[a-z]+)="(static/[^"?]+)\?v=([0-9a-f]{16})"', page)
        return dict(found)

    versions = await linked()
    assert set(versions) == {f"static/{name}" for name in FINGERPRINTED}
    for path, version in versions.items():
        assert version == hashlib.sha256((site / path).read_bytes()).hexdigest()[:16]
        response = await client.get(f"/{path}?v={version}")
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert await response.read() == (site / path).read_bytes()
        for other in (f"/{path}", f"/{path}?v=0000000000000000", f"/{path}?v="):  # an old page's, a typed one
            assert (await client.get(other)).headers["Cache-Control"] == "no-cache", other

    # An edit is a new address on the next page, and the old address is no longer kept for good.
    boot = site / "static" / "boot.js"
    boot.write_text(boot.read_text() + "\n// edited\n")
    again = await linked()
    assert again["static/boot.js"] != versions["static/boot.js"]
    assert again["static/app.css"] == versions["static/app.css"]
    stale = await client.get(f"/static/boot.js?v={versions['static/boot.js']}")
    assert stale.headers["Cache-Control"] == "no-cache"


async def test_app_config_is_json_with_the_client_settings(client: Any) -> None:
    config = await (await client.get("/app-config.json")).json()
    assert config["scope"] == "public"
    assert config["storage"] == "session"
    assert config["placeos_base"] == ""


def test_serve_refuses_to_start_without_the_runtime(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="make setup"):
        create_app(replace(Settings(), runtime_dir=tmp_path, data_path=tmp_path / "db.sqlite3"))


def test_serve_exits_with_a_clear_message_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "serve.py", "--port", str(port), "--data", str(tmp_path / "db.sqlite3")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr


def test_serve_prints_the_url_demo_credentials_and_registration(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "serve.py",
            "--port",
            "0",
            "--data",
            str(tmp_path / "db.sqlite3"),
            "--demo-email",
            "me@example.com",
            "--demo-password",
            "pw-123",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
    finally:
        process.terminate()
        process.communicate(timeout=10)
    url = lines[0].split(" on ")[1].strip()
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0/")
    assert "me@example.com / pw-123" in lines[2]
    from app.core.config import derive_client_id

    assert f"client_id={derive_client_id(url)} redirect_uri={url}" in lines[3]


def test_access_log_target_keeps_secrets_out() -> None:
    from server.web import redact_target

    target = "/api/engine/v2/systems?bearer_token=SECRET1&limit=5&q=board"
    assert redact_target(target) == "/api/engine/v2/systems?bearer_token&limit=5&q"
    login = "/login?continue=%2Fauth%2Foauth%2Fauthorize%3Fstate%3DSECRET2"
    assert "SECRET2" not in redact_target(login)
    assert redact_target("/auth/oauth/revoke") == "/auth/oauth/revoke"


def test_access_log_lines_never_hold_a_bearer_token(caplog: Any) -> None:
    import logging
    from types import SimpleNamespace

    from server.web import RedactingAccessLogger, access_logger

    caplog.set_level(logging.INFO, logger="serve.access")
    request = SimpleNamespace(
        remote="127.0.0.1", method="GET", raw_path="/api/engine/v2/users/current?bearer_token=tok-S3"
    )
    RedactingAccessLogger(access_logger, "").log(request, SimpleNamespace(status=200), 0.001)  # type: ignore[arg-type]
    assert "tok-S3" not in caplog.text
    assert '"GET /api/engine/v2/users/current?bearer_token" 200' in caplog.text


def test_the_loader_learns_pythons_storage_keys_and_markers_from_the_page_and_holds_no_copy() -> None:
    import html
    import json

    from app.api.early_answers import MAX_EARLY
    from app.auth.oauth import RESPONSE_MARKERS, RESPONSE_PARAMS
    from app.auth.session import PAGE_KEY, PAINTED_KEY, SIGNED_IN_KEY, SIGNED_OUT_KEY, TOKEN_KEY
    from server.static import render_index

    page = render_index((ROOT / "index.html").read_text(), Settings())
    attributes = {name: html.unescape(value) for name, value in re.findall(r'(data-[a-z-]+)="([^"]*)"', page)}
    assert json.loads(attributes["data-keys"]) == {
        "token": TOKEN_KEY,
        "page": PAGE_KEY,
        "board": PAINTED_KEY,
        "signedInUntil": SIGNED_IN_KEY,
        "signedOut": SIGNED_OUT_KEY,
    }
    assert set(attributes["data-markers"].split()) == RESPONSE_MARKERS
    assert set(attributes["data-response-params"].split()) == RESPONSE_PARAMS
    assert attributes["data-max-early"] == str(MAX_EARLY)
    loader = "".join((ROOT / "static" / name).read_text() for name in ("boot.js", "boot-start.mjs", "boot-shell.mjs"))
    for python_name in (TOKEN_KEY, PAGE_KEY, PAINTED_KEY, SIGNED_IN_KEY, SIGNED_OUT_KEY, '"access_token"'):
        assert python_name not in loader, f"static/ repeats {python_name}: it reaches the loader through the page"
