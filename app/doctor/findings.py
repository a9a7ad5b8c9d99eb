"""The auth doctor: why a sign-in fails, in plain words. It shows what the app sees (its configuration, the token's
claims) and what PlaceOS says (app.doctor_checks), each finding "ok" or the problem with its fix. Nothing it shows
or copies holds a token, a code or a state."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from app.auth.session import Token
from app.core.config import ClientConfig, derive_client_id
from app.core.urls import split as urlsplit

OK, PROBLEM, INFO = "ok", "problem", "info"


@dataclass(frozen=True)
class Finding:
    section: str  # "Configuration" | "Token" | "PlaceOS says"
    label: str
    value: str
    status: str = INFO
    fix: str = ""


@dataclass
class DoctorState:
    open: bool = False
    running: bool = False
    findings: list[Finding] = field(default_factory=list)
    copied: bool = False


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def configuration(config: ClientConfig) -> list[Finding]:
    derived = derive_client_id(config.redirect_uri)
    formula = f'MD5 of the lower-cased redirect URI: md5("{config.redirect_uri.lower()}") = {derived}'
    client = (
        Finding("Configuration", "client_id", f"{config.client_id} ({formula})")
        if config.client_id == derived
        else Finding(
            "Configuration",
            "client_id",
            f"{config.client_id}, set by configuration; PlaceOS would derive {derived} ({formula})",
            INFO,
            "Fine if Backoffice shows this client_id for the app; otherwise leave --client-id out.",
        )
    )
    return [
        Finding("Configuration", "PlaceOS", config.placeos_base),
        Finding("Configuration", "redirect URI", config.redirect_uri),
        client,
        Finding("Configuration", "flow", "implicit" if config.flow == "implicit" else "authorization code with PKCE"),
        Finding("Configuration", "scope", config.scope),
        Finding("Configuration", "token kept in", f"{config.storage}Storage"),
    ]


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, unverified (only to show it), or None for anything that is not one."""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 20_000:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def token_findings(token: Token | None, now: float) -> list[Finding]:
    if token is None:
        return [Finding("Token", "token", "none: not signed in in this tab", INFO, "Sign in, then run the doctor.")]
    left = token.remaining(now)
    found = [
        Finding("Token", "token", "present (never shown)"),
        Finding(
            "Token",
            "expires",
            f"in {int(left)} s" if left > 0 else f"{int(-left)} s ago",
            OK if left > 0 else PROBLEM,
            "" if left > 0 else "Sign in again.",
        ),
        Finding("Token", "granted scope", token.scope or "(none)"),
    ]
    claims = jwt_claims(token.access_token.reveal())
    if claims is None:
        return [*found, Finding("Token", "claims", "not a JWT (an opaque token): nothing to read")]
    user_claim = claims.get("u")
    user: dict[str, Any] = user_claim if isinstance(user_claim, dict) else {}
    shown = {
        "issuer": claims.get("iss"),
        "audience": claims.get("aud"),
        "subject": claims.get("sub"),
        "user": ", ".join(str(user.get(k)) for k in ("n", "e") if user.get(k)) or None,
        "token scope": " ".join(map(str, claims["scope"])) if isinstance(claims.get("scope"), list) else None,
    }
    return [*found, *(Finding("Token", label, str(value)[:200]) for label, value in shown.items() if value)]


def report_text(findings: list[Finding], when: float) -> str:
    lines = [f"PlaceOS auth doctor, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(when))}"]
    section = ""
    for finding in findings:
        if finding.section != section:
            section = finding.section
            lines += ["", section]
        mark = {OK: "[ok]      ", PROBLEM: "[problem] ", INFO: "          "}[finding.status]
        lines.append(f"  {mark}{finding.label}: {finding.value}")
        if finding.fix:
            lines.append(f"            fix: {finding.fix}")
    return "\n".join(lines) + "\n"


__all__ = [
    "INFO",
    "OK",
    "PROBLEM",
    "DoctorState",
    "Finding",
    "configuration",
    "jwt_claims",
    "report_text",
    "token_findings",
]
