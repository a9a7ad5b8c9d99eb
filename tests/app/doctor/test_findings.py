"""app.doctor.findings: what the doctor finds in the configuration and the token, and the report as text."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.auth.session import Token
from app.core.config import derive_client_id
from app.core.redact import Secret
from app.doctor.findings import OK, PROBLEM, Finding, configuration, jwt_claims, report_text, token_findings
from tests.fakes import BASE, config

NOW = 1_800_000_000.0


def jwt(claims: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{body}.c2lnbmF0dXJl"


async def test_configuration_shows_how_the_client_id_is_derived() -> None:
    found = {f.label: f for f in configuration(config())}
    assert found["client_id"].value.startswith(derive_client_id(BASE + "/"))
    assert f'md5("{BASE}/")' in found["client_id"].value
    configured = {f.label: f for f in configuration(config(client_id="abc"))}
    assert "PlaceOS would derive" in configured["client_id"].value


def test_the_token_is_described_never_shown() -> None:
    raw = jwt({"iss": "POS", "aud": "placeos.example.com", "sub": "user-1", "u": {"n": "Ada", "e": "ada@x"}})
    findings = token_findings(Token(Secret(raw), NOW + 60, "public"), NOW)
    text = report_text(findings, NOW)
    assert "issuer: POS" in text and "audience: placeos.example.com" in text and "user: Ada, ada@x" in text
    assert raw not in text and raw.split(".")[1] not in text
    assert "in 60 s" in text
    assert "not signed in" in report_text(token_findings(None, NOW), NOW)


@pytest.mark.property
@given(st.text(max_size=300) | st.builds(lambda t: "a." + t + ".c", st.text(max_size=200)))
def test_any_token_text_is_claims_or_nothing(text: str) -> None:
    claims = jwt_claims(text)
    assert claims is None or isinstance(claims, dict)
    token_findings(Token(Secret(text or "x"), NOW + 1, "public"), NOW)


def test_the_report_is_text_by_section_with_fixes() -> None:
    text = report_text([Finding("A", "one", "fine", OK), Finding("B", "two", "broken", PROBLEM, "do this")], NOW)
    assert text.splitlines()[2:] == [
        "A",
        "  [ok]      one: fine",
        "",
        "B",
        "  [problem] two: broken",
        "            fix: do this",
    ]
