"""The console's package index (server/wheels.py): the wheels folder as PEP 691 JSON, and nothing else of the disk."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.app import create_app
from server.settings import Settings
from server.wheels import SIMPLE_JSON, normalize, wheels_in


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "Placeos_Demo.Tool-1.0-py3-none-any.whl").write_bytes(b"PK wheel one")
    (wheels / "placeos_demo_tool-1.1-py3-none-any.whl").write_bytes(b"PK wheel two")
    (wheels / "notes.txt").write_text("not a wheel")
    (tmp_path / "secret-1.0-py3-none-any.whl").write_bytes(b"outside the folder")
    return wheels


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path, folder: Path) -> Any:
    settings = replace(Settings(), data_path=tmp_path / "db.sqlite3", wheels_dir=folder)
    return await aiohttp_client(create_app(settings))


def test_project_names_are_normalised_as_pep_503_says() -> None:
    assert normalize("Placeos_Demo.Tool") == normalize("placeos--demo-tool") == "placeos-demo-tool"


async def test_a_project_lists_its_wheels_with_hashes_and_absolute_urls(client: Any, folder: Path) -> None:
    response = await client.get("/wheels/simple/PlaceOS_demo-tool/")
    assert response.status == 200 and response.headers["Content-Type"].startswith(SIMPLE_JSON)
    listing = await response.json(content_type=None)
    assert listing["name"] == "placeos-demo-tool" and listing["meta"]["api-version"] == "1.0"
    names = [f["filename"] for f in listing["files"]]
    assert names == ["Placeos_Demo.Tool-1.0-py3-none-any.whl", "placeos_demo_tool-1.1-py3-none-any.whl"]
    first = listing["files"][0]
    assert first["hashes"]["sha256"] == hashlib.sha256(b"PK wheel one").hexdigest()
    assert first["url"].startswith("http://") and first["url"].endswith("/wheels/files/" + first["filename"])
    wheel = await client.get("/wheels/files/" + first["filename"])
    assert wheel.status == 200 and await wheel.read() == b"PK wheel one"


@pytest.mark.parametrize(
    "path",
    [
        "/wheels/simple/nothing-here/",
        "/wheels/files/notes.txt",
        "/wheels/files/..%2Fsecret-1.0-py3-none-any.whl",
        "/wheels/files/missing-1.0-py3-none-any.whl",
    ],
)
async def test_anything_else_is_a_404_that_says_why(client: Any, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404 and (await response.json())["error"]


@pytest.mark.property
@settings(max_examples=200)
@given(st.lists(st.text(min_size=1, max_size=40), max_size=12))
def test_any_folder_of_files_lists_only_wheels_inside_it(tmp_path_factory: Any, names: list[str]) -> None:
    folder = tmp_path_factory.mktemp("wheels")
    for name in names:
        try:
            (folder / name).write_bytes(b"x")
        except (OSError, ValueError):
            continue  # a name no file system takes
    for project, paths in wheels_in(folder).items():
        assert project == normalize(project)
        assert all(path.parent == folder and path.name.endswith(".whl") for path in paths)
