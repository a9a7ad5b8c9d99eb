"""A Node script run beside a test module and asked one JSON line at a time (tests/*_harness.mjs)."""

from __future__ import annotations

import json
import subprocess
from typing import Any


class NodeLines:
    def __init__(self, *argv: str) -> None:
        self._node = subprocess.Popen(["node", *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, question: dict[str, Any]) -> dict[str, Any]:
        assert self._node.stdin and self._node.stdout
        self._node.stdin.write(json.dumps(question) + "\n")
        self._node.stdin.flush()
        return dict(json.loads(self._node.stdout.readline()))

    def close(self) -> None:
        assert self._node.stdin and self._node.stdout
        self._node.stdin.close()
        self._node.wait(10)
        self._node.stdout.close()
