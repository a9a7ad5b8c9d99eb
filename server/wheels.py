"""A package index of local wheels for micropip in the page's console: the folder `--wheels` names, as a PEP 691
simple JSON index at /wheels/simple/<project>/ and the files at /wheels/files/<name>.whl. Nothing else is served:
micropip in the page is told this index only, so no install ever reaches a CDN or PyPI."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from aiohttp import web
from yarl import URL

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
# A wheel's file name (PEP 427): distribution, version, optional build tag, python, abi and platform tags.
WHEEL = re.compile(
    r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[A-Za-z0-9_.!+]+)(-[0-9][A-Za-z0-9_.]*)?-[^-/\\]+-[^-/\\]+-[^-/\\]+\.whl$"
)


def normalize(name: str) -> str:
    """PEP 503: runs of -, _ and . are one -, and case does not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheels_in(folder: Path) -> dict[str, list[Path]]:
    """The folder's wheels by normalised project name; anything that is not a wheel's name is ignored."""
    found: dict[str, list[Path]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        match = WHEEL.match(path.name)
        if match and path.is_file():
            found.setdefault(normalize(match["name"]), []).append(path)
    return found


def setup_wheels(app: web.Application, folder: Path, base: str = "/") -> None:
    async def project(request: web.Request) -> web.Response:
        name = normalize(request.match_info["project"])
        files = wheels_in(folder).get(name)
        if not files:
            return web.json_response(
                {"error": f"no wheel for {name!r} in the wheels folder; see the README's console section"},
                status=404,
            )
        listing = {
            "meta": {"api-version": "1.0"},
            "name": name,
            "files": [
                {
                    "filename": path.name,
                    # Absolute: micropip does not resolve a relative URL from a JSON index. Derived from where
                    # the index was asked for, so it holds under any base path.
                    "url": str(request.url.join(URL(f"../../files/{path.name}"))),
                    "hashes": {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()},
                }
                for path in files
            ],
        }
        return web.json_response(listing, content_type=SIMPLE_JSON, headers={"Cache-Control": "no-cache"})

    async def wheel(request: web.Request) -> web.StreamResponse:
        filename = request.match_info["filename"]
        if not WHEEL.match(filename):
            return web.json_response({"error": "not a wheel's file name"}, status=404)
        path = folder / filename
        if not path.is_file():
            return web.json_response({"error": f"{filename} is not in the wheels folder"}, status=404)
        return web.FileResponse(path, headers={"Content-Type": "application/zip", "Cache-Control": "no-cache"})

    app.router.add_get(base + "wheels/simple/{project}/", project)
    app.router.add_get(base + "wheels/files/{filename}", wheel)


__all__ = ["SIMPLE_JSON", "normalize", "setup_wheels", "wheels_in"]
