"""Dev server: the app, the Pyodide runtime and, on the same origin, a stand-in PlaceOS (or a proxy to a real one).

python serve.py                      # http://127.0.0.1:8000/ with the stand-in
python serve.py --token-ttl 30       # tokens that expire in 30 s, to try expiry and re-auth
python serve.py --placeos https://placeos.example.com   # proxy /api, /auth, /login to a real PlaceOS
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import socket
import sys
from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from aiohttp import web

from app.core.config import LOOPBACK, SETTINGS
from server.app import create_app
from server.errors import StartupError
from server.faults import FaultError, Faults
from server.settings import ClientSettings, Settings
from server.standin.wiring import DEV_SECRET_HEADER
from server.web import RedactingAccessLogger, access_logger

log = logging.getLogger("serve")


def _add_app_settings(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("the app's configuration (served at /app-config.json)")
    for setting in SETTINGS:
        shown = setting.derived or f"{setting.default}"
        options: dict[str, Any] = {"dest": setting.key, "help": f"{setting.help} (default: {shown})"}
        if isinstance(setting.default, bool):
            # On by default (the console) comes with a --no- form to turn it off.
            action = argparse.BooleanOptionalAction if setting.default else "store_true"
            group.add_argument(setting.flag, action=action, default=setting.default, **options)
            continue
        options |= {"default": setting.default, "metavar": setting.metavar or None}
        if isinstance(setting.default, int):
            options["type"] = int
        if setting.choices:
            options |= {"choices": setting.choices, "metavar": None}
        group.add_argument(setting.flag, **options)


def _add_fault_switches(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("failure switches (also at POST /_dev/faults)")
    for switch in fields(Faults):
        options: dict[str, Any] = {"dest": switch.name, "help": switch.metadata["help"]}
        if switch.type == "bool":
            group.add_argument(switch.metadata["flag"], action="store_true", **options)
        else:
            kind = float if switch.type == "float" else int
            group.add_argument(switch.metadata["flag"], type=kind, default=switch.default, **options)
    group.add_argument(
        "--allow-remote-faults",
        action="store_true",
        help="keep the fault switches on when listening on a non-loopback address (off there by default)",
    )


def base_path(p: argparse.ArgumentParser, value: str) -> str:
    """/apps/placeos-py/ from "apps/placeos-py", "/apps/placeos-py" or "/apps/placeos-py/"; refused with a
    message for what is not a plain path (no query, fragment, dot segments or doubled slashes)."""
    path = "/" + value.strip("/") + "/" if value.strip("/") else "/"
    segments = path.strip("/").split("/") if path != "/" else []
    if any(not re.fullmatch(r"[A-Za-z0-9._~-]+", s) or s in (".", "..") for s in segments):
        p.error(f"--base-path must be a plain path such as /apps/placeos-py/, not {value!r}")
    return path


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    # Long on purpose: the server's own flags, declared in one place (the app's and the faults' come from tables).
    defaults = Settings()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default=defaults.host)
    p.add_argument("--port", type=int, default=defaults.port)
    p.add_argument("--data", type=Path, default=defaults.data_path, help="SQLite file of the stand-in")
    p.add_argument("--demo-email", default=defaults.demo_email)
    p.add_argument("--demo-password", default=defaults.demo_password)
    p.add_argument(
        "--systems", type=int, default=0, metavar="N", help="generate N systems instead of the fixture (e.g. 10000)"
    )
    p.add_argument("--placeos", metavar="URL", help="proxy to this PlaceOS instead of running the stand-in")
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let this origin call the stand-in API and token endpoints (repeatable)",
    )
    p.add_argument(
        "--redirect-uri-extra",
        action="append",
        default=[],
        metavar="URI",
        help="register another app redirect URI with the stand-in (repeatable)",
    )
    p.add_argument(
        "--strict-origin",
        action="store_true",
        help="refuse form posts whose Origin differs from the origin Rails would compute, as PlaceOS's auth does",
    )
    p.add_argument(
        "--realtime-speed",
        type=float,
        default=defaults.realtime_speed,
        metavar="X",
        help="how fast the stand-in's simulated day of meetings runs (1: real time; 60: an hour a minute)",
    )
    p.add_argument(
        "--base-path",
        default=defaults.base_path,
        metavar="PATH",
        help="serve the app under this path, as PlaceOS serves its apps (e.g. /apps/placeos-py/)",
    )
    p.add_argument(
        "--wheels",
        type=Path,
        default=defaults.wheels_dir,
        metavar="DIR",
        help="wheels micropip may install from the page's console (default: wheels/)",
    )
    p.add_argument(
        "--pages",
        type=Path,
        default=None,
        metavar="DIR",
        help="your own pages: each DIR/<name>.py at ?page=<name> and in the app's navigation (make run: pages/)",
    )
    p.add_argument(
        "--reload",
        action="store_true",
        help="the open tab follows each save under app/ and --pages: a page swaps in place, an app module reloads",
    )
    p.add_argument(
        "--offline-shell",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="register the service worker that starts the app without network (default: off here, on in make dist)",
    )
    _add_app_settings(p)
    _add_fault_switches(p)
    a = p.parse_args(argv)
    try:
        faults = Faults.checked(**{switch.name: getattr(a, switch.name) for switch in fields(Faults)})
    except FaultError as exc:
        p.error(str(exc))
    if a.pages is not None and not a.pages.is_dir():
        p.error(f"--pages {a.pages}: no such folder (make run serves pages/)")
    if not 0 < a.realtime_speed <= 3600:
        p.error("--realtime-speed must be more than 0 and at most 3600")
    client = {setting.key: getattr(a, setting.key) for setting in SETTINGS}
    client["placeos_base"] = str(client["placeos_base"] or "").rstrip("/")
    return replace(
        defaults,
        host=a.host,
        port=a.port,
        data_path=a.data,
        demo_email=a.demo_email,
        demo_password=a.demo_password,
        systems=a.systems,
        placeos_upstream=a.placeos.rstrip("/") if a.placeos else None,
        cors_origins=tuple(a.cors_origin),
        extra_redirect_uris=tuple(a.redirect_uri_extra),
        dev_controls=not a.placeos and (a.host in LOOPBACK or a.allow_remote_faults),
        strict_origin=a.strict_origin,
        realtime_speed=a.realtime_speed,
        wheels_dir=a.wheels,
        pages_dir=a.pages.resolve() if a.pages else None,
        reload=a.reload,
        offline_shell=bool(a.offline_shell),
        base_path=base_path(p, a.base_path),
        client=ClientSettings(**client),
        faults=faults,
    )


def bind(host: str, port: int) -> socket.socket:
    try:
        sock = socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        raise StartupError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server running? "
            "choose another with --port)"
        ) from None
    return sock


def banner(settings: Settings) -> str:
    lines = [f"PlaceOS client on {settings.origin}{settings.base_path}"]
    if settings.placeos_upstream:
        lines.append(f"  proxying /api, /auth and /login to {settings.placeos_upstream}")
    else:
        lines += [
            f"  stand-in PlaceOS on the same origin (data: {settings.data_path})",
            f"  demo sign-in: {settings.demo_email} / {settings.demo_password}",
            f"  registered app: client_id={settings.client_id} redirect_uri={settings.redirect_uri}",
        ]
        if settings.dev_controls:
            lines.append(
                f"  fault switches ON at {settings.origin}/_dev/faults "
                f"(POST JSON with the header {DEV_SECRET_HEADER}: {settings.dev_secret})"
            )
        else:
            lines.append("  fault switches off")
    return "\n".join(lines)


async def serve(settings: Settings, sock: socket.socket) -> None:
    try:
        app = create_app(settings)
    except BaseException:
        sock.close()
        raise
    runner = web.AppRunner(app, access_log=access_logger, access_log_class=RedactingAccessLogger)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    print(banner(settings), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = parse_args(argv)
    try:
        sock = bind(settings.host, settings.port)
        if settings.port == 0:
            settings = replace(settings, port=sock.getsockname()[1])
        asyncio.run(serve(settings, sock))
    except StartupError as exc:
        print(f"serve.py: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
