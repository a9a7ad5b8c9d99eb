"""The auth doctor at work in the app: runs app.doctor's findings and app.doctor_checks against PlaceOS, keeps
what the panel shows, copies the report, and remembers the last sign-in's outcome for it. Opened by "Why?" on a
sign-in error, and by `await doctor()` in the console."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from app.api.realtime import Connect
from app.doctor.checks import Checks
from app.doctor.findings import DoctorState, Finding, configuration, report_text, token_findings
from app.shell.live import socket_token

if TYPE_CHECKING:
    from app.shell.controller import App

CopyText = Callable[[str], Awaitable[bool]]  # the clipboard; False when the browser refused


class Doctor:
    def __init__(self, app: App, copy_text: CopyText | None, connect: Connect | None) -> None:
        self._app = app
        self._copy_text = copy_text
        self._connect = connect
        self.state = DoctorState()

    async def examine(self) -> list[Finding]:
        app = self._app
        token, now = app.session.token(), app.clock()
        checks = Checks(app.config, app.transport, app.clock, self._connect)
        findings = [*configuration(app.config), *token_findings(token, now)]
        findings += await checks.authority()
        findings.append(await checks.authorize())
        findings += await checks.api()
        findings += await checks.token_endpoint()
        findings.append(await checks.socket(socket_token(token, now)))
        error = app.api.last_error
        last_error = (
            f"{error} (HTTP {error.status}" + (f", request id {error.request_id})" if error.request_id else ")")
            if error
            else "none in this tab"
        )
        findings += [
            Finding("This tab", "last sign-in", app.sign_in_outcome),
            Finding("This tab", "last API error", last_error),
        ]
        return findings

    async def report(self) -> str:
        """The report as text: what "Copy report" copies, and what `await doctor()` prints in the console."""
        return report_text(await self.examine(), self._app.clock())

    async def open(self) -> None:
        self.state.open, self.state.running, self.state.copied = True, True, False
        self._app.show("doctor-title")
        try:
            self.state.findings = await self.examine()
        finally:
            self.state.running = False
            self._app.show("doctor-title")

    async def copy(self) -> None:
        text = report_text(self.state.findings, self._app.clock())
        self.state.copied = bool(self._copy_text and await self._copy_text(text))
        self._app.show("doctor-copy")

    def act(self, action: str) -> None:
        if action in ("doctor", "doctor_again"):
            self._app.spawn(self.open())
        elif action == "doctor_copy":
            self._app.spawn(self.copy())
        elif action == "doctor_close":
            self.state.open = False
            self._app.show()


__all__ = ["CopyText", "Doctor"]
