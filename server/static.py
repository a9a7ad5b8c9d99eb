"""Static serving: the page shell, the app's Python as one zip, and the pinned Pyodide runtime.

Caching follows what changes: the runtime lives under a versioned path and is immutable; the loader and its CSS
are linked from the page with their content's hash (`static/boot.js?v=…`) and are immutable under that address,
so a returning visit starts without waiting for a 304 on its critical path; the page, the app's code and its
configuration are revalidated on every load by ETag, so an edit shows on the next reload.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from html import escape
from pathlib import Path

from aiohttp import web
from aiohttp.web_response import ContentCoding

from app.api.early_answers import MAX_EARLY
from app.auth.oauth import RESPONSE_MARKERS, RESPONSE_PARAMS
from app.auth.session import PAGE_KEY, PAINTED_KEY, SIGNED_IN_KEY, SIGNED_OUT_KEY, TOKEN_KEY

from .assets import asset_url, fingerprint
from .first_screen import first_screen_html
from .settings import RUNTIME_ID, SNAPSHOT_IMPORTS, Settings
from .shell import WORKER_SOURCE, shell_for
from .web import CALLBACK_CSP

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Explicit, never guessed: a .wasm served as anything but application/wasm makes Pyodide hang without an error.
MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}


def safe_child(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None if it escapes root, is hidden, or is not a regular file."""
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    try:
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
            return None
    except (OSError, ValueError):  # a name too long for the file system (ENAMETOOLONG), and the like: not here
        return None
    return candidate


def loader_data() -> dict[str, str]:
    """What the loader (static/boot.js) must know of Python's own names, so that it holds no copy of them: the
    storage keys it reads before Python is up, an authorization response's parameter names, how many requests it
    may ask for early."""
    keys = {
        "token": TOKEN_KEY,
        "page": PAGE_KEY,
        "board": PAINTED_KEY,
        "signedInUntil": SIGNED_IN_KEY,
        "signedOut": SIGNED_OUT_KEY,
    }
    return {
        "data-keys": json.dumps(keys, separators=(",", ":")),
        "data-markers": " ".join(sorted(RESPONSE_MARKERS)),
        "data-response-params": " ".join(sorted(RESPONSE_PARAMS)),
        "data-max-early": str(MAX_EARLY),
    }


def render_index(template: str, settings: Settings) -> str:
    """index.html with what the loader must know filled in: the runtime build's URL, the snapshot's imports,
    Python's storage keys and response markers, whether it registers the offline app shell's worker
    (server/shell.py), the fingerprinted addresses of the loader's files, and a first visit's sign-in card
    (server/first_screen.py; a kiosk signs in by itself, so its page has none)."""
    card = "" if settings.client["kiosk"] else first_screen_html()
    static_root = settings.root / "static"
    page = (
        template.replace('href="static/app.css"', f'href="{asset_url(static_root, "app.css")}"')
        .replace('src="static/boot.js"', f'src="{asset_url(static_root, "boot.js")}"')
        .replace('href="static/boot-start.mjs"', f'href="{asset_url(static_root, "boot-start.mjs")}"')
        .replace('data-boot-start=""', f'data-boot-start="{asset_url(static_root, "boot-start.mjs")}"')
        .replace('data-boot-shell=""', f'data-boot-shell="{asset_url(static_root, "boot-shell.mjs")}"')
        .replace('data-boot-cache=""', f'data-boot-cache="{asset_url(static_root, "boot-cache.mjs")}"')
        .replace('data-runtime=""', f'data-runtime="pyodide/{RUNTIME_ID}/"')
        .replace('data-snapshot-imports=""', f'data-snapshot-imports="{" ".join(SNAPSHOT_IMPORTS)}"')
        .replace('data-service-worker=""', f'data-service-worker="{WORKER_SOURCE if settings.offline_shell else ""}"')
        .replace('data-first-screen=""', f'data-first-screen="{"1" if card else ""}"')
        .replace(
            '<div id="first-screen"></div>',
            f'<div id="first-screen">{card}</div>',
        )
    )
    for name, value in loader_data().items():
        page = page.replace(f'{name}=""', f'{name}="{escape(value, quote=True)}"')
    return page


def file_response(path: Path, cache_control: str) -> web.FileResponse:
    content_type = MIME_TYPES.get(path.suffix)
    if content_type is None:
        raise web.HTTPNotFound()
    # FileResponse serves a `name.gz` sibling by itself when the client accepts gzip, and answers
    # If-None-Match with 304 from its own ETag.
    return web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": cache_control})


class AppBundle:
    """app/**/*.py as one zip, rebuilt only when a source file changes, with a content ETag.

    The page fetches it in parallel with the Pyodide boot and unpacks it: no build step, no per-file requests.
    """

    def __init__(self, source: Path) -> None:
        self._source = source
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._body = b""
        self.etag = ""

    def _files(self) -> list[Path]:
        return sorted(p for p in self._source.rglob("*.py") if "__pycache__" not in p.parts)

    def current(self) -> tuple[bytes, str]:
        files = self._files()
        signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        if signature != self._signature:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    info = zipfile.ZipInfo(str(path.relative_to(self._source.parent)), (2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())
            self._body = buffer.getvalue()
            self.etag = hashlib.sha256(self._body).hexdigest()[:32]
            self._signature = signature
        return self._body, self.etag


def _revalidated(
    request: web.Request, body: bytes, etag: str, content_type: str, cache_control: str = REVALIDATE
) -> web.Response:
    quoted = f'"{etag}"'
    headers = {"ETag": quoted, "Cache-Control": cache_control}
    if quoted in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    response = web.Response(body=body, headers={**headers, "Content-Type": content_type, "Vary": "Accept-Encoding"})
    # Text goes gzipped (every browser takes it); app.zip is deflated already.
    compressible = content_type.startswith(("text/", "application/json", "image/svg"))
    if compressible and "gzip" in request.headers.get("Accept-Encoding", ""):
        response.enable_compression(ContentCoding.gzip)
    return response


def setup_static(
    app: web.Application, settings: Settings, client_config: Callable[[], dict[str, object]], csp: str
) -> None:
    # Long on purpose: every address of the app and its handler, a few lines each, read as one list.
    root = settings.root
    static_root = root / "static"
    runtime_root = settings.runtime_dir
    bundle = AppBundle(root / "app")

    def index_body() -> bytes:
        return render_index((root / "index.html").read_text(), settings).encode()

    def config_body() -> bytes:
        return json.dumps(client_config(), sort_keys=True).encode()

    async def index(request: web.Request) -> web.StreamResponse:
        body = index_body()
        return _revalidated(request, body, hashlib.sha256(body).hexdigest()[:32], "text/html; charset=utf-8")

    async def worker(request: web.Request) -> web.StreamResponse:
        # Made on each request from what is on disk now, so an edit makes a new build, as a deploy does.
        shell = shell_for(
            index_body(), csp, config_body(), bundle.current()[1], static_root, enabled=settings.offline_shell
        )
        body = shell.worker((static_root / WORKER_SOURCE).read_text())
        return _revalidated(request, body, hashlib.sha256(body).hexdigest()[:32], "text/javascript; charset=utf-8")

    async def static(request: web.Request) -> web.StreamResponse:
        path = safe_child(static_root, request.match_info["path"])
        if path is None or path == static_root.resolve() / WORKER_SOURCE:  # served at <base>sw.js only
            raise web.HTTPNotFound()
        content_type = MIME_TYPES.get(path.suffix)
        if content_type is None:
            raise web.HTTPNotFound()
        body = path.read_bytes()  # small text files, read whole so that they can go gzipped
        version = fingerprint(body)
        # Immutable only under the address the page links (its content's hash); under any other, an old page's
        # or a hand-typed one, revalidated, so no address keeps a stale copy for a year.
        cache = IMMUTABLE if request.query.get("v") == version else REVALIDATE
        response = _revalidated(request, body, version, content_type, cache)
        if path.name == "callback.html":  # framed by the app's own renewals, and by nothing else
            response.headers["Content-Security-Policy"] = CALLBACK_CSP
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    async def runtime(request: web.Request) -> web.StreamResponse:
        path = safe_child(runtime_root, request.match_info["path"])
        if path is None:
            raise web.HTTPNotFound()
        return file_response(path, IMMUTABLE)

    async def app_zip(request: web.Request) -> web.StreamResponse:
        body, etag = bundle.current()
        return _revalidated(request, body, etag, "application/zip")

    async def app_config(request: web.Request) -> web.StreamResponse:
        body = config_body()
        return _revalidated(request, body, hashlib.sha256(body).hexdigest()[:32], "application/json")

    base = settings.base_path  # "/" or "/apps/placeos-py/": everything of the app lives under it

    async def home(request: web.Request) -> web.StreamResponse:
        # Relative URLs (the runtime, the archive, static/) only resolve from the base path, ending in "/".
        raise web.HTTPMovedPermanently(base)

    app.router.add_get(base, index)
    app.router.add_get(base + "index.html", home)
    if base != "/":
        app.router.add_get(base.rstrip("/"), home)
        app.router.add_get("/", home)
    app.router.add_get(base + "static/{path:.+}", static)
    app.router.add_get(f"{base}pyodide/{RUNTIME_ID}/{{path:.+}}", runtime)
    app.router.add_get(base + "app.zip", app_zip)
    app.router.add_get(base + "app-config.json", app_config)
    app.router.add_get(base + WORKER_SOURCE, worker)
