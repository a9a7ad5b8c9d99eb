"""app.doctor.runner on its own, against a fake host: the panel's state while it runs, the report it copies, and
this tab's last sign-in and API error as the shell tells it."""

from __future__ import annotations

import json
from typing import Any

from app.api.client import PlaceOSClient
from app.auth.session import AuthSession, Token
from app.core.ports import HttpRequest, HttpResponse, MemoryStorage
from app.core.redact import Secret
from app.doctor.runner import Doctor
from tests.fakes import FakeHost, MockTransport, Sleeps, config, counter_states, standin


def doctor_for(
    copied: list[str] | None = None, refuse_copy: bool = False, handler: Any = standin, **overrides: Any
) -> tuple[Doctor, FakeHost, MockTransport]:
    host = FakeHost()
    conf = config(**overrides)
    storage = MemoryStorage()
    session = AuthSession(
        conf, session_storage=storage, token_storage=storage, clock=host.clock, new_state=counter_states()
    )
    session.keep(Token(Secret("tok-doctor-abcdefgh"), host.clock() + 3600, "public", None, 3600))
    transport = MockTransport(handler)
    api = PlaceOSClient(conf, transport, session.token, clock=host.clock, sleep=Sleeps())

    async def copy_text(text: str) -> bool:
        if copied is not None:
            copied.append(text)
        return not refuse_copy

    doctor = Doctor(
        host,
        conf,
        transport=transport,
        session=session,
        api=api,
        sign_in_outcome=lambda: "Sign-in did not complete: PlaceOS said access_denied",
        copy_text=copy_text,
        connect=None,
    )
    return doctor, host, transport


async def test_opening_runs_the_checks_and_shows_the_panel_while_and_after() -> None:
    doctor, host, transport = doctor_for()
    doctor.act("doctor")
    assert len(host.tasks) == 1 and not doctor.state.open
    await host.settle()
    assert doctor.state.open and not doctor.state.running and host.shown == ["doctor-title", "doctor-title"]
    found = {(f.section, f.label): f.value for f in doctor.state.findings}
    assert found[("This tab", "last sign-in")] == "Sign-in did not complete: PlaceOS said access_denied"
    assert found[("This tab", "last API error")] == "none in this tab"
    assert transport.requests, "the doctor asked PlaceOS nothing"


async def test_copy_report_copies_the_findings_as_text_and_says_whether_it_could() -> None:
    copied: list[str] = []
    doctor, host, _ = doctor_for(copied)
    doctor.act("doctor")
    await host.settle()
    doctor.act("doctor_copy")
    await host.settle()
    assert doctor.state.copied and "last sign-in" in copied[0] and host.shown[-1] == "doctor-copy"
    refusing, refusing_host, _ = doctor_for(refuse_copy=True)
    refusing.act("doctor_copy")
    await refusing_host.settle()
    assert not refusing.state.copied


async def test_the_report_is_what_the_console_prints_and_closing_hides_the_panel() -> None:
    doctor, host, _ = doctor_for()
    report = await doctor.report()
    assert "This tab" in report and "tok-" not in report
    doctor.act("doctor")
    await host.settle()
    doctor.act("doctor_close")
    assert not doctor.state.open and host.shown[-1] is None


async def test_with_a_display_system_it_says_when_placeos_last_saw_the_display() -> None:
    seen: dict[str, Any] = {"signage_last_seen": None}

    def placeos(request: HttpRequest) -> HttpResponse:
        if "/systems/sys-lobby" in request.url:
            return HttpResponse(200, {}, json.dumps({"id": "sys-lobby", **seen}))
        return standin(request)

    doctor, host, _ = doctor_for(handler=placeos, kiosk=True, board_system="sys-lobby")
    label = ("PlaceOS says", "display last seen (sys-lobby)")
    findings = {(f.section, f.label): f for f in await doctor.examine()}
    assert findings[label].value == "never" and findings[label].status == "problem" and findings[label].fix
    seen["signage_last_seen"] = int(host.clock()) - 42
    findings = {(f.section, f.label): f for f in await doctor.examine()}
    assert findings[label].value.startswith("42 s ago, at ") and findings[label].status == "ok"
