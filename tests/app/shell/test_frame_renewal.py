"""app.shell.frame_renewal on its own: a frame that never answers is an outage when PlaceOS does not answer either,
asked about every few seconds without a frame, and a refusal, spaced out, when PlaceOS answers."""

from __future__ import annotations

from app.auth.expiry import ExpiryWatch
from app.auth.flows import ImplicitFlow
from app.auth.renewal import RenewalGuard
from app.auth.session import AuthSession
from app.core.ports import MemoryStorage, run_alone
from app.shell.frame_renewal import (
    FRAME_BACKOFF_S,
    NO_ANSWER,
    NO_SESSION,
    NOT_TRIED,
    OFFLINE_RETRY_S,
    RENEWED,
    FrameRenewal,
)
from tests.fakes import Clock, config, counter_states, state_of


class World:
    """PlaceOS as the frame and the probe see it: up or down, with or without a session."""

    def __init__(self) -> None:
        self.up = True
        self.session = True
        self.frames: list[str] = []
        self.probes = 0

    async def frame(self, url: str, timeout_s: float) -> str | None:
        self.frames.append(url)
        if not self.up or not self.session:
            return None  # an error page, or PlaceOS's login page: no callback either way
        return f"access_token=tok-framed-{len(self.frames)}&token_type=Bearer&expires_in=600&state={state_of(url)}"

    async def reachable(self) -> bool:
        self.probes += 1
        return self.up


def renewal(world: World) -> tuple[FrameRenewal, Clock, AuthSession]:
    clock = Clock()
    conf = config(kiosk=True)
    storage = MemoryStorage()
    session = AuthSession(conf, session_storage=storage, token_storage=storage, clock=clock, new_state=counter_states())
    made = FrameRenewal(
        clock,
        session=session,
        flow=ImplicitFlow(conf, session),
        frame=world.frame,
        exclusive=run_alone,
        guard=RenewalGuard(clock),
        expiry=ExpiryWatch(300, kiosk=True, in_frame=True),
        reachable=world.reachable,
        place_path=lambda: "/",
    )
    return made, clock, session


async def test_an_outage_is_probed_every_few_seconds_without_a_frame_and_renewed_once_placeos_is_back() -> None:
    world = World()
    world.up = False
    frames, clock, session = renewal(world)
    assert await frames.attempt() == NO_ANSWER and frames.offline
    assert frames.next_try_at() == clock() + OFFLINE_RETRY_S
    for _ in range(20):  # a long outage: one small request every 5 s, never a frame (each would wait 10 s)
        clock.advance(OFFLINE_RETRY_S - 1)
        assert await frames.attempt() == NOT_TRIED
        clock.advance(1)
        assert await frames.attempt() == NO_ANSWER
    assert len(world.frames) == 1 and world.probes == 21
    world.up = True
    clock.advance(OFFLINE_RETRY_S)
    assert await frames.attempt() == RENEWED and not frames.offline and frames.next_try_at() is None
    token = session.token()
    assert token is not None and token.access_token.reveal().startswith("tok-framed-")


async def test_placeos_up_and_no_session_is_a_refusal_spaced_out_and_never_called_offline() -> None:
    world = World()
    world.session = False
    frames, clock, _ = renewal(world)
    waits = []
    for _ in range(2):  # (a third within the minute would meet the sign-in loop breaker, as any sign-in does)
        assert await frames.attempt() == NO_SESSION and not frames.offline
        at = frames.next_try_at()
        assert at is not None
        waits.append(at - clock())
        clock.advance(at - clock())
    assert waits == list(FRAME_BACKOFF_S[:2]) and len(world.frames) == 2


async def test_one_attempt_at_a_time_and_none_before_its_time() -> None:
    world = World()
    world.up = False
    frames, clock, _ = renewal(world)
    await frames.attempt()
    assert await frames.attempt() == NOT_TRIED and world.probes == 1
