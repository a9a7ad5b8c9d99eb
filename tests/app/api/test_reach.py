"""app.api.reach: whether PlaceOS answers at all, asked of the authority without credentials."""

from __future__ import annotations

import pytest

from app.api.reach import AUTHORITY_PATH, placeos_answers, reachability
from app.core.ports import HttpRequest, HttpResponse
from tests.fakes import BASE, MockTransport


@pytest.mark.parametrize(
    ("answer", "up"),
    [
        (HttpResponse(200, {}, "{}"), True),
        (HttpResponse(404, {}, "unknown domain"), True),  # PlaceOS answered: it is up, whatever it thinks of us
        (HttpResponse(401, {}, ""), True),
        (HttpResponse(502, {}, "bad gateway"), False),  # the proxy in front of a PlaceOS that is down
        (HttpResponse(503, {}, ""), False),
        (HttpResponse(0, {}, ""), False),  # an opaque answer says nothing
        (ConnectionRefusedError("refused"), False),
        (TimeoutError("no answer"), False),
    ],
)
async def test_placeos_answers_unless_nothing_or_a_server_error_came_back(
    answer: HttpResponse | Exception, up: bool
) -> None:
    transport = MockTransport(lambda request: answer)
    assert await placeos_answers(transport, BASE) is up
    (request,) = transport.requests
    assert request == HttpRequest("GET", BASE + AUTHORITY_PATH, {"Accept": "application/json"}, credentials="omit")


async def test_reachability_is_the_question_bound_to_one_placeos() -> None:
    transport = MockTransport(lambda request: HttpResponse(200, {}, "{}"))
    assert await reachability(transport, "https://placeos.example")()
    assert transport.requests[0].url == "https://placeos.example/auth/authority"
