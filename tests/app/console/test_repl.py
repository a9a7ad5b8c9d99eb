"""The developers' console under CPython (app.console, app.console_text, app.console_view), with a small engine that
behaves as Pyodide's console does (push a line; incomplete, complete or a syntax error; the value of an expression;
top-level await). The real engine runs in tests/test_console_browser.py."""

from __future__ import annotations

import ast
import asyncio
import codeop
import contextlib
import io
import json
import traceback
from collections.abc import Callable, Generator
from typing import Any

from app.console.repl import HISTORY_KEY, MAX_HISTORY, PythonConsole
from app.console.state import Entry
from app.core.ports import MemoryStorage
from app.core.redact import REDACTOR


class Future:
    def __init__(self, check: str, run: Callable[[], Any] | None = None, error: str | None = None) -> None:
        self.syntax_check = check
        self.formatted_error = error
        self._run = run

    def __await__(self) -> Generator[Any, None, Any]:
        assert self._run is not None
        try:
            value = self._run()
            if asyncio.iscoroutine(value):
                value = yield from value.__await__()
            return value
        except BaseException as error:
            self.formatted_error = "".join(traceback.format_exception_only(type(error), error))
            raise


class Engine:
    """Pyodide's Console in miniature: REPL lines in, a future per complete statement out."""

    FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT

    def __init__(self, namespace: dict[str, Any], out: Callable[[str], None], err: Callable[[str], None]) -> None:
        self.buffer: list[str] = []
        self.namespace = namespace
        self.out = out
        self.pushed: list[str] = []

    def push(self, line: str) -> Future:
        self.pushed.append(line)
        self.buffer.append(line)
        source = "\n".join(self.buffer)
        try:
            compiler = codeop.Compile()
            compiler.flags |= self.FLAGS
            complete = codeop.CommandCompiler()
            complete.compiler = compiler
            if complete(source, "<console>", "single") is None:
                return Future("incomplete")
        except SyntaxError as error:
            self.buffer.clear()
            return Future("syntax-error", error=f"SyntaxError: {error.msg}")
        self.buffer.clear()
        return Future("complete", lambda: self._run(source))

    def _run(self, source: str) -> Any:
        stream = io.StringIO()
        try:
            code = compile(source, "<console>", "eval", flags=self.FLAGS)
        except SyntaxError:
            code = compile(source, "<console>", "exec", flags=self.FLAGS)
        with contextlib.redirect_stdout(stream):
            result = eval(code, self.namespace)  # noqa: S307 - a console's whole point

        async def finish() -> Any:
            value = await result if asyncio.iscoroutine(result) else result
            if stream.getvalue():
                self.out(stream.getvalue())
            return value

        return finish()

    def complete(self, source: str) -> tuple[list[str], int]:
        word = source.split()[-1] if source.split() else ""
        start = len(source) - len(word)
        names = [name for name in self.namespace if name.startswith(word)]
        return names, start


class Rig:
    def __init__(self, storage: MemoryStorage | None = None) -> None:
        self.storage = storage or MemoryStorage()
        self.engines: list[Engine] = []
        self.focus: list[str | None] = []
        self.tasks: list[Any] = []
        self.console = PythonConsole(
            self.storage,
            self.make,
            lambda: {"api": "the client", "app": "the app", "config": "settings", "apiary": 1},
            self.focus.append,
        )

    def make(self, namespace: dict[str, Any], out: Callable[[str], None], err: Callable[[str], None]) -> Engine:
        engine = Engine(namespace, out, err)
        self.engines.append(engine)
        return engine

    def spawn(self, coroutine: Any) -> Any:
        self.tasks.append(coroutine)
        return None

    async def run(self, source: str) -> list[Entry]:
        before = len(self.console.state.entries)
        self.console.submit(source, self.spawn)
        while self.tasks:
            await self.tasks.pop(0)
        return self.console.state.entries[before:]


# deciding what Enter does, and how input becomes REPL lines ------------------------------------------------------


# the console ---------------------------------------------------------------------------------------------------


async def test_nothing_of_the_engine_is_made_until_something_runs() -> None:
    rig = Rig()
    rig.console.toggle()
    assert rig.console.state.open and rig.engines == [] and "api" in rig.console.state.entries[0].text
    assert rig.focus[-1] == "console-input"
    await rig.run("1 + 1")
    assert len(rig.engines) == 1


async def test_statements_run_in_order_printing_and_returning_with_top_level_await() -> None:
    rig = Rig()
    entries = await rig.run("import asyncio\nx = 20\nawait asyncio.sleep(0)\nprint('hello')\nx + 22")
    kinds = [(e.kind, e.text) for e in entries]
    assert kinds[0] == ("input", "import asyncio\nx = 20\nawait asyncio.sleep(0)\nprint('hello')\nx + 22")
    assert ("output", "hello\n") in kinds and kinds[-1] == ("result", "42")
    assert rig.focus[0] == "console-input" and rig.console.state.draft == ""  # the input empties at once


async def test_an_error_shows_its_message_and_the_next_input_starts_clean() -> None:
    rig = Rig()
    entries = await rig.run("1/0\nprint('not reached')")
    assert entries[-1].kind == "error" and "ZeroDivisionError" in entries[-1].text
    assert not [e for e in entries if e.kind == "output"]
    assert (await rig.run("2 + 2"))[-1].text == "4"


def test_a_failure_in_code_the_app_ran_for_the_developer_is_reported_in_the_log_redacted() -> None:
    rig = Rig()
    REDACTOR.register("eyJabc.def.ghi")  # a token the app holds, as app.auth.session registers each
    rig.console.report("pages/x.py stopped:\nValueError: https://p.example/?bearer_token=eyJabc.def.ghi")
    entry = rig.console.state.entries[-1]
    assert entry.kind == "error" and entry.text.startswith("pages/x.py stopped:") and "eyJabc" not in entry.text


async def test_history_is_kept_per_tab_and_walked_with_the_arrows() -> None:
    storage = MemoryStorage()
    rig = Rig(storage)
    for source in ("a = 1", "b = 2", "b = 2", "a + b"):
        await rig.run(source)
    assert json.loads(storage.get(HISTORY_KEY) or "[]") == ["a = 1", "b = 2", "a + b"]  # no repeats in a row
    again = Rig(storage).console  # a reload of the same tab
    assert again.previous("draft") == "a + b" and again.previous("") == "b = 2" and again.previous("") == "a = 1"
    assert again.previous("") == "a = 1"  # the oldest stays
    assert again.next("") == "b = 2" and again.next("") == "a + b" and again.next("") == "draft"  # back to it


async def test_history_is_bounded() -> None:
    rig = Rig()
    for n in range(MAX_HISTORY + 20):
        rig.console._remember(f"x = {n}")
    assert len(json.loads(rig.storage.get(HISTORY_KEY) or "[]")) == MAX_HISTORY


def test_a_damaged_history_is_an_empty_one() -> None:
    storage = MemoryStorage()
    storage.set(HISTORY_KEY, '{"not": "a list"')
    assert Rig(storage).console.previous("x") == "x"


def test_tab_completes_a_unique_name_and_lists_several() -> None:
    rig = Rig()
    assert rig.console.complete("con", 3) == ("config", 6)
    assert rig.console.complete("ap", 2) == ("ap", 2) and rig.console.state.options == ["api", "apiary", "app"]
    assert rig.console.complete("api", 3) == ("api", 3) and rig.console.state.options == ["api", "apiary"]
    assert rig.console.complete("zzz", 3) == ("zzz", 3) and rig.console.state.options == []


async def test_ctrl_c_drops_the_input_and_ctrl_l_clears_the_log() -> None:
    rig = Rig()
    await rig.run("1")
    rig.console.key("cancel", "half typed", (10, 10), rig.spawn)
    assert rig.console.state.entries[-1] == Entry("input", "half typed  ^C") and rig.console.state.draft == ""
    rig.console.key("clear", "kept", (4, 4), rig.spawn)
    assert rig.console.state.entries == [] and rig.console.state.draft == "kept"


async def test_ctrl_c_stops_a_statement_that_is_still_running() -> None:
    started: list[asyncio.Task[Any]] = []

    class Slow:
        buffer: list[str] = []

        def push(self, line: str) -> Any:
            task = asyncio.ensure_future(asyncio.sleep(30))  # as Pyodide's console runs each statement: a task
            started.append(task)

            class Pending:
                syntax_check = "complete"
                formatted_error = None

                def __await__(self) -> Any:
                    return task.__await__()

            return Pending()

        def complete(self, source: str) -> tuple[list[str], int]:
            return [], 0

    console = PythonConsole(MemoryStorage(), lambda ns, out, err: Slow(), dict, lambda focus: None)
    console.submit("await asyncio.sleep(30)", asyncio.ensure_future)
    for _ in range(5):
        await asyncio.sleep(0)
    assert console.state.running
    console.cancel("")
    for _ in range(5):
        await asyncio.sleep(0)
    assert started[0].cancelled() and not console.state.running
    assert console.state.entries[-1] == Entry("info", "Cancelled.")
