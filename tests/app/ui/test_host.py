"""app.ui.host: the host a unit is given. The app and the tests' fake host are both one, and nothing more is
asked of the app by a unit than this and its own collaborators."""

from __future__ import annotations

from app.ui.host import Host
from tests.fakes import FakeHost, Harness


def host_of(host: Host) -> Host:  # mypy checks that each argument below is a Host
    return host


def test_the_app_and_the_fake_host_are_hosts() -> None:
    app, fake = Harness().app, FakeHost()
    for host in (host_of(app), host_of(fake)):
        host.show()
        assert callable(host.spawn) and isinstance(host.clock(), float) and isinstance(host.working, bool)
    assert fake.shown == [None]


def test_the_host_is_small() -> None:
    members = {name for name in vars(Host) if not name.startswith("_")} | set(Host.__annotations__)
    assert members == {"clock", "spawn", "show", "working"}
