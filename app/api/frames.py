"""PlaceOS's websocket protocol as frames (rest-api websocket/session): a request binds, unbinds or executes a
module's status by id; the server answers `success` or `error` for that id, and sends `notify` frames with a
binding's value as stringified JSON. Parsing here is strict: a frame from the network is any text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

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


def read_answer(text: str) -> tuple[int, bool] | None:
    """The id of a `success` or `error` frame and whether it is an error; None for anything else."""
    if len(text) > MAX_FRAME:
        return None
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(frame, dict) or frame.get("type") not in ("success", "error"):
        return None
    request_id = frame.get("id")
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        return None
    return request_id, frame["type"] == "error"


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


__all__ = ["MAX_FRAME", "Binding", "read_answer", "read_frame"]
