"""app.pages.source: a page of one's own from its source, or a traceback that names the page's own lines."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.pages.source import PageError, PageModule, compile_page, run_failed
from app.ui.elements import El

GOOD = """
from app.pages.kit import h

TITLE = "Hello"


async def load(api, place):
    return {"who": place}


def render(data):
    return h("p", {}, f"Hello {data['who']}")
"""


async def test_a_page_is_its_title_load_and_render() -> None:
    page = compile_page("hello", GOOD)
    assert isinstance(page, PageModule) and page.title == "Hello" and page.act is None
    data = await page.load(None, "world")
    assert page.render(data) == El("p", {}, ("Hello world",))
    untitled = compile_page("free_rooms", GOOD.replace('TITLE = "Hello"', ""))
    assert untitled.title == "Free rooms"  # its name in words


def test_a_syntax_error_names_the_page_s_file_line_and_caret() -> None:
    with pytest.raises(PageError) as raised:
        compile_page("broken", "async def load(api, place):\n    return (\n")
    text = str(raised.value)
    assert 'File "pages/broken.py", line 2' in text and "SyntaxError" in text


def test_a_failure_at_import_shows_the_page_s_own_line_and_source() -> None:
    with pytest.raises(PageError) as raised:
        compile_page("boom", "x = 1\nraise ValueError('no rooms here')\n")
    text = str(raised.value)
    assert text.startswith("Traceback (most recent call last):")
    assert 'File "pages/boom.py", line 2, in <module>' in text and "raise ValueError('no rooms here')" in text
    assert text.endswith("ValueError: no rooms here") and "app/pages/source.py" not in text


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("def load(api, place): pass\ndef render(data): pass\n", "async def load"),
        ("async def load(api, place): pass\n", "def render(data)"),
        ("async def load(api, place): pass\nasync def render(data): pass\n", "not async"),
        ("async def load(api, place): pass\ndef render(data): pass\ndef act(api, a, b): pass\n", "async def act"),
    ],
)
def test_a_page_that_breaks_the_contract_is_told_how_it_goes(source: str, says: str) -> None:
    with pytest.raises(PageError, match=re.escape(says)):
        compile_page("odd", source)


async def test_a_failure_in_load_is_the_traceback_from_the_page_s_frame() -> None:
    page = compile_page("slow", "async def load(api, place):\n    return 1 / 0\ndef render(data): pass\n")
    try:
        await page.load(None, None)
    except ZeroDivisionError as error:
        text = run_failed(error, "slow")
    assert 'File "pages/slow.py", line 2, in load' in text and "return 1 / 0" in text
    assert text.endswith("ZeroDivisionError: division by zero")


@given(st.text(max_size=200))
def test_any_source_is_a_page_or_a_page_error(source: str) -> None:
    try:
        page = compile_page("fuzz", source)
    except PageError as error:
        assert str(error)
    else:
        assert page.title
