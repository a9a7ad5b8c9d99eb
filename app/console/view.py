"""The console panel, drawn from app.console's state: entries as preformatted text (long ones folded in a
<details>), the options a Tab found, and the input. Everything in it is text, as everywhere in the app."""

from __future__ import annotations

from app.console.state import ConsoleState, Entry
from app.ui.elements import El, button, h

PROMPTS = {"input": ">>> ", "output": "", "result": "", "error": "", "info": ""}


def _shown(entry: Entry) -> str:
    if entry.kind != "input":
        return entry.text
    first, *rest = entry.text.split("\n")
    return "\n".join([">>> " + first, *("... " + line for line in rest)])


def entry_el(entry: Entry) -> El:
    text = _shown(entry)
    block = h("pre", {"class": f"console-entry console-{entry.kind}"}, text)
    if not entry.folded:
        return block
    lines = text.split("\n")
    summary = f"{len(lines)} lines, {len(text):,} characters: show all"
    return h(
        "details",
        {"class": f"console-fold console-{entry.kind}"},
        h("summary", {}, h("pre", {"class": "console-entry"}, "\n".join(lines[:5]) + "\n…"), summary),
        block,
    )


def console_panel(state: ConsoleState) -> El:
    return h(
        "section",
        {"class": "console", "id": "console", "aria-labelledby": "console-title"},
        h(
            "div",
            {"class": "console-head"},
            h("h2", {"id": "console-title"}, "Python console"),
            h("span", {"class": "muted", "aria-live": "polite"}, "Running…" if state.running else ""),
            button("Clear", "console_clear", id="console-clear"),
            button("Close", "console_toggle", id="console-close"),
        ),
        h("div", {"class": "console-log", "id": "console-log", "role": "log"}, [entry_el(e) for e in state.entries]),
        h("p", {"class": "console-options", "id": "console-options"}, "  ".join(state.options))
        if state.options
        else None,
        h(
            "form",
            {"class": "console-form", "data-action": "console_run"},
            h("label", {"for": "console-input", "class": "visually-hidden"}, "Python input"),
            h(
                "textarea",
                {
                    "id": "console-input",
                    "name": "source",
                    "rows": "3",
                    "spellcheck": "false",
                    "autocomplete": "off",
                    "autocapitalize": "off",
                    "placeholder": 'await api.systems(q="board")',
                },
                state.draft,
            ),
            h("button", {"type": "submit", "class": "primary"}, "Run"),
        ),
    )


def console_launcher() -> El:
    attrs = {"type": "button", "data-action": "console_toggle", "id": "console-open", "class": "console-open"}
    return h("button", {**attrs, "title": "Python console (Ctrl+`)"}, "Console")


__all__ = ["console_launcher", "console_panel", "entry_el"]
