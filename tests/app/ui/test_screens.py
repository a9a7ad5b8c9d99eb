"""app.ui.screens: what the page shows, as a tagged union; each screen carries what it needs and nothing else."""

from __future__ import annotations

import dataclasses

import pytest

from app.ui.screens import SIGN_IN_MESSAGE, CallbackFailed, Leaving, Loading, Notice, SignedOut


def test_screens_and_notices_are_values() -> None:
    assert SignedOut() == SignedOut(SIGN_IN_MESSAGE) and Loading() == Loading()
    failed = CallbackFailed("Sign-in did not complete", "Refused.", (("Try again", "sign_in"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        failed.title = "changed"  # type: ignore[misc]
    assert Notice("warn", "Soon.") == Notice("warn", "Soon.", (), "")


def test_leaving_covers_the_app_only_when_asked() -> None:
    assert not Leaving("Signing in…", "Taking you to PlaceOS sign-in…").over_app
    assert Leaving("Signing in…", "…", over_app=True).over_app
