"""`make dist` (server/dist.py, scripts/dist.py): the same settings give the same files, the console is off unless
asked for, and the nginx block is one Debian's nginx accepts."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from server.app import app_csp
from server.dist import Dist
from server.settings import RUNTIME_ID, ClientSettings, Settings
from tests import ROOT


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def test_a_build_is_complete_and_the_same_twice(tmp_path: Path) -> None:
    settings = replace(Settings(), base_path="/apps/placeos-py/")
    dist = Dist(tmp_path / "dist", settings, app_csp(settings))
    dist.build()
    first = digest(tmp_path / "dist")
    for name in (
        "index.html",
        "app.zip",
        "app-config.json",
        "static/boot.js",
        "static/callback.html",
        f"pyodide/{RUNTIME_ID}/pyodide.asm.wasm",
        "nginx/placeos-app.conf",
        "index.html.gz",
        "index.html.br",
        "static/boot.js.br",
        "sw.js",
    ):
        assert name in first, name
    dist.build()
    assert digest(tmp_path / "dist") == first  # idempotent: a rebuild changes nothing
    assert 'data-runtime="pyodide/' in (tmp_path / "dist" / "index.html").read_text()


def test_the_command_takes_serve_py_s_flags_and_leaves_the_console_off(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "dist.py"),
            "--out",
            str(out),
            "--base-path",
            "apps/board",
            "--kiosk",
            "--storage",
            "local",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "for /apps/board/" in run.stdout
    config = (out / "app-config.json").read_text()
    assert '"console": false' in config and '"kiosk": true' in config and '"storage": "local"' in config
    with_console = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "dist.py"), "--out", str(out), "--console"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert with_console.returncode == 0 and '"console": true' in (out / "app-config.json").read_text()


def test_debians_nginx_accepts_the_server_block(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: `make test` installs it (scripts/ensure_nginx.py)"
    settings = replace(
        Settings(),
        base_path="/apps/placeos-py/",
        placeos_upstream="https://127.0.0.1:8443",  # nginx resolves it at load: no DNS here
        client=ClientSettings(console=False),
    )
    dist = Dist(tmp_path / "dist", settings, app_csp(settings))
    dist.build()
    block = tmp_path / "dist" / "nginx" / "placeos-app.conf"
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(
        "load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;\n"
        f"pid {prefix}/nginx.pid; error_log {prefix}/error.log; events {{}}\n"
        f"http {{ access_log off; include {block}; }}\n"
    )
    checked = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(prefix)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = block.read_text()
    assert "location ^~ /api/" in text and "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Host 127.0.0.1:8443;" in text
    assert "\n    brotli_static on;" in text and "gzip_static on;" in text
    without = Dist(tmp_path / "plain", settings, app_csp(settings), brotli=False).server_block()
    assert "\n    brotli_static on;" not in without  # for an nginx without the module
