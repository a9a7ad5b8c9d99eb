"""app.shell.registration: on the sign-in screen, in the background, whether PlaceOS knows this app; the screen says
so where it does not, and nobody waits for it."""

from __future__ import annotations

from typing import Any

from app.core.ports import HttpRequest, HttpResponse
from app.shell.registration import RegistrationCheck
from tests.fakes import Harness, MockTransport, config, standin


def unknown_client(request: HttpRequest) -> HttpResponse:
    if "/auth/oauth/authorize" in request.url:
        return HttpResponse(401, {}, "<h1>invalid_client</h1>")
    return standin(request)


def check(answer: HttpResponse, signed_out: bool = True, **overrides: Any) -> tuple[RegistrationCheck, list[Any]]:
    said: list[Any] = []
    unit = RegistrationCheck(
        config(**overrides),
        transport=MockTransport(lambda request: answer),
        signed_out=lambda: signed_out,
        failed=lambda *shown: said.append(shown),
    )
    return unit, said


async def test_an_unknown_app_is_said_once_with_a_way_on_and_a_known_one_says_nothing() -> None:
    unit, said = check(HttpResponse(401, {}, ""), client_id="wrong")
    await unit.check()
    await unit.check()  # once per page
    [(title, message, actions)] = said
    assert title == "PlaceOS does not know this app (client_id wrong)"
    assert message.startswith("Signing in would end on PlaceOS's error page.") and actions == (
        ("Sign in anyway", "sign_in"),
    )
    known, quiet = check(HttpResponse(0, {}, ""))
    await known.check()
    assert quiet == []


async def test_a_person_who_left_already_a_kiosk_or_a_placeos_elsewhere_is_not_stopped() -> None:
    left, said = check(HttpResponse(401, {}, ""), signed_out=False)
    await left.check()
    kiosk, kiosk_said = check(HttpResponse(401, {}, ""), kiosk=True)
    await kiosk.check()
    # PlaceOS elsewhere sends no CORS from its authorize page: the browser would only log a refusal.
    elsewhere, elsewhere_said = check(HttpResponse(401, {}, ""), placeos_base="https://placeos.example.com")
    await elsewhere.check()
    assert said == [] and kiosk_said == [] and elsewhere_said == []


async def test_the_sign_in_screen_turns_into_the_problem_and_why_and_sign_in_goes_at_once() -> None:
    h = Harness(unknown_client)
    await h.app.start("", h.clock.now)
    assert "Sign in to PlaceOS" in h.screen.text  # drawn before PlaceOS has answered
    await h.settle()
    assert "PlaceOS does not know this app" in h.screen.text and "Why?" in h.screen.text
    h.app.dispatch("sign_in")  # "Sign in anyway"
    assert h.navigator.assigned and h.navigator.assigned[-1].startswith(h.config.authorize_url)
