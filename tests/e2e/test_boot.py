"""The page boots Python from the locally served runtime, under the strict CSP, with a clean console."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from server.settings import RUNTIME_ID, SNAPSHOT_IMPORTS, ClientSettings
from tests.conftest import ConsoleLog, LiveServer
from tests.e2e.steps import has_mark, wait_for_mark, wait_for_sign_in_screen
from tests.server.test_shell import site_copy

pytestmark = pytest.mark.browser


def test_boot_python_renders_the_app_with_a_clean_console(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(live_server.url)

    wait_for_sign_in_screen(page)
    assert console.errors == []
    assert not [text for _, text in console.messages if "Content Security Policy" in text]
    # Nothing left this machine: every request went to the server under test.
    assert requests and all(url.startswith(live_server.url) for url in requests)


def test_boot_runtime_unavailable_shows_error_and_retry_recovers(page: Any, live_server: LiveServer) -> None:
    def missing(route: Any) -> None:
        route.fulfill(status=404, body="gone")

    page.route("**/pyodide.asm.wasm", missing)
    page.goto(live_server.url)

    error = page.locator("#boot-error")
    expect(error).to_be_visible(timeout=20_000)
    expect(error).to_contain_text("pyodide.asm.wasm: HTTP 404")
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_focused()

    page.unroute("**/pyodide.asm.wasm", missing)
    retry.click()
    wait_for_sign_in_screen(page)


def test_a_wasm_download_cut_off_is_reported_at_once_not_after_the_stall_timer(
    page: Any, live_server: LiveServer
) -> None:
    page.route("**/pyodide.asm.wasm", lambda route: route.abort("connectionreset"))
    started = time.monotonic()
    page.goto(live_server.url)
    error = page.locator("#boot-error")
    expect(error).to_contain_text("pyodide.asm.wasm: the connection failed", timeout=10_000)
    assert time.monotonic() - started < 10  # the stall timer is 60 s
    expect(page.locator("#boot-stage")).not_to_have_text("Starting Python…")
    page.unroute("**/pyodide.asm.wasm")
    page.get_by_role("button", name="Try again").click()
    wait_for_sign_in_screen(page)
    page.close()  # before the server stops: the page's idle-time work (the snapshot) would still be fetching


def test_boot_loader_script_missing_reports_download_failure(page: Any, live_server: LiveServer) -> None:
    page.route("**/pyodide.mjs", lambda route: route.abort())
    page.goto(live_server.url)
    expect(page.locator("#boot-error")).to_contain_text("could not be downloaded", timeout=20_000)


def test_boot_progress_advances_through_the_three_steps(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    # The loading screen is plain HTML: it is there before any Python runs.
    seen = page.evaluate("""() => new Promise((resolve) => {
        const stages = new Set();
        const record = () => { const s = document.getElementById('boot-stage'); if (s) stages.add(s.textContent); };
        record();
        const obs = new MutationObserver(record);
        obs.observe(document.getElementById('app'), {subtree: true, childList: true, characterData: true});
        const done = () => { obs.disconnect(); resolve([...stages]); };
        const poll = setInterval(() => { if (!document.getElementById('boot')) { clearInterval(poll); done(); } }, 20);
    })""")
    # The page may already be past the download when observation starts; it must pass Python and app start.
    assert "Starting Python…" in seen or "Downloading the Python runtime…" in seen
    assert "Starting the app…" in seen


def test_micropip_loads_on_demand_from_the_local_lockfile(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    # Not imported at start-up: it costs ~0.3 s on every load.
    assert page.evaluate("() => window.pyodide.runPython(\"import sys; 'micropip' in sys.modules\")") is False
    version = page.evaluate("""async () => {
        await window.pyodide.loadPackage('micropip');
        return window.pyodide.runPython('import micropip; micropip.__version__');
    }""")
    assert version == "0.11.1"
    assert any(url.endswith("micropip-0.11.1-py3-none-any.whl") for url in requests)
    assert all(url.startswith(live_server.url) for url in requests)
    assert console.errors == []


STDLIB_IMPORTS = """
import sys, zipimport
archive = next(path for path in sys.path if path.endswith('.zip'))
specs = [module.__spec__ for module in list(sys.modules.values()) if getattr(module, '__spec__', None)]
from_zip = [s for s in specs if isinstance(s.loader, zipimport.zipimporter) and s.origin.startswith(archive)]
{'bytecode': sum(spec.origin.endswith('.pyc') for spec in from_zip),
 'compiled_from_source': sorted(spec.name for spec in from_zip if not spec.origin.endswith('.pyc'))}
"""
TRACEBACK = """
import json, traceback
try:
    json.loads('{')
except ValueError as error:
    text = ''.join(traceback.format_exception(error))
text
"""


def test_start_up_imports_only_pre_compiled_stdlib_modules_and_tracebacks_keep_their_source(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)

    imports = page.evaluate(
        "(code) => window.pyodide.runPython(code).toJs({dict_converter: Object.fromEntries})", STDLIB_IMPORTS
    )
    # A module listed here is compiled from source on every load: add it to APP_IMPORTS in scripts/fetch_runtime.py.
    assert imports["compiled_from_source"] == []
    assert imports["bytecode"] > 100
    text = page.evaluate("(code) => window.pyodide.runPython(code)", TRACEBACK)
    assert 'json/__init__.py", line' in text and "return _default_decoder.decode(s)" in text


SNAPSHOT_KEY = f"/pyodide/{RUNTIME_ID}/snapshot?{','.join(SNAPSHOT_IMPORTS)}"
SNAPSHOT_HINT = "() => localStorage.getItem('placeos.snapshot')"


def forget_snapshot(page: Any) -> None:
    """The start-up snapshot gone (once the one this page makes in idle time is saved), as a start would find it
    after Cache Storage evicted it."""
    wait_for_mark(page, "snapshot-saved")
    page.evaluate(
        "async () => { localStorage.removeItem('placeos.snapshot'); await caches.delete('placeos-pyodide-snapshot'); }"
    )


def test_second_visit_restores_the_start_up_snapshot_and_the_app_works_on_it(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    assert not has_mark(page, "snapshot-restored")
    wait_for_mark(page, "snapshot-saved")

    page.goto(live_server.url + "?q=bondi")
    wait_for_sign_in_screen(page)
    assert has_mark(page, "snapshot-restored")
    assert not has_mark(page, "snapshot-saved")  # nothing to redo on a restored start
    draws = [page.evaluate("() => pyodide.runPython('import random; random.random()')")]
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "snapshot-restored")
    draws.append(page.evaluate("() => pyodide.runPython('import random; random.random()')"))
    assert draws[0] != draws[1]  # the snapshot's frozen random state was reseeded
    page.goto(live_server.url + "?q=bondi")
    wait_for_sign_in_screen(page)
    # The restored interpreter runs the whole app: secrets for the state, fetch, the DOM.
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill("demo@example.com")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".system-row")).to_have_count(1, timeout=30_000)
    expect(page.locator(".system-name")).to_have_text("Bondi")
    assert console.errors == []


def test_corrupt_snapshot_is_dropped_and_python_starts_afresh(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    wait_for_mark(page, "snapshot-saved")
    page.evaluate(
        """async (key) => {
            const cache = await caches.open('placeos-pyodide-snapshot');
            if (!(await cache.match(key))) throw new Error('no snapshot under ' + key);
            await cache.put(key, new Response(new Uint8Array(4096).fill(7)));
        }""",
        SNAPSHOT_KEY,
    )
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    assert "start-up snapshot unusable" in console.text
    assert not has_mark(page, "snapshot-restored")
    wait_for_mark(page, "snapshot-saved")  # a good one replaces it


def test_the_snapshot_s_hint_follows_it_and_a_stale_or_missing_hint_costs_no_start(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    assert page.evaluate(SNAPSHOT_HINT) is None
    wait_for_mark(page, "snapshot-saved")
    assert page.evaluate(SNAPSHOT_HINT) == SNAPSHOT_KEY  # the loader starts Pyodide without asking Cache Storage

    # A snapshot kept before there was a hint (or the hint cleared alone): found by asking, and hinted again.
    page.evaluate("() => localStorage.removeItem('placeos.snapshot')")
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "snapshot-restored")
    assert page.evaluate(SNAPSHOT_HINT) == SNAPSHOT_KEY

    # The snapshot evicted under its hint: one start without it, the hint dropped, then a new snapshot and hint.
    page.evaluate("() => caches.delete('placeos-pyodide-snapshot')")
    page.reload()
    wait_for_sign_in_screen(page)
    assert "start-up snapshot unusable" in console.text
    assert not has_mark(page, "snapshot-restored")
    wait_for_mark(page, "snapshot-saved")
    assert page.evaluate(SNAPSHOT_HINT) == SNAPSHOT_KEY
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "snapshot-restored")
    assert console.errors == []


RUNTIME_FILES = ("pyodide.asm.wasm", "python_stdlib.zip")
RUNTIME_HINT = "() => localStorage.getItem('placeos.runtime')"


def runtime_url(server: LiveServer) -> str:
    return f"{server.url}pyodide/{RUNTIME_ID}/"


def runtime_requests(page: Any) -> list[str]:
    """The runtime's large files as the page asks for them from now on (an HTTP cache hit counts: it is a request)."""
    asked: list[str] = []
    page.on("request", lambda request: asked.extend(n for n in RUNTIME_FILES if request.url.endswith("/" + n)))
    return asked


def test_a_later_visit_reads_the_runtime_from_its_kept_copy_with_or_without_a_snapshot(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    assert not has_mark(page, "runtime-from-kept")
    # Keeping the files (and making the snapshot, in the same idle time) costs no download: the HTTP cache answers.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    runtime: set[str] = set()
    from_cache: set[str] = set()
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: runtime.add(e["requestId"]) if e["request"]["url"].endswith(RUNTIME_FILES) else None,
    )
    cdp.on(
        "Network.responseReceived",
        lambda e: from_cache.add(e["requestId"]) if e["response"].get("fromDiskCache") else None,
    )
    wait_for_mark(page, "runtime-kept")
    assert runtime and runtime <= from_cache
    assert page.evaluate(RUNTIME_HINT) == runtime_url(live_server)
    cdp.detach()

    asked = runtime_requests(page)
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "runtime-from-kept") and has_mark(page, "snapshot-restored")
    assert asked == []
    # The kept stdlib is the one the snapshot was made with: a module first imported now reads from it.
    ratio = "() => pyodide.runPython(`import difflib; difflib.SequenceMatcher(None, 'abc', 'abd').ratio()`)"
    assert page.evaluate(ratio) > 0.6
    assert not has_mark(page, "runtime-kept")  # kept once per runtime build

    # Without a snapshot, CPython starts afresh from the kept wasm and stdlib.
    page.evaluate(
        "() => { localStorage.removeItem('placeos.snapshot'); return caches.delete('placeos-pyodide-snapshot'); }"
    )
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "runtime-from-kept") and not has_mark(page, "snapshot-restored")
    assert asked == []
    assert page.evaluate(ratio) > 0.6
    assert console.errors == []


def test_a_kept_runtime_file_not_whole_or_gone_is_never_used_and_is_kept_again(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    wait_for_mark(page, "runtime-kept")
    # Cut short under its recorded size, as a write that never finished would leave it.
    page.evaluate(
        """async (url) => {
            const cache = await caches.open('placeos-pyodide-runtime');
            const entry = await cache.match(url);
            if (!entry) throw new Error('not kept: ' + url);
            const bytes = await entry.arrayBuffer();
            await cache.put(url, new Response(bytes.slice(0, 4096), {headers: entry.headers}));
        }""",
        runtime_url(live_server) + "pyodide.asm.wasm",
    )
    asked = runtime_requests(page)
    page.reload()
    wait_for_sign_in_screen(page)
    assert "pyodide.asm.wasm" in asked
    wait_for_mark(page, "runtime-kept")
    assert page.evaluate(RUNTIME_HINT) == runtime_url(live_server)

    # Evicted under its hint: the network answers, and the next idle time keeps them again.
    page.evaluate("() => caches.delete('placeos-pyodide-runtime')")
    asked.clear()
    page.reload()
    wait_for_sign_in_screen(page)
    assert sorted(asked) == sorted(RUNTIME_FILES)
    assert not has_mark(page, "runtime-from-kept")
    wait_for_mark(page, "runtime-kept")
    assert console.errors == []


def test_a_start_that_fails_on_the_kept_runtime_drops_it_and_try_again_asks_the_network(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    wait_for_mark(page, "runtime-kept")
    page.route("**/app.zip", lambda route: route.fulfill(status=503, body="down"))
    page.reload()
    expect(page.locator("#boot-error")).to_be_visible(timeout=30_000)
    assert has_mark(page, "runtime-from-kept")
    page.wait_for_function(RUNTIME_HINT.replace("=>", "=> null ===", 1))
    asked = runtime_requests(page)
    page.unroute("**/app.zip")
    page.get_by_role("button", name="Try again").click()
    wait_for_sign_in_screen(page)
    assert sorted(asked) == sorted(RUNTIME_FILES)


IN_MEMORY = """() => pyodide.runPython(`
import os, sys
{'doctor': 'app.doctor.checks' in sys.modules, 'console': 'app.browser.console' in sys.modules,
 'bytecode': 'app.core.bytecode' in sys.modules, 'files': os.path.exists('/home/pyodide/app/doctor/checks.py')}
`).toJs({dict_converter: Object.fromEntries})"""
BUILD = "() => pyodide.runPython(\"import app.main; getattr(app.main, 'BUILD', 'first')\")"


def test_the_snapshot_holds_the_app_s_start_up_modules_and_an_app_update_never_runs_them(
    page: Any, server_factory: Any, tmp_path: Any, console: ConsoleLog
) -> None:
    site = site_copy(tmp_path)
    server = server_factory(root=site)
    page.goto(server.url)
    wait_for_sign_in_screen(page)
    wait_for_mark(page, "snapshot-saved")
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "snapshot-restored") and has_mark(page, "app-in-snapshot")
    assert page.evaluate(BUILD) == "first"
    # Every module of the app was in memory: what loads later (the doctor, the console) too, and nothing needed
    # the app's files, which are unpacked in idle time, for tracebacks.
    assert page.evaluate(IN_MEMORY) == {"doctor": True, "console": True, "bytecode": False, "files": False}
    wait_for_mark(page, "app-unpacked")
    assert page.evaluate(IN_MEMORY)["files"] is True
    assert not has_mark(page, "snapshot-saved") and not has_mark(page, "bytecode-saved")  # nothing to redo

    # A deploy: the restored interpreter's app modules are the old app.zip's, so they are forgotten and the new
    # ones imported; a new snapshot holds the new app, and the next visit starts from it.
    with (site / "app" / "main.py").open("a") as main:
        main.write('\nBUILD = "second"\n')
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "snapshot-restored") and not has_mark(page, "app-in-snapshot")
    assert page.evaluate(BUILD) == "second"
    wait_for_mark(page, "snapshot-saved")
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "app-in-snapshot") and page.evaluate(BUILD) == "second"

    # The app started from the snapshot runs whole: sign-in, the list, the data.
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill("demo@example.com")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".system-row").first).to_be_visible(timeout=30_000)
    page.reload()
    expect(page.locator(".system-row:not(#saved-view *)").first).to_be_visible(timeout=30_000)
    assert has_mark(page, "app-in-snapshot")

    # A deploy whose modules make the heap larger than Pyodide restores (pyodide/pyodide#6254): the snapshot made
    # for it is refused when it is made, said once, and not made again on later visits, which start without it.
    (site / "app" / "ballast.py").write_text("KEPT = bytearray(16 << 20)  # imported into the snapshot's heap\n")
    page.reload()
    expect(page.locator(".system-row:not(#saved-view *)").first).to_be_visible(timeout=30_000)
    wait_for_mark(page, "snapshot-too-large")
    refused = page.evaluate("() => performance.getEntriesByName('snapshot-too-large')[0].detail")
    assert refused["bytes"] > refused["limit"] == 31_457_280, refused
    assert not has_mark(page, "snapshot-saved") and not has_mark(page, "app-in-snapshot")
    page.reload()
    expect(page.locator(".system-row:not(#saved-view *)").first).to_be_visible(timeout=30_000)
    wait_for_mark(page, "idle-work-done")  # where a snapshot would have been made again
    assert not has_mark(page, "snapshot-too-large") and not has_mark(page, "snapshot-saved")
    said = [text for _, text in console.messages if "snapshot not kept" in text]
    assert len(said) == 1 and "Pyodide restores at most 31457280" in said[0], said
    assert console.errors == []


def test_later_visits_import_the_app_from_its_saved_bytecode_only_with_the_same_app_zip(
    page: Any, live_server: LiveServer, console: ConsoleLog
) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    assert not has_mark(page, "bytecode-restored")
    wait_for_mark(page, "bytecode-saved")

    forget_snapshot(page)  # the bytecode is for starts whose snapshot does not hold this app
    page.reload()
    wait_for_sign_in_screen(page)
    assert has_mark(page, "bytecode-restored")
    # Python in the page writes no bytecode itself, so bytecode beside the sources came from the saved archive.
    assert page.evaluate("""() => pyodide.runPython(`
import os, sys
names = ('app.main', 'app.shell.controller')
sys.dont_write_bytecode and all(os.path.exists(sys.modules[name].__cached__) for name in names)
`)""")

    # Saved for another app.zip (the app changed since): not used, and replaced by bytecode of this one.
    forget_snapshot(page)
    page.evaluate("""async () => {
        const cache = await caches.open('placeos-app-bytecode');
        const saved = await cache.match('/app-bytecode');
        await cache.put('/app-bytecode', new Response(await saved.arrayBuffer(), {headers: {'X-App-ETag': '"old"'}}));
    }""")
    page.reload()
    wait_for_sign_in_screen(page)
    assert not has_mark(page, "bytecode-restored")
    wait_for_mark(page, "bytecode-saved")
    assert console.errors == []


def test_broken_saved_bytecode_fails_once_and_try_again_starts_from_source(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    wait_for_sign_in_screen(page)
    wait_for_mark(page, "bytecode-saved")
    forget_snapshot(page)
    # A valid header over bytes that are not bytecode: the import itself fails.
    page.evaluate("""async () => {
        const archive = pyodide.runPython(`
import importlib.util, io, sys, zipfile
from pyodide.ffi import to_js
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, 'w') as archive:
    pyc = importlib.util.MAGIC_NUMBER + (1).to_bytes(4, 'little') + bytes(8) + b'not bytecode'
    archive.writestr(f'app/__pycache__/main.{sys.implementation.cache_tag}.pyc', pyc)
to_js(buffer.getvalue())
`);
        const etag = (await fetch('app.zip')).headers.get('ETag');
        const cache = await caches.open('placeos-app-bytecode');
        await cache.put('/app-bytecode', new Response(archive, {headers: {'X-App-ETag': etag}}));
    }""")
    page.reload()
    expect(page.locator("#boot-error")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Try again").click()
    wait_for_sign_in_screen(page)


def test_a_device_told_not_to_keep_a_start_up_keeps_none_and_drops_what_an_earlier_visit_kept(
    browser: Any, server_factory: Any
) -> None:
    kept = server_factory()
    context = browser.new_context()
    page = context.new_page()
    page.goto(kept.url)
    wait_for_sign_in_screen(page)
    wait_for_mark(page, "snapshot-saved")
    wait_for_mark(page, "runtime-kept")
    caches = "() => caches.keys().then((names) => names.sort())"
    assert len(page.evaluate(caches)) >= 3  # the snapshot, the bytecode, the runtime's files
    # The same origin, now told not to keep them (a shared or storage-starved device).
    port = kept.settings.port
    kept.stop()
    sock = socket.create_server(("127.0.0.1", port))
    server_factory(sock, client=ClientSettings(keep_start_up=False))
    page.reload()
    wait_for_sign_in_screen(page)
    wait_for_mark(page, "start-up-not-kept")
    assert page.evaluate(caches) == []
    assert not has_mark(page, "snapshot-saved") and not has_mark(page, "runtime-kept")
    context.close()
