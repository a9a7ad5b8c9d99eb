"""app.pages.runner: a developer's pages fetched, imported, loaded and drawn; their buttons; a traceback where one
fails; a save swapping a page in place, or handing an app module's to app.pages.app_modules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.browse.place import PAGE_NAME, Place
from app.core.errors import AuthRequired
from app.core.ports import HttpRequest, HttpResponse
from app.core.redact import REDACTOR
from app.pages.runner import OwnPages, saved_path
from app.pages.state import PageState
from app.ui.elements import El
from tests.fakes import FakeHost, MockTransport

FOLDER = "http://127.0.0.1:8000/_pages/"
REPORTED: list[str] = []  # what went to the developer's console
COUNTER = """
from app.pages.kit import button, h

TITLE = "Counter"


async def load(api, place):
    return api["count"]


def render(count):
    return h("div", {}, h("p", {"id": "count"}, f"{count} pressed"), button("Press", "press", "1"))


async def act(api, action, arg):
    if action == "fail":
        raise RuntimeError("the button broke")
    api["count"] += int(arg)
    return f"pressed {arg}"
"""


class Site:
    """serve.py --pages: the folder's pages by name, and what was asked for."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def answer(self, request: HttpRequest) -> HttpResponse:
        name = request.url.removeprefix(FOLDER)
        self.asked.append(name)
        if name == "index.json":
            listed = [{"name": n.removesuffix(".py"), "title": n.upper()} for n in self.pages]
            return HttpResponse(200, {}, json.dumps(listed))
        if name.removesuffix(".py") in self.pages:
            return HttpResponse(200, {}, self.pages[name.removesuffix(".py")])
        return HttpResponse(404, {}, '{"error": "no page"}')


async def reloaded(saves: list[str], path: str) -> None:
    saves.append(path)


def own_pages(site: Site, api: Any = None) -> tuple[OwnPages, PageState, FakeHost, list[str], list[AuthRequired]]:
    state, host, reloads, refused = PageState(), FakeHost(), [], []
    pages = OwnPages(
        host,
        lambda: state,
        folder_url=FOLDER,
        transport=MockTransport(site.answer),
        api=api if api is not None else {"count": 0},
        app_saved=lambda path: reloaded(reloads, path),
        auth_required=refused.append,
        report=REPORTED.append,
    )
    return pages, state, host, reloads, refused


def text_of(node: El | str | None) -> str:
    if node is None:
        return ""
    return node if isinstance(node, str) else "".join(text_of(child) for child in node.children)


async def test_a_page_is_imported_once_loaded_drawn_and_its_button_acts_then_loads_again() -> None:
    site = Site({"counter": COUNTER})
    pages, state, _, _, _ = own_pages(site)
    await pages.show(Place(page="counter"))
    assert state.title == "Counter" and "0 pressed" in text_of(state.content) and not state.loading
    await pages.act("press:2")
    assert state.message == "pressed 2" and "2 pressed" in text_of(state.content)
    assert site.asked.count("counter.py") == 1  # imported once, loaded each time
    await pages.list_pages()
    assert state.index == [("counter", "COUNTER")]


async def test_a_failing_load_render_or_button_shows_its_traceback_not_a_blank_app() -> None:
    broken = COUNTER.replace('return api["count"]', "return api['missing']")
    site = Site({"counter": broken, "syntax": "def (:\n"})
    pages, state, _, _, _ = own_pages(site)
    await pages.show(Place(page="counter"))
    assert state.content is None and 'File "pages/counter.py", line 8, in load' in state.error
    assert REPORTED[-1] == f"pages/counter.py stopped:\n{state.error}"  # in the console too
    assert state.error.endswith("KeyError: 'missing'")
    site.pages["counter"] = COUNTER  # fixed and saved
    await pages.changed("pages/counter.py")
    assert state.error == "" and "0 pressed" in text_of(state.content)
    await pages.act("fail:")
    assert "RuntimeError: the button broke" in state.error and 'File "pages/counter.py"' in state.error
    await pages.show(Place(page="syntax"))
    assert "SyntaxError" in state.error and state.name == "syntax"
    await pages.show(Place(page="nowhere"))
    assert "nowhere.py: the app's server answered 404" in state.error


async def test_a_page_that_draws_no_element_says_so() -> None:
    pages, state, _, _, _ = own_pages(Site({"odd": "async def load(api, place): pass\ndef render(d): return 'hi'\n"}))
    await pages.show(Place(page="odd"))
    assert "render returned str, not an element" in state.error


async def test_a_refused_sign_in_goes_to_the_session_keeper() -> None:
    refusing = "async def load(api, place):\n    raise api\ndef render(d): pass\n"
    refusal = AuthRequired("no", 401, expired=True)
    pages, state, _, _, refused = own_pages(Site({"locked": refusing}), api=refusal)
    await pages.show(Place(page="locked"))
    assert refused == [refusal] and state.error == ""


async def test_a_saved_page_is_swapped_in_place_and_a_saved_app_module_goes_to_the_app_s_modules() -> None:
    site = Site({"counter": COUNTER})
    pages, state, host, reloads, _ = own_pages(site)
    await pages.show(Place(page="counter"))
    site.pages["counter"] = COUNTER.replace('pressed")', 'clicks")')
    pages.saved(json.dumps({"path": "pages/counter.py"}))
    await host.settle()
    assert "0 clicks" in text_of(state.content) and reloads == []
    pages.saved(json.dumps({"path": "pages/other.py"}))  # another page: only the navigation is read again
    await host.settle()
    assert site.asked.count("counter.py") == 2
    pages.saved(json.dumps({"path": "app/browse/rows.py"}))
    await host.settle()
    assert reloads == ["app/browse/rows.py"]


@pytest.mark.parametrize(
    ("event", "path"),
    [
        ('{"path": "pages/free_rooms.py"}', "pages/free_rooms.py"),
        ('{"path": "app/ui/words.py"}', "app/ui/words.py"),
        ('{"path": "../etc/passwd.py"}', ""),
        ('{"path": "app/../x.py"}', ""),
        ('{"path": "README.md"}', ""),
        ("not json", ""),
        ("[]", ""),
    ],
)
def test_a_change_event_names_a_python_file_of_the_app_or_the_pages(event: str, path: str) -> None:
    assert saved_path(event) == path


@given(st.one_of(st.text(max_size=100), st.dictionaries(st.just("path"), st.text(max_size=40)).map(json.dumps)))
def test_any_change_event_is_a_path_of_ours_or_nothing(event: str) -> None:
    path = saved_path(event)
    assert path == "" or (path.startswith(("app/", "pages/")) and path.endswith(".py") and ".." not in path)


async def test_a_save_of_a_page_no_longer_on_screen_only_refreshes_the_navigation() -> None:
    site = Site({"counter": COUNTER})
    pages, state, _, _, _ = own_pages(site)
    await pages.show(Place(page="counter"))
    await pages.list_pages("")  # the person went back to the rooms list
    await pages.changed("pages/counter.py")
    assert site.asked.count("counter.py") == 1  # not imported again, nor loaded, while nobody looks at it


async def test_a_traceback_on_screen_never_shows_a_token_the_app_holds() -> None:
    REDACTOR.register("tok-held-by-the-app-1234")
    leaking = "async def load(api, place):\n    raise ValueError('tok-held-by-the-app-1234')\ndef render(d): pass\n"
    pages, state, _, _, _ = own_pages(Site({"leaky": leaking}))
    await pages.show(Place(page="leaky"))
    assert "ValueError" in state.error and "tok-held-by-the-app-1234" not in state.error


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["name", "title", "x"]), inner)
    ),
    max_leaves=12,
)


@pytest.mark.property
@given(st.one_of(st.text(max_size=60), JSON.map(json.dumps)))
async def test_any_page_list_from_the_server_gives_pages_with_valid_names_or_none(body: str) -> None:
    site = Site({})
    site.answer = lambda request: HttpResponse(200, {}, body)  # type: ignore[method-assign]
    pages, state, _, _, _ = own_pages(site)
    await pages.list_pages()
    assert all(PAGE_NAME.fullmatch(name) and isinstance(title, str) and len(title) <= 60 for name, title in state.index)
