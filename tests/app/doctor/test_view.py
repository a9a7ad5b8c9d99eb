"""app.doctor.view: the doctor's panel, each finding's status in words as well as a colour, all of it text."""

from __future__ import annotations

from app.doctor.findings import OK, PROBLEM, DoctorState, Finding
from app.doctor.view import doctor_panel
from tests.fakes import find, text_of


def test_findings_show_by_section_with_their_status_in_words_and_their_fix() -> None:
    state = DoctorState(
        open=True,
        findings=[
            Finding("Configuration", "client_id", "abc", OK),
            Finding("PlaceOS says", "authorize", "<b>invalid_request</b>", PROBLEM, fix="register the redirect URI"),
            Finding("PlaceOS says", "api", "answers", OK),
        ],
    )
    panel = doctor_panel(state)
    text = text_of(panel)
    assert [text_of(h3) for h3 in find(panel, lambda e: e.tag == "h3")] == ["Configuration", "PlaceOS says"]
    assert "1 problem found." in text and "Problem authorize:  <b>invalid_request</b>" in text
    assert "Fix: register the redirect URI" in text and not find(panel, lambda e: e.tag == "b")


def test_while_it_runs_it_says_so_and_the_copy_button_waits() -> None:
    panel = doctor_panel(DoctorState(open=True, running=True))
    (copy,) = find(panel, lambda e: e.attrs.get("id") == "doctor-copy")
    assert "Asking PlaceOS…" in text_of(panel) and "disabled" in copy.attrs
    assert "No problem found. Report copied." in text_of(doctor_panel(DoctorState(open=True, copied=True)))
