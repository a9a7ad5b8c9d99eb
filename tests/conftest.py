"""Shared fixtures: a real serve.py app in a thread for the browser tests, and Chromium settings."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from server.settings import ClientSettings, Settings
from tests.live import LiveServer, chromium_launch_options
from tests.standin_helpers import FakeClock, make_app

# Property-based tests: a bounded run in `make test` (seeded, so CI is repeatable), a long one in `make fuzz`.
settings.register_profile(
    "test", max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "test"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, **chromium_launch_options(for_tests=True)}


@pytest.fixture
def keep_start_up() -> bool:
    """Whether the app keeps its start-up head start (snapshot, bytecode, runtime) after a first visit. Making it
    costs about 3 CPU-seconds a first visit, which on the 2-core machine is most of a story's start: the stories
    about signing in, browsing, the doctor, the console and the board override this to False (they never come
    back to a kept start); those about starting, the offline shell and returning visits keep it."""
    return True


@pytest.fixture
def server_factory(tmp_path: Path, keep_start_up: bool) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def make(sock: Any = None, clock: Callable[[], float] = time.time, **overrides: Any) -> LiveServer:
        if not keep_start_up:
            client = overrides.get("client") or ClientSettings()
            overrides["client"] = ClientSettings(**{**client.as_json(), "keep_start_up": False})
        settings = replace(Settings(), data_path=tmp_path / f"standin-{len(started)}.sqlite3", **overrides)
        server = LiveServer(settings, clock=clock).start(sock)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def live_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path, clock: FakeClock) -> Any:
    """The stand-in through aiohttp's test client, on a clock the test moves."""
    return await aiohttp_client(make_app(tmp_path, clock))


@dataclass
class ConsoleLog:
    """Everything the page printed, and every uncaught error, for assertions."""

    messages: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)  # the URLs of Chromium's "Failed to load resource"

    def attach(self, page: Any) -> None:
        page.on("console", self._heard)
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))

    def _heard(self, msg: Any) -> None:
        self.messages.append((msg.type, msg.text))
        if msg.text.startswith("Failed to load resource"):
            self.failed_loads.append(str(msg.location.get("url", "")))

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


@pytest.fixture(autouse=True)
def _abandon_unrun_app_work() -> Iterator[None]:
    from tests.fakes import FakeHost, Harness

    yield
    while Harness.made:
        Harness.made.pop().drop_unrun()
    while FakeHost.made:
        FakeHost.made.pop().drop()


# How long each browser story took when last measured (`make test ARGS="--durations=0"`, then
# scripts/durations.py): the browser run hands the longest out first, so that no worker ends alone on a long story
# that began last. A story not listed counts as a middling one.
DURATIONS = json.loads((Path(__file__).parent / "e2e" / "durations.json").read_text())
MIDDLING_S = 10.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API keeps an event loop running in the main thread from the first browser test on, and
    # pytest-asyncio cannot start one beside it: `make test` runs the browser stories after the rest, on their own.
    def order(item: pytest.Item) -> tuple[bool, float]:
        return item.get_closest_marker("browser") is not None, -DURATIONS.get(item.nodeid, MIDDLING_S)

    items.sort(key=order)
