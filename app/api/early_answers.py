"""Answers asked for before Python started: on a returning visit, the loader (static/boot.js) sends the GET requests
this tab's last page made, with the kept token, while Pyodide starts, so fresh data waits for Pyodide and not for
Pyodide and then the network. Which requests: the ones the page's last refresh recorded (`recording`, kept with
the page's saved copy by app.browse).

The answers go to the API client through `EarlyAnswers`, a transport that hands each one over once, to the same
request, within a short window; anything else, or an early request that failed, goes to the network as always.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from app.core.ports import Clock, HttpRequest, HttpResponse, Transport

WITHIN_S = 10.0  # an early answer older than this is stale: the request goes to the network
MAX_EARLY = 4  # requests the loader asks for early (app.browse's refresh makes at most four)

# The GET URLs the API client sends in this context (a refresh and the tasks it gathers), or None when no one is
# recording. A context variable, so that requests of other tasks (live state, the doctor) are never recorded.
_recorded: ContextVar[list[str] | None] = ContextVar("placeos_recorded", default=None)


@contextmanager
def recording() -> Iterator[list[str]]:
    """The GET URLs the API client sends inside the block, in order (tasks started inside it included)."""
    urls: list[str] = []
    reset = _recorded.set(urls)
    try:
        yield urls
    finally:
        _recorded.reset(reset)


def record(url: str) -> None:
    """Called by the API client for each GET it sends with the token in a header (never one with a token in it)."""
    urls = _recorded.get()
    if urls is not None and url not in urls:
        urls.append(url)


Answer = Callable[[], Awaitable[HttpResponse]]  # reads one early answer (called at most once)


class EarlyAnswers:
    """A Transport: the loader's early answers first, each to the first GET of its URL within WITHIN_S of `since`
    (by `clock`), then the network."""

    def __init__(self, transport: Transport, answers: Mapping[str, Answer], clock: Clock, since: float) -> None:
        self._transport = transport
        self._answers = dict(answers)
        self._clock = clock
        self._since = since

    @property
    def waiting(self) -> int:
        """Early answers not handed over yet."""
        return len(self._answers)

    async def send(self, request: HttpRequest) -> HttpResponse:
        early = self._answers.pop(request.url, None) if request.method == "GET" and request.body is None else None
        if early is not None and self._clock() - self._since <= WITHIN_S:
            try:
                return await early()
            except OSError:
                pass  # the early request got no answer: this one asks the network itself
        return await self._transport.send(request)


__all__ = ["MAX_EARLY", "WITHIN_S", "Answer", "EarlyAnswers", "record", "recording"]
