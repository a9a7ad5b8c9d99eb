"""The server as one aiohttp application: static serving, and the stand-in PlaceOS or the proxy to a real one.

serve.py is only its command line; the tests and the benchmark build the same application from Settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web

from .devpages import DevPages
from .errors import StartupError
from .settings import Settings
from .static import setup_static
from .web import content_security_policy, security_headers
from .wheels import setup_wheels


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def client_config(settings: Settings) -> dict[str, object]:
    """What the browser app is told at /app-config.json. Absent values are derived in the app, as PlaceOS does;
    a developer's pages and reload on save are serve.py's alone (server/devpages.py)."""
    config: dict[str, object] = dict(settings.client.as_json())
    if settings.pages_dir is not None:
        config["pages"] = "_pages/"
    if settings.reload:
        config["reload"] = True
    return config


def app_csp(settings: Settings) -> str:
    """The page's CSP for these settings: serve.py sends it, and the production build's nginx block."""
    placeos = [settings.client.placeos_base] if settings.client.placeos_base else []
    # The live-state websocket goes to PlaceOS's origin under ws(s): ('self' covers it on the app's own origin).
    websockets = ["ws" + base.removeprefix("http") for base in placeos]
    # form-action also governs the redirects after a form post: the login page's post ends at an app's
    # redirect URI, which may be on another origin.
    redirect_origins = sorted(
        {origin_of(uri) for uri in (*settings.extra_redirect_uris, settings.redirect_uri)} - {settings.origin}
    )
    return content_security_policy(
        connect_origins=placeos + websockets,
        frame_origins=placeos,
        form_origins=placeos + redirect_origins,
        image_origins=placeos,  # rooms' pictures, where PlaceOS keeps its uploads
    )


def create_app(settings: Settings, clock: Callable[[], float] = time.time) -> web.Application:
    if not (settings.runtime_dir / "pyodide.asm.wasm").exists():
        raise StartupError(
            f"the Pyodide runtime is missing from {settings.runtime_dir}: run `make setup` "
            "(or `python scripts/fetch_runtime.py`) first"
        )
    csp = app_csp(settings)
    app = web.Application(middlewares=[security_headers(csp)])
    setup_static(app, settings, lambda: client_config(settings), csp)
    setup_wheels(app, settings.wheels_dir, settings.base_path)
    if settings.pages_dir is not None or settings.reload:
        DevPages(settings.root, settings.pages_dir, settings.reload).add_to(app, settings.base_path)
    if settings.placeos_upstream:
        from .proxy import setup_proxy

        setup_proxy(app, settings)
    else:
        from .standin.wiring import setup_standin

        setup_standin(app, settings, clock)
    return app


__all__ = ["app_csp", "client_config", "create_app", "origin_of"]
