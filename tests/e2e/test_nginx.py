"""The production build behind Debian's nginx (issue 12, items 1 to 3): `make dist` under a sub-path, nginx with
the generated server block in front of the stand-in as PlaceOS's nginx is in front of PlaceOS (/api, /auth and
/login proxied), and the browser story on it: sign in, list, reload, sign out; with serve.py's headers."""

from __future__ import annotations

import random
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from server.app import app_csp
from server.dist import Dist
from server.settings import RUNTIME_ID, ClientSettings, Settings
from server.web import CALLBACK_CSP
from tests.e2e.steps import BOOT, EMAIL, PASSWORD, wait_for_sign_in_screen
from tests.live import LiveServer

pytestmark = pytest.mark.browser
BASE = "/apps/placeos-py/"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    """A free port below Linux's ephemeral range (32768-60999): nginx binds it only after the stand-in has started,
    and a port the kernel handed out for port 0 could meanwhile go to that server or another worker's (a CI run saw
    nginx fail with "Address already in use")."""
    while True:
        port = random.randrange(20_000, 32_000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


BROTLI_MODULE = "load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;"


def main_conf(prefix: Path, server_block: Path) -> str:
    temp = " ".join(
        f"{kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{BROTLI_MODULE}
user root;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
    {temp}
    include {server_block};
}}
"""


@dataclass
class Production:
    url: str  # nginx's origin + the base path
    dist: Path
    settings: Settings
    nginx: subprocess.Popen[bytes]


def build(tmp: Path, upstream: str, port: int) -> tuple[Dist, Path]:
    settings = replace(
        Settings(),
        base_path=BASE,
        placeos_upstream=upstream,
        offline_shell=True,  # as `make dist` builds it
        client=ClientSettings(console=False),
    )
    dist = Dist(tmp / "dist", settings, app_csp(settings))
    dist.build()
    block = tmp / "dist" / "nginx" / "placeos-app.conf"
    block.write_text(dist.server_block(f"127.0.0.1:{port}"))
    return dist, block


@pytest.fixture
def production(server_factory: Any, tmp_path: Path) -> Iterator[Production]:
    assert Path(NGINX).exists(), "nginx is missing: `make test` installs it (scripts/ensure_nginx.py)"
    port = free_port()
    app_url = f"http://127.0.0.1:{port}{BASE}"
    standin: LiveServer = server_factory(client=ClientSettings(redirect_uri=app_url))  # PlaceOS, registered
    dist, block = build(tmp_path, standin.url.rstrip("/"), port)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, block))
    checked = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(prefix)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"])
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield Production(app_url, dist.out, dist.settings, process)
    finally:
        process.terminate()
        process.wait(10)


def test_the_build_behind_nginx_signs_in_lists_reloads_and_signs_out(page: Page, production: Production) -> None:
    origin = production.url.removesuffix(BASE)
    page.goto(origin + BASE.rstrip("/"))  # without the trailing slash: nginx sends the browser to the app
    assert page.url == production.url
    wait_for_sign_in_screen(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".system-row").first).to_be_visible(timeout=BOOT)
    assert page.url == production.url  # back at the app, under its base, the response scrubbed
    page.get_by_label("Search systems").fill("board")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".system-row").first).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Systems")).to_be_visible(timeout=BOOT)
    assert page.url == production.url + "?q=board" and page.get_by_label("Search systems").input_value() == "board"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible(timeout=BOOT)
    assert page.url == production.url
    assert page.get_by_role("button", name="Console").count() == 0  # off in a build unless configured


def test_nginx_sends_the_headers_serve_py_sends(page: Page, production: Production) -> None:
    index = page.request.get(production.url)
    assert index.headers["content-security-policy"] == app_csp(production.settings)
    assert "'unsafe-inline'" not in index.headers["content-security-policy"]
    assert index.headers["x-frame-options"] == "DENY" and index.headers["cache-control"] == "no-cache"
    assert index.headers["x-content-type-options"] == "nosniff" and index.headers["referrer-policy"] == "no-referrer"
    wasm = page.request.get(production.url + f"pyodide/{RUNTIME_ID}/pyodide.asm.wasm")
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.headers["cache-control"] == "public, max-age=31536000, immutable"
    archive = page.request.get(production.url + "app.zip")
    assert archive.headers["cache-control"] == "no-cache" and archive.headers.get("etag")
    assert archive.body() == (production.dist / "app.zip").read_bytes()
    config = page.request.get(production.url + "app-config.json", headers={"Accept-Encoding": "gzip"})
    assert config.json()["console"] is False
    loader = re.search(r'src="(static/boot\.js\?v=[0-9a-f]+)"', index.text())
    assert loader, "the page links its loader by content hash"
    linked = page.request.get(production.url + loader[1])
    assert linked.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert page.request.get(production.url + "static/boot.js").headers["cache-control"] == "no-cache"
    callback = page.request.get(production.url + "static/callback.html")
    assert callback.headers["content-security-policy"] == CALLBACK_CSP
    assert callback.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.request.get(production.url + "nginx/headers.conf").status == 404
    worker = page.request.get(production.url + "sw.js")  # the offline shell, scoped to the base path
    assert (
        worker.headers["content-type"].startswith("text/javascript") and worker.headers["cache-control"] == "no-cache"
    )
    assert worker.headers["content-security-policy"] == app_csp(production.settings)
    assert '"enabled": true' in worker.text() and page.request.get(production.url + "static/sw.js").status == 404


def test_with_nginx_down_the_build_starts_from_its_offline_shell(page: Page, production: Production) -> None:
    page.goto(production.url)
    wait_for_sign_in_screen(page)
    scope = page.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.ready;
          for (let i = 0; i < 300; i++) {
            if ((await caches.keys()).some((name) => name.startsWith('placeos-shell-'))) return registration.scope;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return null;
        }"""
    )
    assert scope == production.url
    production.nginx.terminate()
    production.nginx.wait(10)
    response = page.goto(production.url)
    assert response is not None and response.from_service_worker
    wait_for_sign_in_screen(page)


def head_of(production: Production, path: str, accept: str) -> bytes:
    origin = production.url.split(BASE)[0]
    host, port = origin.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: {accept}\r\nConnection: close\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
    return head.split(b"\r\n\r\n")[0]


@pytest.mark.parametrize("path", ["static/boot.js", "app-config.json", f"pyodide/{RUNTIME_ID}/pyodide.asm.wasm"])
def test_the_pre_compressed_copies_go_to_who_accepts_them(production: Production, path: str) -> None:
    assert b"Content-Encoding: br" in head_of(production, BASE + path, "gzip, br")
    assert b"Content-Encoding: gzip" in head_of(production, BASE + path, "gzip")
    assert b"Content-Encoding" not in head_of(production, BASE + path, "identity")
