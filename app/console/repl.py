"""The in-page Python console for developers prototyping against PlaceOS: a panel over the app whose engine is
Pyodide's own console (pyodide.console.PyodideConsole: top-level await, incomplete input, completion), injected,
so this module runs under CPython with a stand-in engine.

It keeps what the panel shows (entries, folded when long), the history of this tab (sessionStorage), and how input
becomes statements: Enter runs the input once it is complete, each line goes to the engine as a REPL line, and a
block is closed before a line that leaves it, so pasted code runs as written.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from app.console.state import ConsoleState, Entry, collect, common_prefix, format_result, newline, repl_lines
from app.core.ports import Storage
from app.core.redact import REDACTOR

HISTORY_KEY = "placeos.console.history"  # per tab: sessionStorage
MAX_HISTORY = 200
MAX_ENTRY_CHARS = 200_000  # beyond this an output is cut: the page stays usable whatever is printed
INTRO = (
    'Python in the page, signed in as you. `api` is PlaceOS\'s API (`await api.systems(q="board")`, '
    '`await api.exec(sys, "Bookings", "book_now", 1800, "Ad hoc")`, `async for v in api.listen(sys, "Bookings", '
    '"status")`; `help(api)` lists the rest), `app` the running app, `config` its settings. '
    "Secrets print redacted; `.reveal()` shows one. Enter runs, Shift+Enter adds a line, ↑/↓ history, Tab "
    "completes, Ctrl+C cancels, Ctrl+L clears."
)


class ConsoleFuture(Protocol):
    """What the engine's push() returns (pyodide.console.ConsoleFuture)."""

    syntax_check: str  # "complete" | "incomplete" | "syntax-error"
    formatted_error: str | None

    def __await__(self) -> Any: ...


class Engine(Protocol):
    buffer: list[str]

    def push(self, line: str) -> ConsoleFuture: ...

    def complete(self, source: str) -> tuple[list[str], int]: ...


# Makes the engine: the namespace, and where print() and tracebacks go.
EngineFactory = Callable[[dict[str, Any], Callable[[str], None], Callable[[str], None]], Engine]


class PythonConsole:
    def __init__(
        self,
        storage: Storage,
        make_engine: EngineFactory,
        namespace: Callable[[], dict[str, Any]],
        changed: Callable[[str | None], None],
        prepare: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.state = ConsoleState()
        self._storage = storage
        self._make_engine = make_engine
        self._namespace = namespace
        self._changed = changed  # re-render; the id to focus, when the console moves the focus or sets the input
        self._prepare = prepare  # readies what the source needs first (micropip, told of the local wheels)
        self._engine: Engine | None = None
        self._history = self._load_history()
        self._cursor = len(self._history)  # where ↑/↓ is in the history; len() = the new input
        self._pending_draft = ""
        self._task: Any = None
        self._code_tasks: set[asyncio.Task[Any]] = set()

    # -- opening ------------------------------------------------------------------------------------------------
    def toggle(self) -> None:
        self.state.open = not self.state.open
        if self.state.open and not self.state.entries:
            self._add("info", INTRO)
        self._changed("console-input" if self.state.open else "console-open")

    def engine(self) -> Engine:
        """Made at the first use, not at start-up: nobody who never opens the console pays for it."""
        if self._engine is None:
            namespace = {"__name__": "__console__", "collect": collect, **self._namespace()}
            self._engine = self._make_engine(namespace, self._print, self._print_error)
        return self._engine

    # -- running ------------------------------------------------------------------------------------------------
    def submit(self, source: str, spawn: Callable[[Any], Any]) -> None:
        """Enter or Run: at once, the input empties and what was typed is in the log; then it runs."""
        if not source.strip():
            return
        source = source.rstrip()
        self._remember(source)
        self.state.draft, self.state.options = "", []
        self._add("input", source)
        self.state.running = True
        self._changed("console-input")
        self.started(spawn(self.run(source)))

    async def run(self, source: str) -> None:
        """Run what was typed, statement by statement, showing what each prints and returns."""
        self.state.running = True
        engine = self.engine()
        try:
            if self._prepare is not None:
                await self._prepare(source)
            for line in repl_lines(source):
                before = asyncio.all_tasks()
                future = engine.push(line)
                self._code_tasks = asyncio.all_tasks() - before  # what runs the statement, for Ctrl+C
                if future.syntax_check == "incomplete":
                    continue
                try:
                    value = await future
                except asyncio.CancelledError:  # Ctrl+C, which said so already
                    engine.buffer.clear()
                    break
                except BaseException:  # the engine formatted it: KeyboardInterrupt and SystemExit included
                    self._add("error", REDACTOR.scrub(future.formatted_error or "error"))
                    engine.buffer.clear()
                    break
                if value is not None:
                    self._add("result", format_result(value))
        except Exception as error:  # preparing failed (micropip could not be loaded): say what, keep the console
            self._add("error", f"{type(error).__name__}: {error}")
        finally:
            self.state.running = False
            self._changed(None)

    # -- what the panel and its keys ask for ------------------------------------------------------------------------
    def act(self, action: str, source: str, spawn: Callable[[Any], Any]) -> None:
        if action == "console_toggle":
            self.toggle()
        elif action == "console_clear":
            self.clear()
        elif action == "console_run":
            self.submit(source, spawn)

    def key(self, action: str, value: str, caret: tuple[int, int], spawn: Callable[[Any], Any]) -> int | None:
        """A key the input's handler took (see key_action). Sets the input's new text; returns where its caret
        goes (None: at the end)."""
        if action == "run":
            self.submit(value, spawn)
            return None
        if action == "newline":
            self.state.draft, at = newline(value, *caret)
            self._changed("console-input")
            return at
        if action == "previous":
            self.state.draft = self.previous(value)
        elif action == "next":
            self.state.draft = self.next(value)
        elif action == "complete":
            self.state.draft, at = self.complete(value, caret[0])
            self._changed("console-input")
            return at
        elif action == "cancel":
            self.cancel(value)
            return None
        elif action == "clear":
            self.state.draft = value
            self.clear()
            return None
        self._changed("console-input")
        return None

    def cancel(self, draft: str) -> None:
        """Ctrl+C: drop what is typed (shown as cancelled), and stop what is running at its next await."""
        if self._task is not None and not self._task.done():
            for task in self._code_tasks:  # the engine's own task for the statement, then ours awaiting it
                task.cancel()
            self._task.cancel()
            self._add("info", "Cancelled.")
        elif draft:
            self._add("input", draft + "  ^C")
        if self._engine is not None:
            self._engine.buffer.clear()
        self.state.draft, self.state.options = "", []
        self._changed("console-input")

    def started(self, task: Any) -> None:
        """The task running the input, so that Ctrl+C can cancel it."""
        self._task = task

    def clear(self) -> None:
        self.state.entries, self.state.options = [], []
        self._changed("console-input")

    # -- history and completion ------------------------------------------------------------------------------
    def previous(self, draft: str) -> str:
        if self._cursor == len(self._history):
            self._pending_draft = draft
        self._cursor = max(0, self._cursor - 1)
        return self._history[self._cursor] if self._history else draft

    def next(self, draft: str) -> str:
        self._cursor = min(len(self._history), self._cursor + 1)
        return self._history[self._cursor] if self._cursor < len(self._history) else self._pending_draft

    def complete(self, source: str, caret: int) -> tuple[str, int]:
        """Tab: complete the word before the caret; several candidates share what they have in common and are
        listed under the input."""
        before, after = source[:caret], source[caret:]
        options, start = self.engine().complete(before)
        options = sorted(set(options))[:60]
        self.state.options = options if len(options) > 1 else []
        if not options:
            return source, caret
        common = options[0] if len(options) == 1 else common_prefix(options)
        word = before[start:]
        if len(common) <= len(word):
            return source, caret
        completed = before[:start] + common
        return completed + after, len(completed)

    # -- output -------------------------------------------------------------------------------------------------
    def report(self, text: str) -> None:
        """What failed in code the app ran for the developer (a page of their own, app.pages): in the log too."""
        self._append_output("error", text.rstrip() + "\n")

    def _print(self, text: str) -> None:
        self._append_output("output", text)

    def _print_error(self, text: str) -> None:
        self._append_output("error", text)

    def _append_output(self, kind: str, text: str) -> None:
        # print() arrives in pieces ("a", "\n"): consecutive pieces of one kind make one entry.
        entries = self.state.entries
        if kind == "error":  # an error message may quote a URL with a token in it (bearer_token=…)
            text = REDACTOR.scrub(text)
        if entries and entries[-1].kind == kind and self.state.running:
            entries[-1] = Entry(kind, (entries[-1].text + text)[:MAX_ENTRY_CHARS])
        else:
            entries.append(Entry(kind, text[:MAX_ENTRY_CHARS]))
        self._changed(None)

    def _add(self, kind: str, text: str) -> None:
        self.state.entries.append(Entry(kind, text[:MAX_ENTRY_CHARS]))
        del self.state.entries[:-500]  # the oldest go; the page keeps a bounded log

    def _remember(self, source: str) -> None:
        if not self._history or self._history[-1] != source:
            self._history.append(source)
        del self._history[:-MAX_HISTORY]
        self._cursor = len(self._history)
        self._storage.set(HISTORY_KEY, json.dumps(self._history))

    def _load_history(self) -> list[str]:
        try:
            saved = json.loads(self._storage.get(HISTORY_KEY) or "[]")
        except (ValueError, RecursionError):
            return []
        return [item for item in saved if isinstance(item, str)][-MAX_HISTORY:] if isinstance(saved, list) else []


__all__ = ["ConsoleState", "Engine", "EngineFactory", "Entry", "HISTORY_KEY", "PythonConsole"]
