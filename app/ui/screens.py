"""What the page is showing, as a tagged union: each screen carries what it needs, and nothing else.

The controller switches screens by replacing the value; app.view renders each kind. `Leaving` replaces the old
`_leaving` flag: once the browser is on its way to PlaceOS, no timer or message may start anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

Actions = tuple[tuple[str, str], ...]  # (label, action name) pairs, in the order shown


@dataclass(frozen=True)
class Loading:
    title: str = "Signing in…"
    message: str = "One moment."


# What a first visit's sign-in card says; the server draws that card into index.html (server/first_screen.py).
SIGN_IN_MESSAGE = "Sign in with your PlaceOS account to see your building's systems."


@dataclass(frozen=True)
class SignedOut:
    message: str = SIGN_IN_MESSAGE


@dataclass(frozen=True)
class CallbackFailed:
    """A sign-in response that could not be used, or a sign-in that was stopped."""

    title: str
    message: str
    actions: Actions


@dataclass(frozen=True)
class Working:
    """The app itself: the systems list or a system's detail, as the Model's place says."""


@dataclass(frozen=True)
class Leaving:
    """On the way to PlaceOS (sign-in, sign-out). `over_app`: the app's data stays visible until the page goes."""

    title: str
    message: str
    over_app: bool = False


Screen = Loading | SignedOut | CallbackFailed | Working | Leaving


@dataclass(frozen=True)
class Notice:
    kind: str  # "warn" | "error" | "info" | "offline" (PlaceOS cannot be reached: it mends itself)
    text: str
    actions: tuple[tuple[str, str], ...] = ()  # (label, action)
    spoken: str = ""  # what a screen reader announces, where the shown text changes too often to announce


__all__ = [
    "Notice",
    "Actions",
    "CallbackFailed",
    "Leaving",
    "Loading",
    "SIGN_IN_MESSAGE",
    "Screen",
    "SignedOut",
    "Working",
]
