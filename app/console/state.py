"""The console's input and output as text, pure: when Enter runs the input, how it becomes REPL lines, what a key
does, how a result is shown, and what the panel holds (app.console runs it; app.console_view draws it)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from typing import Any

FOLD_LINES = 40  # longer output is folded, with its first lines showing
FOLD_CHARS = 3000
CONTINUES = ("else", "elif", "except", "finally", "case")


@dataclass(frozen=True)
class Entry:
    kind: str  # "input" | "output" | "result" | "error" | "info"
    text: str

    @property
    def folded(self) -> bool:
        return self.text.count("\n") >= FOLD_LINES or len(self.text) > FOLD_CHARS


@dataclass
class ConsoleState:
    open: bool = False
    entries: list[Entry] = field(default_factory=list)
    draft: str = ""  # what the input holds when the console sets it (history, completion)
    running: bool = False
    options: list[str] = field(default_factory=list)  # completions offered for the last Tab


def needs_more(source: str) -> bool:
    """Whether Enter should add a line rather than run: the input is an unfinished statement (an open bracket, a
    block header, a backslash). A syntax error is not unfinished: running it shows the error."""
    last = source.split("\n")[-1]
    if not source.strip() or source.endswith("\n\n") or ("\n" in source and not last.strip()):
        return False  # a blank line ends the statement, as at a REPL
    if last.startswith((" ", "\t")):
        return True  # inside a block: a blank line (or Shift+Enter then Enter on an empty line) ends it
    import codeop  # the console's, not the start-up path's
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return codeop.compile_command(source, "<console>", "exec") is None
    except (SyntaxError, ValueError, OverflowError):
        return False


def key_action(key: str, *, shift: bool, ctrl: bool, value: str, start: int, end: int) -> str | None:
    """What a key in the console's input does; None leaves it to the browser (typing, Shift+Enter's newline)."""
    if key == "Enter" and not shift and not ctrl:
        return "newline" if needs_more(value[:start] + value[end:]) else "run"
    if key == "ArrowUp" and not shift and "\n" not in value[:start]:
        return "previous"
    if key == "ArrowDown" and not shift and "\n" not in value[end:]:
        return "next"
    if key == "Tab" and not shift and not ctrl:
        return "complete"
    if ctrl and key.lower() == "c" and start == end:  # with a selection, Ctrl+C copies
        return "cancel"
    if ctrl and key.lower() == "l":
        return "clear"
    return None


def newline(value: str, start: int, end: int) -> tuple[str, int]:
    """Enter in an unfinished statement: a new line indented as the one before it, one step more after a colon."""
    line = value[:start].split("\n")[-1]
    indent = line[: len(line) - len(line.lstrip())]
    if line.rstrip().endswith(":"):
        indent += "    "
    inserted = "\n" + indent
    return value[:start] + inserted + value[end:], start + len(inserted)


def repl_lines(source: str) -> list[str]:
    """The input as the lines a REPL would be typed: a block is closed by a blank line before the next
    statement that leaves it (pasting works as written), and the input ends complete."""
    lines: list[str] = []
    in_block = False
    for line in source.rstrip().split("\n"):
        starts_block = line.rstrip().endswith(":")
        top_level = bool(line.strip()) and not line.startswith((" ", "\t"))
        if in_block and top_level and not line.lstrip().startswith(CONTINUES):
            lines.append("")
            in_block = False
        lines.append(line)
        if starts_block:
            in_block = True
    if in_block:
        lines.append("")
    return lines


def format_result(value: Any) -> str:
    """A value as the console shows it: JSON-like data pretty-printed, anything else by its repr. Secrets are
    redacted by their own repr (app.redact.Secret); a value from `.reveal()` shows, since that was asked for."""
    if isinstance(value, dict | list) and value:
        try:
            return json.dumps(value, indent=2, ensure_ascii=False, default=repr)
        except (TypeError, ValueError, RecursionError):
            pass
    try:
        return repr(value)
    except Exception as error:  # a repr that raises is the object's problem, not the console's
        return f"<repr failed: {type(error).__name__}>"


async def collect(items: AsyncIterable[Any], limit: int | None = None) -> list[Any]:
    """`await collect(api.all_systems())`: an async iterator's items as a list (at most `limit`)."""
    out: list[Any] = []
    async for item in items:
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return out


def common_prefix(words: list[str]) -> str:
    """What the completions share: what Tab can fill in when there are several."""
    first, last = min(words), max(words)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


__all__ = [
    "ConsoleState",
    "Entry",
    "collect",
    "common_prefix",
    "format_result",
    "key_action",
    "needs_more",
    "newline",
    "repl_lines",
]
