from collections.abc import Callable
from typing import Any

class ConsoleFuture:
    syntax_check: str
    formatted_error: str | None
    def __await__(self) -> Any: ...

class PyodideConsole:
    buffer: list[str]
    def __init__(
        self,
        globals: dict[str, Any] | None = None,
        *,
        stdout_callback: Callable[[str], None] | None = None,
        stderr_callback: Callable[[str], None] | None = None,
    ) -> None: ...
    def push(self, line: str) -> ConsoleFuture: ...
    def complete(self, source: str) -> tuple[list[str], int]: ...
