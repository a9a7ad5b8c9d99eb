"""Stand-in PlaceOS: auth service and REST API (filled in by issue 3)."""
from __future__ import annotations
def setup_standin(app, settings, clock):  # type: ignore[no-untyped-def]
    return None
