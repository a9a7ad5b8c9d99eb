"""Fakes for the app's ports: the pure core runs under CPython with these, no browser (see tests/test_flow_browser.py
for the same stories in real Chromium)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from app.config import ClientConfig
from app.ports import HttpRequest, HttpResponse, MemoryStorage
from app.view import El

BASE = "http://127.0.0.1:8000"


def config(**overrides: Any) -> ClientConfig:
    data: dict[str, Any] = {"scope": "public", **overrides}
    return ClientConfig.from_mapping(data, BASE + "/")


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def counter_states() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"state-{next(numbers):04d}-xxxxxxxxxxxxxxxxxxxxxxxx"


class MockTransport:
    """Answers each request with handler(request); records every request."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse | Exception]) -> None:
        self.handler = handler
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        result = self.handler(request)
        if isinstance(result, Exception):
            raise result
        return result


def json_response(status: int, body: str, **headers: str) -> HttpResponse:
    return HttpResponse(status, {k.lower().replace("_", "-"): v for k, v in headers.items()}, body)


class FakeNavigator:
    def __init__(self, path: str = "/") -> None:
        self.path = path
        self.assigned: list[str] = []
        self.history: list[str] = [path]

    def assign(self, url: str) -> None:
        self.assigned.append(url)

    def replace(self, path: str) -> None:
        self.path = path
        self.history[-1] = path

    def push(self, path: str) -> None:
        self.path = path
        self.history.append(path)

    def current(self) -> str:
        return self.path


class FakeScreen:
    def __init__(self) -> None:
        self.frames: list[list[El]] = []
        self.focus: list[str | None] = []

    def render(self, nodes: list[El], focus: str | None = None) -> None:
        self.frames.append(nodes)
        self.focus.append(focus)

    @property
    def text(self) -> str:
        return " ".join(text_of(node) for node in self.frames[-1]) if self.frames else ""


def text_of(node: El | str) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text_of(child) for child in node.children)


def find(node: El | str, predicate: Callable[[El], bool]) -> list[El]:
    if isinstance(node, str):
        return []
    found = [node] if predicate(node) else []
    for child in node.children:
        found += find(child, predicate)
    return found


__all__ = ["MemoryStorage"]
