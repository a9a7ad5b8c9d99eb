"""The expiry watch (app.expiry), as a table: token and time in, decision out."""

from __future__ import annotations

import pytest

from app.auth.expiry import Decision, Expired, ExpiryWatch, Quiet, RenewByRedirect, RenewSilently, Warn
from app.auth.session import Token
from app.core.redact import Secret

NOW = 1_800_000_000.0


def token(remaining: float, refresh: bool = False, name: str = "tok-abcdefgh") -> Token:
    return Token(Secret(name), NOW + remaining, "public", Secret("ref-abcdefgh") if refresh else None)


@pytest.mark.parametrize(
    ("case", "remaining", "refresh", "kiosk", "expected"),
    [
        ("no token at all", None, False, False, Expired()),
        ("ran out", 0, False, False, Expired()),
        ("ran out long ago", -3600, False, False, Expired()),
        ("plenty left", 3600, False, False, Quiet()),
        ("just outside the warning", 301, False, False, Quiet()),
        ("inside the warning", 300, False, False, Warn(300)),
        ("nearly gone", 1, False, False, Warn(1)),
        ("a kiosk renews instead of asking", 120, False, True, RenewByRedirect()),
        ("a kiosk with plenty left", 3600, False, True, Quiet()),
        ("refresh token, plenty left", 3600, True, False, Quiet()),
        ("refresh token, inside the warning: silently, no prompt", 200, True, False, RenewSilently()),
        ("refresh token on a kiosk: silently too", 200, True, True, RenewSilently()),
        ("refresh token, ran out: renewed, then read again", 0, True, False, RenewSilently(reload=True)),
    ],
)
def test_decisions(case: str, remaining: float | None, refresh: bool, kiosk: bool, expected: Decision) -> None:
    watch = ExpiryWatch(300, kiosk=kiosk)
    given = None if remaining is None else token(remaining, refresh)
    assert watch.decide(given, NOW) == expected, case


@pytest.mark.parametrize(
    ("warning", "remaining", "expected"), [(0, 59, RenewSilently()), (0, 61, Quiet()), (30, 45, RenewSilently())]
)
def test_a_refresh_token_is_used_at_least_a_minute_ahead_whatever_the_warning(
    warning: int, remaining: float, expected: Decision
) -> None:
    assert ExpiryWatch(warning, kiosk=False).decide(token(remaining, refresh=True), NOW) == expected


def test_a_dismissal_holds_for_its_token_only() -> None:
    watch = ExpiryWatch(300, kiosk=False)
    first = token(200)
    watch.dismiss(first)
    assert watch.decide(first, NOW) == Quiet()
    assert watch.decide(token(100), NOW) == Quiet()  # the same access token, later: still dismissed
    renewed = token(200, name="tok-renewed0")
    assert watch.decide(renewed, NOW) == Warn(200)  # a new sign-in warns again
    watch.dismiss(None)
    assert watch.decide(first, NOW) == Warn(200)


@pytest.mark.parametrize(
    ("lifetime", "remaining", "expected"),
    [
        (30, 7, Quiet()),  # 23 s into a 30 s token, against a 300 s warning: not yet
        (30, 6, Warn(6)),  # 80 % of its life has passed
        (600, 121, Quiet()),
        (600, 120, Warn(120)),
        (7200, 301, Quiet()),  # a long token: the configured warning decides
        (7200, 300, Warn(300)),
    ],
)
def test_the_window_is_the_last_fifth_of_a_short_tokens_life(
    lifetime: float, remaining: float, expected: Decision
) -> None:
    watch = ExpiryWatch(300, kiosk=False)
    given = Token(Secret("tok-abcdefgh"), NOW + remaining, "public", lifetime_s=lifetime)
    assert watch.decide(given, NOW) == expected


def test_a_short_refresh_token_renews_at_eighty_percent_too() -> None:
    watch = ExpiryWatch(300, kiosk=False)
    given = Token(Secret("tok-abcdefgh"), NOW + 5, "public", Secret("ref-abcdefgh"), lifetime_s=20)
    assert watch.decide(given, NOW) == Quiet()
    assert watch.decide(given, NOW + 1) == RenewSilently()


def test_a_display_that_can_renew_in_a_frame_keeps_renewing_when_its_token_is_gone() -> None:
    # Its token ran out while PlaceOS was away: once PlaceOS is back, its session renews the display by itself.
    from app.auth.expiry import RenewInFrame

    assert ExpiryWatch(300, kiosk=True, in_frame=True).decide(None, NOW) == RenewInFrame()
    assert ExpiryWatch(300, kiosk=True, in_frame=False).decide(None, NOW) == Expired()  # no frame: a person
    assert ExpiryWatch(300, kiosk=False, in_frame=True).decide(None, NOW) == Expired()  # a person's tab asks
