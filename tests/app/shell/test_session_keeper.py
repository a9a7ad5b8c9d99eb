"""app.shell.session_keeper on its own, against a fake host: each of the expiry watch's decisions has one action,
and the keeper's notice says what a person (or a kiosk's badge) needs to know."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app.auth.flows import CodeFlow, Flow, ImplicitFlow
from app.auth.session import AuthSession, Token
from app.core.ports import MemoryStorage, run_alone
from app.core.redact import Secret
from app.shell.frame_renewal import NO_ANSWER, NO_SESSION, NOT_TRIED, OFFLINE_RETRY_S, RENEWED
from app.shell.session_keeper import SessionKeeper
from tests.fakes import Clock, FakeHost, MockTransport, config, counter_states, counter_verifiers, standin, state_of


@dataclass
class Calls:
    sign_ins: int = 0
    renewed: int = 0
    reloads: int = 0
    stuck: bool = False
    callback_failed: bool = False
    log: list[str] = field(default_factory=list)


def keeper_for(
    frame: Callable[[str, float], Awaitable[str | None]] | None = None,
    flow: str = "implicit",
    reachable: list[bool] | None = None,
    **overrides: Any,
) -> tuple[SessionKeeper, FakeHost, AuthSession, Calls]:
    """`reachable`: whether PlaceOS answers, one entry per probe (True when the list runs out)."""
    host = FakeHost()
    conf = config(flow=flow, **overrides)
    storage = MemoryStorage()
    session = AuthSession(
        conf, session_storage=storage, token_storage=storage, clock=host.clock, new_state=counter_states()
    )
    made: Flow = (
        CodeFlow(conf, session, transport=MockTransport(standin), clock=host.clock, new_verifier=counter_verifiers())
        if flow == "code"
        else ImplicitFlow(conf, session)
    )
    calls = Calls()

    async def renewed() -> None:
        calls.renewed += 1

    async def reload() -> None:
        calls.reloads += 1

    def sign_in() -> None:
        calls.sign_ins += 1

    probes = list(reachable or [])

    async def placeos_answers() -> bool:
        calls.log.append("probe")
        return probes.pop(0) if probes else True

    keeper = SessionKeeper(
        host,
        conf,
        session=session,
        flow=made,
        frame=frame,
        exclusive=run_alone,
        sign_in=sign_in,
        renewed=renewed,
        reload=reload,
        place_path=lambda: "/?q=room",
        stuck=lambda: calls.stuck,
        callback_failed=lambda: calls.callback_failed,
        reachable=placeos_answers,
    )
    return keeper, host, session, calls


def keep_token(session: AuthSession, clock: Clock, lifetime: float, refresh: str | None = None) -> None:
    session.keep(
        Token(Secret("tok-abcdefgh"), clock() + lifetime, "public", Secret(refresh) if refresh else None, lifetime)
    )


def framed(answer: str | None) -> tuple[Callable[[str, float], Awaitable[str | None]], list[str]]:
    urls: list[str] = []

    async def frame(url: str, timeout_s: float) -> str | None:
        urls.append(url)
        if answer is None:
            return None
        return answer.replace("STATE", state_of(url))

    return frame, urls


def test_quiet_shows_nothing_and_a_warning_shows_once_until_it_changes() -> None:
    keeper, host, session, _ = keeper_for(expiry_warning_s=300)
    keep_token(session, host.clock, 3600)
    keeper.tick()
    assert keeper.notice is None and host.shown == []
    host.clock.advance(3600 - 200)
    keeper.tick()
    assert keeper.notice is not None and "Your session ends in 3 min" in keeper.notice.text and len(host.shown) == 1
    keeper.tick()  # the same warning: not drawn again
    assert len(host.shown) == 1
    keeper.act("dismiss_expiry")
    keeper.tick()
    assert keeper.notice is None  # dismissed for this token


def test_nothing_is_decided_while_the_app_itself_is_not_on_screen() -> None:
    keeper, host, session, calls = keeper_for()
    host.working = False
    keeper.tick()
    assert keeper.notice is None and calls.sign_ins == 0 and host.tasks == []


def test_expired_for_a_person_says_sign_in_again_and_keeps_the_screen() -> None:
    keeper, host, session, calls = keeper_for()
    keeper.tick()
    assert keeper.notice is not None and keeper.notice.kind == "error"
    assert "Sign in again to continue; what you see stays here." in keeper.notice.text and calls.sign_ins == 0
    shown = len(host.shown)
    keeper.tick()  # said once
    assert len(host.shown) == shown


def test_a_kiosk_without_a_frame_signs_in_again_ahead_of_expiry() -> None:
    keeper, host, session, calls = keeper_for(kiosk=True, expiry_warning_s=60)
    keep_token(session, host.clock, 600)
    host.clock.advance(560)
    keeper.tick()
    assert calls.sign_ins == 1


async def test_a_kiosk_renews_in_a_frame_ahead_of_expiry_and_the_socket_follows() -> None:
    frame, urls = framed("access_token=tok-framed-1234&token_type=Bearer&expires_in=600&state=STATE")
    keeper, host, session, calls = keeper_for(frame=frame, kiosk=True, expiry_warning_s=60)
    keep_token(session, host.clock, 600)
    host.clock.advance(560)
    keeper.tick()
    await host.settle()
    token = session.token()
    assert len(urls) == 1 and "prompt=none" in urls[0] and calls.renewed == 1 and calls.sign_ins == 0
    assert token is not None and token.access_token.reveal() == "tok-framed-1234" and keeper.notice is None


async def test_a_frame_that_answers_nothing_while_placeos_answers_backs_off_and_says_a_sign_in_is_needed() -> None:
    frame, urls = framed(None)  # PlaceOS's login page in the frame: it never calls back
    keeper, host, session, _ = keeper_for(frame=frame, kiosk=True)
    assert await keeper.renew_in_frame() == NO_SESSION
    assert (
        keeper.notice is not None
        and "PlaceOS needs a sign-in again" in keeper.notice.text
        and not keeper.frames.offline
    )
    assert keeper.frames.retry_at == host.clock() + 10 and keeper.next_try_at() == host.clock() + 10
    assert await keeper.renew_in_frame() == NOT_TRIED  # within the back-off
    host.clock.advance(10)
    assert await keeper.renew_in_frame() == NO_SESSION
    assert keeper.frames.retry_at == host.clock() + 20 and len(urls) == 2


async def test_an_outage_is_not_a_sign_in_problem_and_is_asked_about_cheaply_every_few_seconds() -> None:
    frame, urls = framed(None)  # the frame's page cannot load
    keeper, host, session, calls = keeper_for(frame=frame, kiosk=True, reachable=[False, False, False, True])
    assert await keeper.renew_in_frame() == NO_ANSWER
    assert keeper.frames.offline and keeper.notice is not None and keeper.notice.kind == "offline"
    assert "cannot be reached" in keeper.notice.text and "sign-in" not in keeper.notice.text
    assert keeper.next_try_at() == host.clock() + OFFLINE_RETRY_S
    host.clock.advance(OFFLINE_RETRY_S)
    assert await keeper.renew_in_frame() == NO_ANSWER  # still away: asked, and no frame (it would wait 10 s)
    assert len(urls) == 1 and calls.log == ["probe", "probe"]
    host.clock.advance(OFFLINE_RETRY_S)
    assert await keeper.renew_in_frame() == NO_ANSWER
    # Back: the frame is tried at once, and PlaceOS answering while the frame does not is a refusal.
    frame_ok, ok_urls = framed("access_token=tok-framed-1234&token_type=Bearer&expires_in=600&state=STATE")
    keeper.frames._frame = frame_ok
    host.clock.advance(OFFLINE_RETRY_S)
    assert await keeper.renew_in_frame() == RENEWED
    assert len(ok_urls) == 1 and not keeper.frames.offline and keeper.notice is None and keeper.next_try_at() is None


async def test_a_frame_that_answers_login_required_is_no_session() -> None:
    frame, _ = framed("error=login_required&state=STATE")
    keeper, *_ = keeper_for(frame=frame, kiosk=True)
    assert await keeper.renew_in_frame() == NO_SESSION


async def test_stay_signed_in_renews_in_place_or_falls_back_to_a_redirect() -> None:
    frame, _ = framed("access_token=tok-framed-1234&token_type=Bearer&expires_in=600&state=STATE")
    keeper, host, session, calls = keeper_for(frame=frame)
    assert await keeper.renew_in_frame() == RENEWED
    nothing, _ = framed(None)
    other, other_host, _, other_calls = keeper_for(frame=nothing)
    other.act("stay_signed_in")
    await other_host.settle()
    assert other_calls.sign_ins == 1 and calls.sign_ins == 0


async def test_the_code_flow_renews_silently_before_expiry_and_reloads_after_it() -> None:
    keeper, host, session, calls = keeper_for(flow="code", expiry_warning_s=300)
    keep_token(session, host.clock, 3600, refresh="refresh-1")
    host.clock.advance(3600 - 100)
    keeper.tick()
    assert len(host.tasks) == 1
    host.drop()
    host.clock.advance(200)  # expired while offline: renewed, then the screen is read again
    keeper.renewal.finish()
    keeper.tick()
    assert len(host.tasks) == 1


def test_a_stuck_kiosk_retries_by_itself_from_an_error_screen_by_signing_in() -> None:
    keeper, host, session, calls = keeper_for(kiosk=True)
    calls.stuck = calls.callback_failed = True
    host.working = False  # an error screen, not the board
    for _ in range(40):
        host.clock.advance(1)
        keeper.tick()
    assert calls.sign_ins == 1


async def test_a_stuck_kiosk_with_a_failed_read_reads_again() -> None:
    keeper, host, session, calls = keeper_for(kiosk=True)
    keep_token(session, host.clock, 3600)
    calls.stuck = True  # the board's read failed and nothing is retrying it
    for _ in range(40):
        host.clock.advance(1)
        keeper.tick()
    await host.settle()
    assert calls.reloads == 1 and calls.sign_ins == 0
