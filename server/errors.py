"""Errors the person running the server must act on."""

from __future__ import annotations


class StartupError(Exception):
    """Something the person running serve.py must fix; its message says what, in one line."""


__all__ = ["StartupError"]
