"""Shared fixtures: a real serve.py app in a thread for the browser tests, and Chromium settings."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import serve
from server.settings import Settings
from server.web import RedactingAccessLogger, access_logger

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    args = {
        **browser_type_launch_args,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }
    # Debian's chromium where it exists (Playwright cannot download its own browser there); else Playwright's.
    if SYSTEM_CHROMIUM.exists():
        args["executable_path"] = str(SYSTEM_CHROMIUM)
    return args


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

    def start(self) -> LiveServer:
        sock = socket.create_server(("127.0.0.1", 0))
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
                self.app = serve.create_app(self.settings)
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
            await runner.cleanup()

        asyncio.run(main())

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run fn on the server's loop (to reach its state safely) and return its result."""
        assert self._loop is not None

        async def wrapped() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result(10)

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(10)


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def make(**overrides: Any) -> LiveServer:
        settings = replace(Settings(), data_path=tmp_path / f"standin-{len(started)}.sqlite3", **overrides)
        server = LiveServer(settings).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def live_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory()


@dataclass
class ConsoleLog:
    """Everything the page printed, and every uncaught error, for assertions."""

    messages: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda msg: self.messages.append((msg.type, msg.text)))
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))

    @property
    def errors(self) -> list[str]:
        return [text for kind, text in self.messages if kind == "error"] + self.page_errors

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.messages) + "\n".join(self.page_errors)


@pytest.fixture
def console(page: Any) -> ConsoleLog:
    log = ConsoleLog()
    log.attach(page)
    return log
