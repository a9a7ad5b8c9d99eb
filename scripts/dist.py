"""`make dist`: the production build in dist/, from the same flags as serve.py.

    make dist                                              # dist/ for the site root
    make dist ARGS="--base-path /apps/placeos-py/"         # as PlaceOS serves its apps
    make dist ARGS="--base-path /apps/placeos-py/ --placeos https://placeos.example.com --nginx-listen 443 ssl"

The console is off in a build unless `--console` is given; the offline app shell (a service worker) is on unless
`--no-offline-shell` is given. See the README's "Deploy".
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import serve  # noqa: E402
from server.app import app_csp  # noqa: E402
from server.dist import Dist  # noqa: E402
from server.settings import ClientSettings  # noqa: E402


def main(argv: list[str]) -> int:
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--out", type=Path, default=ROOT / "dist")
    own.add_argument("--nginx-listen", default="8080", help="what the server block listens on (nginx's listen)")
    own.add_argument("--nginx-root", type=Path, help="where dist/ will be on the nginx host (default: here)")
    own.add_argument(
        "--no-nginx-brotli",
        dest="brotli",
        action="store_false",
        help="for an nginx without the ngx_brotli module: serve the gzip copies only",
    )
    ours, rest = own.parse_known_args(argv)
    settings = serve.parse_args(rest)
    if "--console" not in rest:  # a production build has no developer console unless asked for
        settings = replace(settings, client=ClientSettings(**{**settings.client.as_json(), "console": False}))
    if "--no-offline-shell" not in rest:  # a deployed app starts without network, as a kiosk needs
        settings = replace(settings, offline_shell=True)
    dist = Dist(ours.out, settings, app_csp(settings), brotli=ours.brotli)
    written = dist.build()
    conf = ours.out / "nginx" / "placeos-app.conf"
    conf.write_text(dist.server_block(ours.nginx_listen, ours.nginx_root))
    size = sum(path.stat().st_size for path in written)
    print(f"dist: {len(written)} files, {size / 1e6:.1f} MB in {ours.out} for {settings.base_path}")
    print(f"nginx: {conf}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
