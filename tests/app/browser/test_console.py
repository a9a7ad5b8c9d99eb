"""app.browser.console in the page: Pyodide's own console as the engine of the developers' console."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.app.browser.page import in_page, run
from tests.live import LiveServer

pytestmark = pytest.mark.browser

ENGINE = """
import json
from app.browser.console import pyodide_engine
out, err = [], []
engine = pyodide_engine({"answer": 41}, out.append, err.append)
future = engine.push("print('hi'); answer + 1")
value = await future
json.dumps({"value": value, "out": "".join(out), "err": "".join(err)})
"""


def test_the_engine_runs_code_in_its_namespace_and_prints(page: Page, live_server: LiveServer) -> None:
    seen = run(in_page(page, live_server), ENGINE)
    assert seen == {"value": 42, "out": "hi\n", "err": ""}
