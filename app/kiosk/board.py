"""The kiosk board's behaviour: read its rooms, keep the visible page bound to live state, turn pages, refresh on a
schedule, back off when PlaceOS is away, and keep a saved copy so a reload or a reboot paints at once.

After its first paint the board never gives way to a blank, a loading screen or a dialog: every failure becomes a
badge on the board (app.board_view), and every retry is scheduled here or in app.upkeep.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.api.realtime import Binding
from app.core.config import ClientConfig
from app.core.errors import ApiError, AuthRequired, NetworkError
from app.core.redact import log
from app.kiosk.state import LIVE_NAMES, MAX_ROOMS, BoardState, from_snapshot, grid_for, room_from, snapshot
from app.kiosk.view import board_view
from app.shell.model import Model
from app.ui.elements import to_data
from app.ui.screens import Working

if TYPE_CHECKING:
    from app.shell.controller import App

Viewport = Callable[[], tuple[float, float]]  # the screen's CSS pixels: window.innerWidth, innerHeight
RETRY_S = (10, 20, 40, 80, 160, 300)  # after failed refreshes; then every 5 minutes
SAVE_EVERY_S = 10.0  # live values change often; storage need not follow each one


class Board:
    def __init__(self, app: App, viewport: Viewport) -> None:
        self._app = app
        self._viewport = viewport
        self.state = BoardState(grid=grid_for(*viewport()), refresh_s=app.config.board_refresh_s)
        self._next_refresh_at = 0.0
        self._page_since = 0.0
        self._failures = 0
        self._unsaved = False
        self._saved_at = 0.0

    @property
    def config(self) -> ClientConfig:
        return self._app.config

    def paint_saved(self) -> bool:
        """The last known board, at once, before anything is asked of PlaceOS. True if there was one."""
        saved = from_snapshot(self._app.session.saved_view())
        if saved is None:
            return False
        saved.grid, saved.now, saved.refresh_s = self.state.grid, self._app.clock(), self.state.refresh_s
        self.state = saved
        self._show()
        return True

    def enter(self) -> None:
        """Signed in: refresh now, and take the live state of the rooms on screen."""
        self._app.live.on_value = self.value
        self._next_refresh_at = 0.0
        self._page_since = self._app.clock()

    async def refresh(self) -> None:
        app, state = self._app, self.state
        state.refreshing = True
        filters: dict[str, Any] = {"zone_id": self.config.board_zone} if self.config.board_zone else {}
        try:
            rooms = []
            async for record in app.api.all_systems(q=self.config.board_search, **filters):
                if (room := room_from(record)) is not None:
                    rooms.append(room)
                if len(rooms) >= MAX_ROOMS:
                    break
        except AuthRequired:
            self._failed("PlaceOS no longer accepts this board's sign-in.")
            app.upkeep.auth_required("PlaceOS no longer accepts your sign-in.")
            return
        except ApiError as error:
            self._failed("PlaceOS cannot be reached." if isinstance(error, NetworkError) else str(error))
            return
        finally:
            state.refreshing = False
        now = app.clock()
        state.rooms, state.fetched_at, state.updated_at = rooms, now, now
        state.live = {room.id: state.live[room.id] for room in rooms if room.id in state.live}
        state.problem, state.retry_at, state.from_saved_copy = "", None, False
        self._failures = 0
        self._next_refresh_at = now + self.config.board_refresh_s
        app.session.signed_in_ok()
        self._save(now)
        await self._bind_visible()
        self._show()

    def _failed(self, problem: str) -> None:
        now = self._app.clock()
        self._failures += 1
        wait = RETRY_S[min(self._failures, len(RETRY_S)) - 1]
        self.state.problem, self.state.retry_at = problem, now + wait
        self._next_refresh_at = now + wait
        log.info("board: refresh failed (%d in a row), next try in %d s", self._failures, wait)
        self._show()

    def tick(self) -> None:
        """Every second: the clock, the page turn, a refresh when one is due, the saved copy."""
        app, state = self._app, self.state
        now = app.clock()
        state.now = now
        state.connected, state.live_retry_at = app.live.connected, app.live.retry_at
        state.sign_in_retry_at = app.upkeep.frame_retry_at or None
        if not state.refreshing and now >= self._next_refresh_at and app.session.valid_token() is not None:
            app.spawn(self.refresh())
        if state.pages > 1 and now - self._page_since >= self.config.board_rotate_s:
            state.page = (state.page + 1) % state.pages
            self._page_since = now
            app.spawn(self._bind_visible())
        if self._unsaved and now - self._saved_at >= SAVE_EVERY_S:
            self._save(now)
        self._show()

    def resized(self) -> None:
        grid = grid_for(*self._viewport())
        if grid != self.state.grid:
            self.state.grid, self.state.page = grid, 0
            self._app.spawn(self._bind_visible())
            self._show()

    def value(self, binding: Binding, value: Any) -> None:
        state = self.state
        if binding.name not in LIVE_NAMES or binding.sys not in {room.id for room in state.visible()}:
            return
        state.live.setdefault(binding.sys, {})[binding.name] = value
        state.updated_at = self._app.clock()
        self._unsaved = True
        self._show()

    async def _bind_visible(self) -> None:
        wanted = {Binding(room.id, "Bookings", 1, name) for room in self.state.visible() for name in LIVE_NAMES}
        await self._app.live.keep_only(wanted)

    def _save(self, now: float) -> None:
        # Also as the next start will first show it, from the saved copy: no clock (its time would be wrong), no
        # problem of this run's, "Refreshing".
        first = replace(self.state, from_saved_copy=True, now=0.0, problem="", connected=True)
        first.live_retry_at = first.retry_at = first.sign_in_retry_at = None
        painted = [to_data(node) for node in board_view(Model(screen=Working(), board=first))]
        self._app.session.keep_view(snapshot(self.state), json.dumps(painted, separators=(",", ":")))
        self._unsaved, self._saved_at = False, now

    def _show(self) -> None:
        self.state.now = self._app.clock()
        if self._app.model.board is not self.state:
            self._app.model.board = self.state
        self._app.show()


__all__ = ["RETRY_S", "Board", "Viewport"]
