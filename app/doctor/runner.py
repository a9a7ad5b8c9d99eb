"""The auth doctor at work in the app: runs app.doctor.findings and app.doctor.checks against PlaceOS, keeps
what the panel shows, copies the report, and remembers the last sign-in's outcome for it. Opened by "Why?" on a
sign-in error, and by `await doctor()` in the console."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from app.api.client import PlaceOSClient
from app.api.realtime import OpenWith
from app.api.socket_auth import socket_token
from app.auth.session import AuthSession
from app.core.config import ClientConfig
from app.core.errors import ApiError
from app.core.ports import Transport
from app.doctor.checks import Checks
from app.doctor.findings import OK, PROBLEM, DoctorState, Finding, configuration, report_text, token_findings
from app.ui.host import Host
from app.ui.words import clock_time

CopyText = Callable[[str], Awaitable[bool]]  # the clipboard; False when the browser refused


class Doctor:
    def __init__(
        self,
        host: Host,
        config: ClientConfig,
        *,
        transport: Transport,
        session: AuthSession,
        api: PlaceOSClient,
        sign_in_outcome: Callable[[], str],
        copy_text: CopyText | None,
        connect: OpenWith | None,
    ) -> None:
        self._host = host
        self._config = config
        self._transport = transport
        self._session = session
        self._api = api
        self._sign_in_outcome = sign_in_outcome  # what became of this tab's last sign-in, as the shell saw it
        self._copy_text = copy_text
        self._connect = connect
        self.state = DoctorState()

    async def examine(self) -> list[Finding]:
        clock = self._host.clock
        token, now = self._session.token(), clock()
        checks = Checks(self._config, self._transport, clock, self._connect)
        findings = [*configuration(self._config), *token_findings(token, now)]
        findings += await checks.authority()
        findings.append(await checks.authorize())
        findings += await checks.api()
        findings += await checks.token_endpoint()
        findings.append(await checks.socket(socket_token(token, now)))
        error = self._api.last_error
        last_error = (
            f"{error} (HTTP {error.status}" + (f", request id {error.request_id})" if error.request_id else ")")
            if error
            else "none in this tab"
        )
        if self._config.board_system:
            findings.append(await self._display_seen(now))
        findings += [
            Finding("This tab", "last sign-in", self._sign_in_outcome()),
            Finding("This tab", "last API error", last_error),
        ]
        return findings

    async def _display_seen(self, now: float) -> Finding:
        """When PlaceOS last saw this display alive: its system's signage_last_seen, stamped by the board's beat."""
        label = f"display last seen ({self._config.board_system})"
        try:
            system = await self._api.system(self._config.board_system)
        except ApiError as error:
            return Finding("PlaceOS says", label, f"not known: {error}", PROBLEM)
        seen = system.get("signage_last_seen")
        if not isinstance(seen, int | float) or isinstance(seen, bool) or seen <= 0:
            fix = "The board beats every minute while it is online; check --board-system names this display's system."
            return Finding("PlaceOS says", label, "never", PROBLEM, fix)
        age = max(0, int(now - seen))
        return Finding("PlaceOS says", label, f"{age} s ago, at {clock_time(seen, seconds=True)}", OK)

    async def report(self) -> str:
        """The report as text: what "Copy report" copies, and what `await doctor()` prints in the console."""
        return report_text(await self.examine(), self._host.clock())

    async def open(self) -> None:
        self.state.open, self.state.running, self.state.copied = True, True, False
        self._host.show("doctor-title")
        try:
            self.state.findings = await self.examine()
        finally:
            self.state.running = False
            self._host.show("doctor-title")

    async def copy(self) -> None:
        text = report_text(self.state.findings, self._host.clock())
        self.state.copied = bool(self._copy_text and await self._copy_text(text))
        self._host.show("doctor-copy")

    def act(self, action: str) -> None:
        if action in ("doctor", "doctor_again"):
            self._host.spawn(self.open())
        elif action == "doctor_copy":
            self._host.spawn(self.copy())
        elif action == "doctor_close":
            self.state.open = False
            self._host.show()


__all__ = ["CopyText", "Doctor"]
