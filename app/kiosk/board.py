"""The kiosk board's behaviour: read its rooms, keep the visible page bound to live state, turn pages, refresh on a
schedule, back off when PlaceOS is away, and keep a saved copy so a reload or a reboot paints at once.

After its first paint the board never gives way to a blank, a loading screen or a dialog: every failure becomes a
badge on the board (app.kiosk.view), and every retry is scheduled here or in app.shell.session_keeper.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.api.client import PlaceOSClient
from app.api.frames import Binding
from app.api.live import Live
from app.auth.session import AuthSession
from app.core.config import ClientConfig
from app.core.errors import ApiError, AuthRequired, NetworkError, ServerError
from app.core.redact import log
from app.kiosk.state import (
    LIVE_NAMES,
    MAX_ROOMS,
    BoardState,
    from_snapshot,
    grid_for,
    is_quiet,
    quiet_span,
    room_from,
    shift_at,
    snapshot,
)
from app.kiosk.view import board_view
from app.ui.elements import to_data
from app.ui.host import Host

Viewport = Callable[[], tuple[float, float]]  # the screen's CSS pixels: window.innerWidth, innerHeight
# After failed refreshes; then every 10 s. An outage costs PlaceOS one small read per display every 10 s, and the
# board is fresh again within seconds of PlaceOS coming back, however long it was away.
RETRY_S = (2, 5, 10)


class Board:
    def __init__(
        self,
        host: Host,
        config: ClientConfig,
        *,
        api: PlaceOSClient,
        live: Live,
        session: AuthSession,
        viewport: Viewport,
        auth_required: Callable[[str], None],
        sign_in_retry_at: Callable[[], float | None],
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._host = host
        self.config = config
        self._api = api
        self._live = live
        self._session = session
        self._viewport = viewport
        self._auth_required = auth_required  # refused: app.shell.session_keeper renews in a frame, spaced
        self._sign_in_retry_at = sign_in_retry_at  # when app.shell.session_keeper next renews, for the badge
        self._jitter = jitter  # 0..1: displays switched on together do not all beat at once
        self._heartbeat_at = 0.0
        self._quiet = quiet_span(config.board_quiet)
        self.state = BoardState(
            grid=grid_for(*viewport()),
            refresh_s=config.board_refresh_s,
            placeos=placeos_host(config.placeos_base),
            free_first=config.board_order == "free-first",
        )
        self.drawn = False  # the board has something to show: from then on it stays on screen
        self._unsubscribe: Callable[[], None] | None = None
        self._next_refresh_at = 0.0
        self._page_since = 0.0
        self._failures = 0
        self._unsaved = False
        self._saved_at = 0.0

    def paint_saved(self) -> bool:
        """The last known board, at once, before anything is asked of PlaceOS. True if there was one."""
        saved = from_snapshot(self._session.saved_view())
        if saved is None:
            return False
        saved.grid, saved.now, saved.refresh_s = self.state.grid, self._host.clock(), self.state.refresh_s
        saved.placeos, saved.free_first = self.state.placeos, self.state.free_first
        self.state = saved
        self._show()
        return True

    def enter(self) -> None:
        """Signed in: refresh now, and take the live state of the rooms on screen."""
        if self._unsubscribe is None:
            self._unsubscribe = self._live.subscribe(self.value)
        self._next_refresh_at = 0.0
        self._page_since = self._host.clock()

    async def refresh(self) -> None:
        state = self.state
        state.refreshing = True
        filters: dict[str, Any] = {"zone_id": self.config.board_zone} if self.config.board_zone else {}
        try:
            rooms = []
            async for record in self._api.all_systems(q=self.config.board_search, **filters):
                if (room := room_from(record)) is not None:
                    rooms.append(room)
                if len(rooms) >= MAX_ROOMS:
                    break
        except AuthRequired:
            # The session keeper renews and says how that goes: an outage, or a sign-in PlaceOS refuses.
            state.problem, state.offline = "", False
            self._auth_required("PlaceOS no longer accepts your sign-in.")
            return
        except (NetworkError, ServerError):
            self._failed("PlaceOS cannot be reached.", offline=True)
            return
        except ApiError as error:
            self._failed(str(error), offline=False)
            return
        finally:
            state.refreshing = False
        now = self._host.clock()
        state.rooms, state.fetched_at, state.updated_at = rooms, now, now
        state.live = {room.id: state.live[room.id] for room in rooms if room.id in state.live}
        state.problem, state.offline, state.retry_at, state.from_saved_copy = "", False, None, False
        self._failures = 0
        self._next_refresh_at = now + self.config.board_refresh_s
        self._session.signed_in_ok()
        if self.config.board_zone and not state.building:
            state.building = await self._building()
        self._save(now)
        await self._bind_visible()
        self._show()

    def _failed(self, problem: str, offline: bool) -> None:
        now = self._host.clock()
        self._failures += 1
        wait = RETRY_S[min(self._failures, len(RETRY_S)) - 1]
        self.state.problem, self.state.offline, self.state.retry_at = problem, offline, now + wait
        self._next_refresh_at = now + wait
        log.info("board: refresh failed (%d in a row), next try in %d s", self._failures, wait)
        self._show()

    def tick(self) -> None:
        """Every second: the clock, the page turn, a refresh when one is due, the saved copy."""
        host, state = self._host, self.state
        now = host.clock()
        state.now = now
        local = time.localtime(now)
        state.quiet = is_quiet(self._quiet, local.tm_hour * 60 + local.tm_min)
        state.shift = shift_at(now)
        state.connected, state.live_retry_at = self._live.connected, self._live.retry_at
        signed_in = self._session.valid_token() is not None
        if not state.refreshing and now >= self._next_refresh_at and signed_in:
            state.refreshing = True  # at once: the badge says "now", and the next tick does not start another
            host.spawn(self.refresh())
        if self.config.board_system and signed_in and not state.offline and now >= self._heartbeat_at:
            self._heartbeat_at = now + self.config.board_heartbeat_s * (0.9 + 0.2 * self._jitter())
            host.spawn(self._heartbeat())
        # The badge's "trying again at" is when this board next reads: while it has no token, the renewal's time.
        state.retry_at = (now if state.refreshing else self._next_refresh_at) if state.problem and signed_in else None
        if state.pages > 1 and now - self._page_since >= self.config.board_rotate_s:
            state.page = (state.page + 1) % state.pages
            self._page_since = now
            host.spawn(self._bind_visible())
        if self._unsaved and now - self._saved_at >= self.config.board_save_s:
            self._save(now)
        self._show()

    async def _building(self) -> str:
        """The zone's name for the header ("Rooms · Sydney HQ"); "" when PlaceOS will not say."""
        try:
            zone = await self._api.zone(self.config.board_zone)
        except ApiError:
            return ""
        name = zone.get("display_name") or zone.get("name")
        return name[:120] if isinstance(name, str) else ""

    async def _heartbeat(self) -> None:
        """PlaceOS's record that this display was seen alive (signage_last_seen on its system). A failed beat
        changes nothing on screen: the board's own reads say whether PlaceOS can be reached."""
        try:
            await self._api.signage_seen(self.config.board_system)
        except ApiError as error:
            log.info("board: heartbeat not taken (%s)", type(error).__name__)

    def resized(self) -> None:
        grid = grid_for(*self._viewport())
        if grid != self.state.grid:
            self.state.grid, self.state.page = grid, 0
            self._host.spawn(self._bind_visible())
            self._show()

    def value(self, binding: Binding, value: Any) -> None:
        state = self.state
        if binding.name not in LIVE_NAMES or binding.sys not in {room.id for room in state.visible()}:
            return
        state.live.setdefault(binding.sys, {})[binding.name] = value
        state.updated_at = self._host.clock()
        self._unsaved = True
        self._show()

    async def _bind_visible(self) -> None:
        wanted = {Binding(room.id, "Bookings", 1, name) for room in self.state.visible() for name in LIVE_NAMES}
        await self._live.keep_only(wanted)

    def _save(self, now: float) -> None:
        # Also as the next start will first show it, from the saved copy: no clock (its time would be wrong), no
        # problem of this run's, "Refreshing".
        first = replace(
            self.state, from_saved_copy=True, now=0.0, problem="", offline=False, connected=True, quiet=False, shift=0
        )
        first.live_retry_at = first.retry_at = first.sign_in_retry_at = None
        painted = [to_data(node) for node in board_view(first)]
        self._session.keep_view(snapshot(self.state), json.dumps(painted, separators=(",", ":")))
        self._unsaved, self._saved_at = False, now

    def _show(self) -> None:
        self.state.now = self._host.clock()
        self.state.sign_in_retry_at = self._sign_in_retry_at()  # the renewal's, as it is now
        self.drawn = True
        self._host.show()


def placeos_host(base: str) -> str:
    """PlaceOS's host name, where a display's administrator signs in: said on the badge when a sign-in is needed."""
    return base.split("://", 1)[-1].split("/", 1)[0]


__all__ = ["RETRY_S", "Board", "Viewport", "placeos_host"]
