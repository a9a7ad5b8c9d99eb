"""app.api.live: the page's one socket as the app uses it, values as an event with subscribe and unsubscribe."""

from __future__ import annotations

from typing import Any

from app.api.frames import Binding
from app.api.live import Live
from tests.fakes import Clock

ROOM = Binding("sys-1", "Bookings", 1, "status")


class FakeRealtime:
    def __init__(self) -> None:
        self.runs = 0
        self.bound: list[set[Binding]] = []
        self.token_changes = 0
        self.stopped = False

    async def run(self) -> None:
        self.runs += 1

    async def keep_only(self, wanted: set[Binding]) -> None:
        self.bound.append(wanted)

    async def token_changed(self) -> None:
        self.token_changes += 1

    async def stop(self) -> None:
        self.stopped = True


def live_with(realtime: FakeRealtime | None = None, **kwargs: Any) -> tuple[Live, list[Any]]:
    spawned: list[Any] = []
    return Live(realtime, spawn=spawned.append, clock=kwargs.pop("clock", Clock()), **kwargs), spawned  # type: ignore[arg-type]


def test_every_subscriber_gets_each_value_until_it_unsubscribes() -> None:
    live, _ = live_with()
    board: list[Any] = []
    detail: list[Any] = []
    live.subscribe(lambda binding, value: board.append(value))
    stop_detail = live.subscribe(lambda binding, value: detail.append(value))
    live.value(ROOM, "busy")
    stop_detail()
    stop_detail()  # a second unsubscribe does nothing
    live.value(ROOM, "free")
    assert board == ["busy", "free"] and detail == ["busy"]


def test_a_listener_may_unsubscribe_while_a_value_is_delivered() -> None:
    live, _ = live_with()
    seen: list[Any] = []
    stops: list[Any] = []
    stops.append(live.subscribe(lambda binding, value: (seen.append(("first", value)), stops[0]())))
    live.subscribe(lambda binding, value: seen.append(("second", value)))
    live.value(ROOM, "busy")
    live.value(ROOM, "free")
    assert seen == [("first", "busy"), ("second", "busy"), ("second", "free")]


async def test_the_socket_starts_once_and_is_told_of_renewals_and_the_end() -> None:
    realtime = FakeRealtime()
    live, spawned = live_with(realtime)
    live.start()
    live.start()
    assert len(spawned) == 1
    await spawned[0]
    await live.keep_only({ROOM})
    await live.renewed()
    await live.stop()
    assert realtime.runs == 1 and realtime.bound == [{ROOM}] and realtime.token_changes == 1 and realtime.stopped


async def test_without_a_socket_nothing_is_started_or_bound() -> None:
    live, spawned = live_with(None)
    live.start()
    await live.keep_only({ROOM})
    await live.renewed()
    await live.stop()
    assert spawned == []


def test_connection_state_and_when_it_tries_again() -> None:
    clock = Clock(1000.0)
    accepted: list[bool] = []
    live, _ = live_with(clock=clock, on_connected=lambda: accepted.append(True))
    live.retrying(12)
    assert live.retry_at == 1012.0 and not live.connected
    live.connection(True)
    assert live.connected and live.retry_at is None and accepted == [True]
    live.connection(False)
    assert not live.connected and accepted == [True]


def test_a_binding_placeos_refuses_reaches_subscribers_as_none_known_absent() -> None:
    live, _ = live_with()
    seen: list[tuple[Binding, Any]] = []
    live.subscribe(lambda binding, value: seen.append((binding, value)))
    live.missing(ROOM)
    assert seen == [(ROOM, None)]


async def test_each_owner_binds_its_own_and_the_socket_binds_what_any_wants() -> None:
    realtime = FakeRealtime()
    live, _ = live_with(realtime)
    people = Binding("sys-1", "Bookings", 1, "people_count")
    await live.keep_only({ROOM})
    await live.keep_only({ROOM, people}, owner="developer")
    await live.keep_only(set())  # the screen moves on: the developer's stay bound
    assert realtime.bound == [{ROOM}, {ROOM, people}, {ROOM, people}]
    await live.keep_only(set(), owner="developer")
    assert realtime.bound[-1] == set()
