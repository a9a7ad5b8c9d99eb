"""PlaceOS's websocket protocol as frames (rest-api websocket/session): a request binds, unbinds or executes a
module's status by id; the server answers `success` or `error` for that id, and sends `notify` frames with a
binding's value as stringified JSON. Parsing here is strict: a frame from the network is any text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.core.urls import quote

MAX_FRAME = 64 * 1024  # a status value larger than this is no room's state


@dataclass(frozen=True)
class Binding:
    sys: str
    mod: str
    index: int
    name: str

    def request(self, request_id: int, cmd: str) -> str:
        return json.dumps(
            {"id": request_id, "cmd": cmd, "sys": self.sys, "mod": self.mod, "index": self.index, "name": self.name}
        )


# PlaceOS's websocket error codes (rest-api websocket/session), with what each means.
ERROR_CODES = {
    0: "parse error",
    1: "bad request",
    2: "access denied",
    3: "request failed",
    4: "unknown command",
    5: "system not found",
    6: "module not found",
    7: "unexpected failure",
}
REQUEST_FAILED, UNKNOWN_COMMAND, SYS_NOT_FOUND, MOD_NOT_FOUND = 3, 4, 5, 6


@dataclass(frozen=True)
class Reply:
    """PlaceOS's answer to one request: `success` with the call's value, or `error` with a code and a message."""

    id: int
    error: bool
    value: Any = None
    code: int | None = None
    msg: str = ""

    def describe(self) -> str:
        """ "6 module not found: Bookings_2 not found", for a developer."""
        said = f"{self.code} {ERROR_CODES.get(self.code, 'error')}" if self.code is not None else "error"
        return f"{said}: {self.msg}" if self.msg else said


def slug(module: str, index: int = 1) -> str:
    """A system's module as PlaceOS addresses it in a path: "Bookings_1"."""
    return f"{quote(module, safe='')}_{int(index)}"


def exec_request(request_id: int, target: Binding, args: list[Any]) -> str:
    """A call of a module's function (target.name is the function) with its arguments."""
    request = {"id": request_id, "cmd": "exec", "sys": target.sys, "mod": target.mod, "index": target.index}
    return json.dumps({**request, "name": target.name, "args": args})


def read_answer(text: str) -> Reply | None:
    """A `success` or `error` frame for a request; None for anything else. A value that is not JSON text is kept
    as sent."""
    if len(text) > MAX_FRAME:
        return None
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(frame, dict) or frame.get("type") not in ("success", "error"):
        return None
    request_id, raw, code, msg = frame.get("id"), frame.get("value"), frame.get("code"), frame.get("msg")
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        return None
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except (ValueError, RecursionError):
        value = raw
    if not isinstance(code, int) or isinstance(code, bool):
        code = None
    return Reply(request_id, frame["type"] == "error", value, code, msg[:500] if isinstance(msg, str) else "")


def read_frame(text: str) -> tuple[Binding, Any] | None:
    """The binding and value of a `notify` frame; None for anything else (success, error, pong, garbage)."""
    if len(text) > MAX_FRAME:
        return None
    try:
        frame = json.loads(text)
        if not isinstance(frame, dict) or frame.get("type") != "notify":
            return None
        meta, raw = frame.get("meta"), frame.get("value")
        if not isinstance(meta, dict) or not isinstance(raw, str):
            return None
        sys, mod, index, name = meta.get("sys"), meta.get("mod"), meta.get("index", 1), meta.get("name")
        if not (isinstance(sys, str) and isinstance(mod, str) and isinstance(name, str)):
            return None
        if not isinstance(index, int) or isinstance(index, bool):
            return None
        return Binding(sys, mod, index, name), json.loads(raw)
    except (ValueError, RecursionError):
        return None


__all__ = [
    "ERROR_CODES",
    "MAX_FRAME",
    "MOD_NOT_FOUND",
    "REQUEST_FAILED",
    "SYS_NOT_FOUND",
    "UNKNOWN_COMMAND",
    "Binding",
    "Reply",
    "exec_request",
    "read_answer",
    "read_frame",
    "slug",
]
