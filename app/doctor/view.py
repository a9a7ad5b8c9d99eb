"""The auth doctor's panel: what the app sees and what PlaceOS says, each finding with its status in words (not
only a colour), and its fix. Text only, like every screen."""

from __future__ import annotations

from app.doctor.findings import OK, PROBLEM, DoctorState, Finding
from app.ui.elements import Child, El, button, h

WORDS = {OK: "OK", PROBLEM: "Problem", "info": "Info"}


def finding_el(finding: Finding) -> El:
    return h(
        "li",
        {"class": f"finding finding-{finding.status}"},
        h("span", {"class": f"finding-status status-{finding.status}"}, WORDS.get(finding.status, "Info")),
        h("span", {"class": "finding-label"}, f"{finding.label}: "),
        h("span", {"class": "finding-value"}, finding.value),
        h("p", {"class": "finding-fix"}, f"Fix: {finding.fix}") if finding.fix else None,
    )


def doctor_panel(state: DoctorState) -> El:
    sections: list[Child] = []
    for name in dict.fromkeys(f.section for f in state.findings):
        items: list[Child] = [finding_el(f) for f in state.findings if f.section == name]
        sections.append(h("section", {"class": "doctor-section"}, h("h3", {}, name), h("ul", {}, items)))
    problems = sum(1 for f in state.findings if f.status == PROBLEM)
    summary = (
        "Asking PlaceOS…"
        if state.running
        else f"{problems} problem{'s' if problems != 1 else ''} found."
        if problems
        else "No problem found."
    )
    return h(
        "section",
        {"class": "doctor card", "id": "doctor", "aria-labelledby": "doctor-title"},
        h("h2", {"id": "doctor-title", "tabindex": "-1"}, "Auth doctor: why signing in fails"),
        h("p", {"role": "status", "id": "doctor-summary"}, summary + (" Report copied." if state.copied else "")),
        sections,
        h(
            "div",
            {"class": "actions"},
            button("Copy report", "doctor_copy", primary=True, id="doctor-copy", disabled=state.running),
            button("Check again", "doctor_again", id="doctor-again", disabled=state.running),
            button("Close", "doctor_close", id="doctor-close"),
        ),
    )


__all__ = ["doctor_panel", "finding_el"]
