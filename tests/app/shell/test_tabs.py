"""app.shell.tabs on its own, against a fake host: a new tab borrows a signed-in tab's token, a sign-out in one tab
reaches the others, and a shared token's changes are reported."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.auth.session import AuthSession, Token
from app.core.ports import MemoryStorage
from app.core.redact import Secret
from app.shell.tabs import SIGNED_OUT, TOKEN_OFFERED, TOKEN_WANTED, OtherTabs
from tests.fakes import (
    Clock,
    FakeHost,
    Harness,
    config,
    counter_states,
)


@dataclass
class Told:
    signed_out: int = 0
    arrived: int = 0
    gone: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)


def linked(a: Harness, b: Harness) -> None:
    """Two tabs of one origin: a BroadcastChannel between them, and one localStorage."""
    a.app.tabs.broadcast = b.app.tabs.message
    b.app.tabs.broadcast = a.app.tabs.message
    b.session._shared = a.session._shared


messages = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda kind, nonce, token: json.dumps({"type": kind, "nonce": nonce, "token": token}),
        st.sampled_from(["token-wanted", "token-offered", "signed-out", "x"]),
        st.one_of(st.text(max_size=80), st.integers(), st.none()),
        st.one_of(st.text(max_size=200), st.integers(), st.none(), st.just('{"access_token": 1}')),
    ),
)


def tab(
    storage: MemoryStorage | None = None, renews: bool | None = None
) -> tuple[OtherTabs, AuthSession, FakeHost, Told]:
    host = FakeHost()
    storage = storage or MemoryStorage()
    session = AuthSession(
        config(storage="local"),
        session_storage=MemoryStorage(),
        token_storage=storage,
        clock=host.clock,
        new_state=counter_states(),
        shared_storage=storage,
    )
    told = Told()

    async def renew() -> bool:
        return bool(renews)

    tabs = OtherTabs(
        host,
        session,
        broadcast=lambda message: told.sent.append(json.loads(message) if message.startswith("{") else {"m": message}),
        renew_in_frame=renew if renews is not None else None,
        signed_out_elsewhere=lambda: setattr(told, "signed_out", told.signed_out + 1),
        token_arrived=lambda: setattr(told, "arrived", told.arrived + 1),
        token_gone=lambda: setattr(told, "gone", told.gone + 1),
    )
    return tabs, session, host, told


def token(clock: Clock, lifetime: float = 3600, refresh: str | None = "refresh-1") -> Token:
    return Token(Secret("tok-abcdefgh"), clock() + lifetime, "public", Secret(refresh) if refresh else None, lifetime)


async def test_a_new_tab_borrows_the_token_of_a_signed_in_tab_but_never_its_refresh_token() -> None:
    shared = MemoryStorage()
    signed_in, session_a, _, told_a = tab(shared)
    session_a.keep(token(Clock()))
    session_a.signed_in_ok()
    new, session_b, _, told_b = tab(shared)

    async def answer() -> None:
        while not told_b.sent:
            await asyncio.sleep(0)
        asked = told_b.sent[0]
        assert asked["type"] == TOKEN_WANTED
        signed_in.message(json.dumps(asked))
        offered = told_a.sent[-1]
        assert offered["type"] == TOKEN_OFFERED and offered["nonce"] == asked["nonce"]
        new.message(json.dumps(offered))

    borrowed, _ = await asyncio.gather(new.borrow(), answer())
    kept = session_b.token()
    assert borrowed and kept is not None and kept.access_token.reveal() == "tok-abcdefgh" and kept.refresh_token is None


async def test_nobody_is_asked_when_no_tab_may_be_signed_in() -> None:
    new, _, _, told = tab()
    assert not await new.borrow() and told.sent == []


async def test_a_tab_that_is_not_showing_the_app_offers_nothing() -> None:
    shared = MemoryStorage()
    tabs, session, host, told = tab(shared)
    session.keep(token(host.clock))
    host.working = False
    tabs.message(json.dumps({"type": TOKEN_WANTED, "nonce": "n1"}))
    tabs.message(json.dumps({"type": TOKEN_WANTED, "nonce": "x" * 65}))  # too long a nonce: no answer either
    assert told.sent == []


def test_hostile_messages_are_ignored() -> None:
    tabs, *_, told = tab()
    for message in ("{", "[]", '{"type": 1}', '{"type": "token-offered", "nonce": "n", "token": 5}', "other"):
        tabs.message(message)
    assert told == Told()


def test_a_sign_out_elsewhere_and_a_shared_token_changing_are_reported() -> None:
    tabs, session, host, told = tab()
    tabs.message(SIGNED_OUT)
    tabs.token_changed()  # no token: gone
    session.keep(token(host.clock))
    tabs.token_changed()
    assert (told.signed_out, told.gone, told.arrived) == (1, 1, 1)


async def test_a_quiet_renewal_is_tried_only_with_a_frame_and_a_tab_that_held_a_token() -> None:
    without_frame, *_ = tab()
    assert not await without_frame.renew_quietly()
    shared = MemoryStorage()
    first, session, _, _ = tab(shared)
    session.keep(token(Clock()))
    session.signed_in_ok()
    with_frame, *_ = tab(shared, renews=True)
    assert await with_frame.renew_quietly()


async def test_a_new_tab_starts_signed_in_with_the_token_of_a_signed_in_tab() -> None:
    first = Harness()
    await first.sign_in()
    second = Harness(path="/?system=sys-0000000002")
    linked(first, second)
    await second.app.start("", second.clock.now)
    await second.settle()
    assert "Sign in to PlaceOS" not in second.screen.text and second.app.working
    assert second.app.model.browse.place.system == "sys-0000000002"
    assert second.session.token().access_token.reveal() == first.session.token().access_token.reveal()


async def test_a_first_visit_asks_no_tab_and_waits_for_none() -> None:
    asked: list[str] = []
    alone = Harness()
    alone.app.tabs.broadcast = asked.append
    await alone.app.start("", alone.clock.now)
    assert asked == [] and "Sign in to PlaceOS" in alone.screen.text


async def test_a_signed_out_tab_offers_nothing_and_the_refresh_token_never_travels() -> None:
    first = Harness()
    await first.app.start("", first.clock.now)  # signed out
    second = Harness()
    linked(first, second)
    second.session._shared.set("placeos.signed-in-until", str(int(second.clock.now + 600)))
    await second.app.start("", second.clock.now)
    assert "Sign in to PlaceOS" in second.screen.text
    sent: list[str] = []
    first.app.tabs.broadcast = sent.append
    await first.sign_in()
    first.session.keep(
        first.session.token().__class__.from_json(
            json.dumps({**json.loads(first.session.token().to_json()), "refresh_token": "rt-secret"})
        )
    )
    first.app.tabs.message(json.dumps({"type": "token-wanted", "nonce": "n1"}))
    assert sent and "rt-secret" not in sent[-1] and json.loads(sent[-1])["nonce"] == "n1"


@given(st.lists(messages, max_size=6))
def test_no_message_from_another_tab_breaks_a_tab_or_gives_it_a_token_it_did_not_ask_for(sent: list[str]) -> None:
    h_ = Harness()
    answers: list[str] = []
    h_.app.tabs.broadcast = answers.append
    for message in sent:
        h_.app.tabs.message(message)
    assert h_.session.token() is None  # nothing asked, nothing taken
    assert answers == []  # a signed-out tab offers nothing
