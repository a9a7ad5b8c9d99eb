"""app.core.errors: one tree of failures, whose messages are for people and carry no secret."""

from __future__ import annotations

from app.core.errors import (
    ERROR_MESSAGES,
    ApiError,
    AuthorizationDenied,
    AuthRequired,
    CallbackError,
    ClientError,
    MisplacedResponse,
    NetworkError,
    NotSignedIn,
)


def test_the_tree_lets_a_caller_catch_by_kind() -> None:
    assert issubclass(MisplacedResponse, CallbackError) and issubclass(NotSignedIn, AuthRequired)
    assert issubclass(NetworkError, ApiError) and issubclass(ApiError, ClientError)


def test_a_refusal_says_in_words_what_the_server_meant() -> None:
    known = AuthorizationDenied("access_denied", "user said no", None)
    assert str(known) == ERROR_MESSAGES["access_denied"] and known.description == "user said no"
    unknown = AuthorizationDenied("weird_error", None, None)
    assert str(unknown) == "The sign-in service refused the request (weird_error)."


def test_an_api_error_keeps_its_status_and_request_id_and_an_expiry_is_not_a_refusal() -> None:
    error = AuthRequired("Your session has ended.", 401, "req-1", expired=True)
    assert (error.status, error.request_id, error.expired) == (401, "req-1", True)
    assert not AuthRequired("refused").expired
