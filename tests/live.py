"""serve.py's real app on a free loopback port in a thread: for the browser tests and the benchmark.

Playwright's sync API owns the main thread's event loop, so the server gets a loop of its own.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aiohttp import web

from server.app import create_app
from server.settings import Settings
from server.web import RedactingAccessLogger, access_logger

# Debian's chromium where it exists (Playwright cannot download its own browser there), else Playwright's.
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# The browser tests check behaviour, not speed, on a 2-core machine where every story starts Pyodide afresh: V8's
# baseline WebAssembly compiler alone (no optimizing tier for pyodide.asm.wasm's 10 MB) halves the CPU a first
# visit costs (6.5 -> 3.3 CPU-s to app ready, measured 2026-12-03). The benchmark keeps Chromium's defaults.
TEST_ONLY_ARGS = ["--js-flags=--liftoff-only"]


def chromium_launch_options(for_tests: bool = False) -> dict[str, Any]:
    options: dict[str, Any] = {"args": CHROMIUM_ARGS + (TEST_ONLY_ARGS if for_tests else [])}
    if SYSTEM_CHROMIUM.exists():
        options["executable_path"] = str(SYSTEM_CHROMIUM)
    return options


class MovableClock:
    """The stand-in's clock for a story that moves the page's clock on with Playwright's page.clock: real time plus
    however far both were moved, so a token the stand-in issues expires when the page thinks it does."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def forward(self, page: Any, seconds: float) -> None:
        """Both clocks `seconds` on at once; the page's due timers fire once each, as after a laptop's lid opens."""
        page.clock.fast_forward(int(seconds * 1000))
        self.follow(page)

    def follow(self, page: Any) -> None:
        """Set to the page's time. Playwright's clock falls a little behind real time while the page is busy
        (seconds over a few jumps), so the stand-in follows the page rather than both counting on their own."""
        self.offset = page.evaluate("() => Date.now()") / 1000 - time.time()


@dataclass
class LiveServer:
    """serve.py's real app, listening on a free loopback port in a thread of its own."""

    settings: Settings
    url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _thread: threading.Thread | None = None
    app: web.Application | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _error: BaseException | None = None
    customize: Callable[[web.Application], None] | None = None  # the benchmark adds its baseline's two routes
    # The stand-in's clock: a story that moves the page's clock on (Playwright's page.clock) moves this one with it.
    clock: Callable[[], float] = time.time

    def start(self, sock: socket.socket | None = None) -> LiveServer:
        """Listen on `sock` if given (to know the port before the settings are made), else a free port."""
        sock = sock or socket.create_server(("127.0.0.1", 0))
        self.settings = replace(self.settings, host="127.0.0.1", port=sock.getsockname()[1])
        self.url = f"{self.settings.origin}/"
        self._thread = threading.Thread(target=self._run, args=(sock,), daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the live server did not start")
        if self._error:
            raise self._error
        return self

    def _run(self, sock: socket.socket) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            try:
                self.app = create_app(self.settings, self.clock)
                if self.customize is not None:
                    self.customize(self.app)
                runner = web.AppRunner(self.app, access_log=access_logger, access_log_class=RedactingAccessLogger)
                await runner.setup()
                await web.SockSite(runner, sock).start()
            except BaseException as exc:
                sock.close()
                self._error = exc
                self._ready.set()
                raise
            self._ready.set()
            await self._stop.wait()
            connections = list(getattr(runner.server, "connections", []))
            await runner.cleanup()
            for connection in connections:  # a browser may still hold one open: closed here, not by the GC
                transport = getattr(connection, "transport", None)
                if transport is not None:
                    transport.close()
            await asyncio.sleep(0)

        asyncio.run(main())
        # A browser may still hold a connection when the server stops. What it leaves behind is collected here, as
        # the server ends, rather than reported against whichever later test the garbage collector happens to run in.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run fn on the server's loop (to reach its state safely) and return its result."""
        assert self._loop is not None

        async def wrapped() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result(10)

    def restart(self) -> LiveServer:
        """Stopped, and a new one started on the same port with the same settings, data and clock (its tokens
        stay good): PlaceOS back after an outage."""
        self.stop()
        sock = socket.create_server(("127.0.0.1", self.settings.port))
        return LiveServer(self.settings, clock=self.clock).start(sock)

    def stop(self) -> None:
        """Stop serving; a second call does nothing (a test may stop the server before its fixture does)."""
        if self._loop and self._stop and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(10)
