"""The offline app shell's server side (server/shell.py, the <base>sw.js route, make dist) and the worker's choice of
what it answers (static/sw.js, run in Node against generated hostile addresses): only its build's files and the
app's own page, never a callback, never the API."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.app import app_csp, create_app
from server.assets import asset_url, fingerprint
from server.dist import Dist
from server.settings import RUNTIME_ID, Settings
from server.shell import NOT_IN_SHELL, PLACEHOLDER, RUNTIME_FILES, Shell, shell_for
from tests import ROOT
from tests.node_lines import NodeLines

MARKERS = ("access_token", "refresh_token", "id_token", "code", "state", "error")


def manifest_of(worker: str) -> dict[str, Any]:
    match = re.search(r"^const SHELL = (\{.*\});$", worker, re.MULTILINE)
    assert match, "no SHELL line in the worker"
    return dict(json.loads(match[1]))


def site_copy(tmp_path: Path) -> Path:
    """The app's files in a folder the test may change, as a deploy changes them."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "index.html", site / "index.html")
    shutil.copytree(ROOT / "static", site / "static")
    shutil.copytree(ROOT / "app", site / "app", ignore=shutil.ignore_patterns("__pycache__"))
    return site


async def test_the_worker_carries_its_build_s_manifest_under_the_base_path(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = replace(Settings(), data_path=tmp_path / "db", base_path="/apps/p/", offline_shell=True)
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/apps/p/sw.js")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["Content-Security-Policy"]
    manifest = manifest_of(await response.text())
    assert manifest["enabled"] is True and re.fullmatch(r"[0-9a-f]{20}", manifest["build"])
    files = manifest["files"]
    assert files[:3] == ["./", "app.zip", "app-config.json"]
    assert {f"pyodide/{RUNTIME_ID}/{name}" for name in RUNTIME_FILES} <= set(files)
    assert not [f for f in files if any(f.endswith(name) for name in NOT_IN_SHELL) or "wheel" in f or ".whl" in f]
    for file in files:  # every file in the manifest is one the server has, under the base path
        fetched = await client.get("/apps/p/" + file.removeprefix("./"))
        assert fetched.status == 200, file
    assert (await client.get("/apps/p/static/sw.js")).status == 404  # the template is not a second worker
    index = await (await client.get("/apps/p/")).text()
    assert 'data-service-worker="sw.js"' in index


async def test_off_the_page_registers_nothing_and_the_worker_only_passes_through(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    client = await aiohttp_client(create_app(replace(Settings(), data_path=tmp_path / "db")))
    assert 'data-service-worker=""' in await (await client.get("/")).text()
    worker = await (await client.get("/sw.js")).text()
    assert manifest_of(worker)["enabled"] is False  # a browser that had the shell gets one that drops it


async def test_any_change_a_start_would_see_makes_a_new_build(aiohttp_client: Any, tmp_path: Path) -> None:
    site = site_copy(tmp_path)
    client = await aiohttp_client(
        create_app(replace(Settings(), data_path=tmp_path / "db", root=site, offline_shell=True))
    )

    async def build() -> str:
        return str(manifest_of(await (await client.get("/sw.js")).text())["build"])

    first = await build()
    assert await build() == first  # the same files, the same build
    builds = {first}
    (site / "app" / "core" / "config.py").write_text(
        (site / "app" / "core" / "config.py").read_text() + "\n# deployed\n"
    )
    builds.add(await build())
    (site / "static" / "app.css").write_text((site / "static" / "app.css").read_text() + "\n/* deployed */\n")
    builds.add(await build())
    (site / "index.html").write_text((site / "index.html").read_text().replace("<title>PlaceOS", "<title>Place"))
    builds.add(await build())
    assert len(builds) == 4
    # The callback page is not in the shell: changing it makes no new build.
    (site / "static" / "callback.html").write_text((site / "static" / "callback.html").read_text() + "\n")
    assert await build() in builds


def test_the_build_id_covers_the_csp_and_the_configuration(tmp_path: Path) -> None:
    static = ROOT / "static"
    one = shell_for(b"page", "csp", b"{}", "etag", static, True)
    assert shell_for(b"page", "csp", b"{}", "etag", static, True) == one
    others = {
        shell_for(b"page", "csp2", b"{}", "etag", static, True).build,
        shell_for(b"page", "csp", b'{"kiosk": true}', "etag", static, True).build,
        shell_for(b"page", "csp", b"{}", "etag2", static, True).build,
    }
    assert one.build not in others and len(others) == 3
    with pytest.raises(ValueError, match="SHELL line"):
        Shell("b", ()).worker("// a worker without its manifest line")
    assert PLACEHOLDER in (static / "sw.js").read_text()


def test_make_dist_writes_the_worker_at_the_base_and_has_the_shell_on(tmp_path: Path) -> None:
    settings = replace(Settings(), base_path="/apps/p/", offline_shell=True)
    out = tmp_path / "dist"
    Dist(out, settings, app_csp(settings)).build()
    manifest = manifest_of((out / "sw.js").read_text())
    assert manifest["enabled"] is True and not (out / "static" / "sw.js").exists()
    assert 'data-service-worker="sw.js"' in (out / "index.html").read_text()
    for file in manifest["files"]:  # every file the worker caches is in the build (a ?v= is its content's hash)
        path, _, version = file.partition("?v=")
        assert (out / ("index.html" if file == "./" else path)).is_file(), file
        assert not version or version == fingerprint((out / path).read_bytes()), file
    off = replace(settings, offline_shell=False)
    Dist(out, off, app_csp(off)).build()
    assert manifest_of((out / "sw.js").read_text())["enabled"] is False


# The worker's choice, with generated hostile addresses ----------------------------------------------------------

BASE = "/apps/placeos-py/"
ORIGIN = "http://app.example"


class Worker:
    """static/sw.js with a real manifest, in Node (tests/sw_harness.mjs), asked about one request at a time."""

    def __init__(self, folder: Path) -> None:
        template = (ROOT / "static" / "sw.js").read_text()
        self.shell = shell_for(b"page", "csp", b"{}", "etag", ROOT / "static", True)
        path = folder / "sw.js"
        path.write_bytes(self.shell.worker(template))
        self.files = {ORIGIN + BASE + f.removeprefix("./") for f in self.shell.files}
        self._node = NodeLines(str(ROOT / "tests" / "sw_harness.mjs"), str(path), ORIGIN + BASE)

    def ask(self, url: str, mode: str = "navigate", method: str = "GET") -> str | None:
        answer = self._node.ask({"url": url, "mode": mode, "method": method})
        return str(answer["key"]) if answer["answered"] else None

    def close(self) -> None:
        self._node.close()


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    assert shutil.which("node"), "Node is missing (the machine's Node 20 runs the worker here)"
    running = Worker(tmp_path_factory.mktemp("sw"))
    yield running
    running.close()


def test_the_worker_answers_for_its_page_and_its_files_only(worker: Worker) -> None:
    page = ORIGIN + BASE
    assert worker.ask(page) == page
    assert worker.ask(page + "?system=sys-1&q=board") == page  # the app's own places
    assert worker.ask(page + "app.zip", mode="cors") == page + "app.zip"
    assert worker.ask(page + "app.zip?x=1", mode="cors") is None
    loader = page + asset_url(ROOT / "static", "boot.js")  # as the page links it, with its content's hash
    assert "?v=" in loader and worker.ask(loader, mode="no-cors") == loader
    assert worker.ask(page + "static/boot.js", mode="no-cors") is None
    assert worker.ask(page + "static/boot.js?v=0000000000000000", mode="no-cors") is None
    assert worker.ask(page + "static/callback.html") is None
    assert worker.ask(page + "static/callback.js", mode="no-cors") is None
    assert worker.ask(ORIGIN + "/api/engine/v2/systems", mode="cors") is None
    assert worker.ask(ORIGIN + "/auth/oauth/authorize?response_type=token") is None
    assert worker.ask(page + "#access_token=t&state=s") is None
    assert worker.ask(page + "?code=c&state=s") is None
    assert worker.ask(page + "?error=access_denied&state=s") is None
    assert worker.ask(page + "?acc%65ss_token=t") is None  # decoded as the app's parser decodes it
    assert worker.ask(page, method="POST") is None
    assert worker.ask("http://other.example" + BASE) is None


names = st.sampled_from([*MARKERS, "system", "q", "page", "x", "Code", "state ", "%73tate", "st%61te", "a+b", ""])
values = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
queries = st.lists(st.tuples(names, values), max_size=5)
paths = st.sampled_from([BASE, BASE + "index.html", BASE + "./", "/apps/", "/", BASE + "app.zip", BASE + "%2e/"])


def response_in(url: str) -> bool:
    """Whether the address carries an authorization response, read as a browser reads it: a fragment (tabs and
    newlines dropped, trailing control characters and spaces stripped) or a response parameter in the query."""
    parts = urlsplit(url)  # drops tabs and newlines as the URL standard does
    names = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return bool(names & set(MARKERS)) or bool(parts.fragment.rstrip("".join(map(chr, range(33)))))


@given(
    path=paths,
    query=queries,
    fragment=st.one_of(st.just(""), values),
    mode=st.sampled_from(["navigate", "cors", "no-cors", "same-origin"]),
)
def test_no_generated_address_with_an_authorization_response_is_ever_the_worker_s(
    worker: Worker, path: str, query: list[tuple[str, str]], fragment: str, mode: str
) -> None:
    search = "&".join(f"{name}={value}" for name, value in query)
    url = ORIGIN + path + (f"?{search}" if search else "") + (f"#{fragment}" if fragment else "")
    key = worker.ask(url, mode=mode)
    if key is None:
        return
    # Whatever it answers, it answers from its own build's files, and never for an address with a response in it.
    assert key in worker.files, (url, key)
    assert not response_in(url), url
