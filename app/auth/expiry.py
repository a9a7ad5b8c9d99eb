"""Watching the token's lifetime: given the token and the time, what should happen now.

Pure: the controller asks on every tick and acts on the answer. The watch owns the person's "Dismiss" of the
"stay signed in?" prompt, which holds for the token it was given for only, so a new sign-in warns again.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.session import Token
from app.core.redact import Secret

SILENT_RENEWAL_MIN_S = 60  # a refresh token is used at least this long before expiry, whatever the warning says
# Warn or renew once this share of the token's lifetime has passed, but never earlier than the configured window:
# a token shorter than the window (a 30 s token against a 300 s warning) then renews once per lifetime, instead of
# at once on every load, which looped.
RENEW_AT = 0.8


@dataclass(frozen=True)
class Quiet:
    """Nothing to do, and no expiry prompt should be showing."""


@dataclass(frozen=True)
class Warn:
    remaining: float


@dataclass(frozen=True)
class RenewSilently:
    """Renew with the refresh token now, without a prompt (the code flow). `reload`: it ran out already (offline
    for a while), so what is on screen is read again once renewed."""

    reload: bool = False


@dataclass(frozen=True)
class RenewInFrame:
    """Renew from PlaceOS's session in a hidden frame, without leaving the page (an unattended kiosk)."""


@dataclass(frozen=True)
class RenewByRedirect:
    """Sign in again ahead of expiry, while PlaceOS still has a session (a kiosk that cannot renew in a frame)."""


@dataclass(frozen=True)
class Expired:
    """No usable token: it ran out, or there is none."""


Decision = Quiet | Warn | RenewSilently | RenewInFrame | RenewByRedirect | Expired


class ExpiryWatch:
    def __init__(self, warning_s: int, *, kiosk: bool, in_frame: bool = False) -> None:
        self._warning_s = warning_s
        self._kiosk = kiosk
        self._in_frame = in_frame  # this page can renew in a hidden frame
        self._dismissed: Secret | None = None  # the access token whose prompt the person dismissed

    def decide(self, token: Token | None, now: float) -> Decision:
        if token is None:
            # A display whose token ran out while PlaceOS was away keeps renewing from PlaceOS's session once it is
            # back; waiting for a person here left it stale for good (found by the accelerated week).
            return RenewInFrame() if self._kiosk and self._in_frame else Expired()
        remaining = token.remaining(now)
        if remaining <= 0 and token.refresh_token:
            return RenewSilently(reload=True)  # ran out while offline: keep trying with what renews
        if remaining <= 0:
            return RenewInFrame() if self._kiosk and self._in_frame else Expired()
        if token.refresh_token:
            renew_from = self._window(token, max(self._warning_s, SILENT_RENEWAL_MIN_S))
            return RenewSilently() if remaining <= renew_from else Quiet()
        if remaining > self._window(token, self._warning_s):
            return Quiet()
        if self._kiosk:
            return RenewInFrame() if self._in_frame else RenewByRedirect()
        if self._dismissed == token.access_token:
            return Quiet()
        return Warn(remaining)

    @staticmethod
    def _window(token: Token, configured: float) -> float:
        """How long before expiry to act: the configured window, cut to the last 20 % of a short token's life."""
        if token.lifetime_s is None:
            return configured
        return min(configured, token.lifetime_s - token.lifetime_s * RENEW_AT)

    def dismiss(self, token: Token | None) -> None:
        """The person said no to "stay signed in?": not again for this token."""
        self._dismissed = token.access_token if token else None


__all__ = ["Decision", "Expired", "ExpiryWatch", "Quiet", "RenewByRedirect", "RenewInFrame", "RenewSilently", "Warn"]
