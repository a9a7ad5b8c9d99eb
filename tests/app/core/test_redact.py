"""Secrets never reach the log in the clear (app.redact)."""

from __future__ import annotations

import hashlib
import logging

from app.core.redact import REDACTOR, DebugLog, Secret, fingerprint, log
from tests.fakes import (
    make_session,
    state_of,
)


def test_secret_prints_as_fingerprint_only() -> None:
    secret = Secret("eyJhbGciOi.very-secret.value")
    assert "very-secret" not in repr(secret) and "very-secret" not in str(secret) and f"{secret}" == repr(secret)
    assert fingerprint("abc") == "#" + hashlib.sha256(b"abc").hexdigest()[:8]


def test_log_never_holds_a_token_even_when_one_slips_into_a_message() -> None:
    handler = DebugLog()
    handler.addFilter(REDACTOR)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        session, _, _ = make_session()
        state = state_of(session.sign_in_url("/"))
        session.complete(f"access_token=raw-token-0123456789&token_type=Bearer&expires_in=60&state={state}", 0)
        log.info("careless message with raw-token-0123456789 inside")
    finally:
        log.removeHandler(handler)
    text = "\n".join(handler.lines)
    assert "raw-token-0123456789" not in text and state not in text
    assert fingerprint("raw-token-0123456789") in text and fingerprint(state) in text
