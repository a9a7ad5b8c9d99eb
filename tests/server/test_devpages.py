"""server/devpages.py: a developer's pages served from their folder with their titles, and the stream of saves that
the open tab follows (serve.py --pages, --reload)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.devpages import DevPages, page_title


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    root, pages = tmp_path / "project", tmp_path / "project" / "pages"
    (root / "app" / "ui").mkdir(parents=True)
    pages.mkdir()
    (root / "app" / "ui" / "words.py").write_text("X = 1\n")
    (pages / "free_rooms.py").write_text('"""Free rooms."""\nTITLE = "Free rooms now"\n')
    (pages / "draft.py").write_text("def broken(:\n")
    (pages / "Not_A_Page.py").write_text("")  # not a page's name: never listed or served
    return root, pages


@pytest.fixture
async def dev(aiohttp_client: Any, folders: tuple[Path, Path]) -> Any:
    root, pages = folders
    app = web.Application()
    DevPages(root, pages, reload=True).add_to(app, "/")
    return await aiohttp_client(app)


async def test_the_pages_are_listed_with_their_titles_and_served_as_source(dev: Any) -> None:
    listed = await (await dev.get("/_pages/index.json")).json()
    assert listed == [{"name": "draft", "title": "Draft"}, {"name": "free_rooms", "title": "Free rooms now"}]
    source = await dev.get("/_pages/free_rooms.py")
    assert source.status == 200 and source.headers["Cache-Control"] == "no-store"
    assert "TITLE" in await source.text()
    for name in ("Not_A_Page", "nowhere", "..%2Fapp%2Fui%2Fwords"):
        missing = await dev.get(f"/_pages/{name}.py")
        assert missing.status == 404 and "no page" in (await missing.json())["error"]


async def test_a_save_under_app_or_pages_is_an_event_on_the_stream(dev: Any, folders: tuple[Path, Path]) -> None:
    root, pages = folders
    stream = await dev.get("/_dev/changes")
    assert stream.headers["Content-Type"] == "text/event-stream"
    assert await asyncio.wait_for(stream.content.readline(), 2) == b": watching\n"
    await asyncio.wait_for(stream.content.readline(), 2)
    for saved, expected in (
        (pages / "free_rooms.py", "pages/free_rooms.py"),
        (root / "app/ui/words.py", "app/ui/words.py"),
    ):
        stat = saved.stat()
        os.utime(saved, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        event = await asyncio.wait_for(stream.content.readline(), 2)
        data = await asyncio.wait_for(stream.content.readline(), 2)
        assert event == b"event: change\n" and json.loads(data.removeprefix(b"data: ")) == {"path": expected}
        await stream.content.readline()
    stream.close()


async def test_without_the_flags_there_is_nothing_to_find(aiohttp_client: Any, folders: tuple[Path, Path]) -> None:
    app = web.Application()
    DevPages(folders[0], None, reload=False).add_to(app, "/")
    client = await aiohttp_client(app)
    assert (await client.get("/_pages/index.json")).status == 404
    assert (await client.get("/_dev/changes")).status == 404


@pytest.mark.property
@given(st.text(max_size=300))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_any_source_has_a_title_read_without_running_it(source: str) -> None:
    title = page_title(source, "some_page")
    assert title and len(title) <= 60


@pytest.mark.property
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(max_size=60))
async def test_any_page_name_is_its_source_or_a_404(dev: Any, name: str) -> None:
    quoted = "".join(c if c.isalnum() or c == "_" else f"%{ord(c) & 0xFF:02X}" for c in name)
    answer = await dev.get(f"/_pages/{quoted}.py")
    assert answer.status in (200, 404)


async def test_an_app_module_s_source_is_served_as_saved_and_nothing_outside_app(dev: Any) -> None:
    source = await dev.get("/_dev/app/ui/words.py")
    assert source.status == 200 and await source.text() == "X = 1\n"
    assert source.headers["Cache-Control"] == "no-store"
    for path in ("ui/nothing.py", "ui", "..%2Fpages%2Ffree_rooms.py", "ui/.hidden.py", "ui/words.pyc"):
        missing = await dev.get(f"/_dev/app/{path}")
        assert missing.status == 404 and "no module" in (await missing.json())["error"], path
    assert (await dev.get("/_dev/app/../pages/free_rooms.py")).status == 404


@pytest.mark.property
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(max_size=80))
async def test_any_app_path_is_a_module_s_source_or_a_404(dev: Any, path: str) -> None:
    quoted = "".join(c if c.isalnum() or c in "_/." else f"%{ord(c) & 0xFF:02X}" for c in path)
    answer = await dev.get(f"/_dev/app/{quoted}")
    assert answer.status in (200, 404)
    if answer.status == 200:
        assert await answer.text() == "X = 1\n"
