"""A developer's own pages, run: each page's source fetched from beside the app (serve.py --pages) and imported as
a module of its own (app.pages.source), its `load` given the console's `api` and the place in the address, its
`render` drawn with the app's elements, its buttons sent to its `act`. A failure anywhere in it shows its
traceback in the page (and the browser's console), never a blank app. With serve.py --reload, a saved page is
swapped in place (the page's websocket stays open), and a saved app module too where it can be (app.pages.app_modules):
else the tab reloads, signed in and at the same place."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from app.browse.place import PAGE_NAME, Place
from app.core.errors import AuthRequired
from app.core.ports import HttpRequest, Transport
from app.core.redact import REDACTOR, log
from app.pages.source import PageError, PageModule, compile_page, filename_of, run_failed
from app.pages.state import PageState
from app.ui.elements import El
from app.ui.host import Host


def saved_path(event: str) -> str:
    """The path a change event names ("app/…py" or "pages/…py"); "" for anything else."""
    try:
        data = json.loads(event) if len(event) < 4096 else None
    except (ValueError, RecursionError):
        return ""
    path = data.get("path") if isinstance(data, dict) else None
    if not isinstance(path, str) or ".." in path or not path.startswith(("app/", "pages/")) or not path.endswith(".py"):
        return ""
    return path


class OwnPages:
    def __init__(
        self,
        host: Host,
        state: Callable[[], PageState],
        *,
        folder_url: str,
        transport: Transport,
        api: Any,
        app_saved: Callable[[str], Awaitable[None]],
        auth_required: Callable[[AuthRequired], None],
        report: Callable[[str], None] = lambda text: None,
    ) -> None:
        self._host = host
        self._state = state  # the screen's (app.shell.model): a sign-out makes a new one
        self._folder_url = folder_url  # where serve.py serves the pages: http://…/_pages/ ("" serves none)
        self._transport = transport
        self.api = api  # what each page's load and act get: the console's `api` (app.api.developer)
        self._app_saved = app_saved  # an app module's save (app.pages.app_modules)
        self._auth_required = auth_required  # expired or refused: the session keeper decides what follows
        self._report = report  # the developer's Python console, where it is open
        self._modules: dict[str, PageModule] = {}  # imported once; a save (serve.py --reload) drops one
        self._index: list[tuple[str, str]] | None = None
        self._place: Place | None = None  # the page's place, for its actions and a save to redraw
        self._generation = 0

    async def _get(self, name: str) -> str:
        try:
            response = await self._transport.send(HttpRequest("GET", self._folder_url + name))
        except OSError as error:
            raise PageError(f"{name} could not be fetched from the app's server: {error}") from None
        if response.status != 200:
            raise PageError(
                f"{name}: the app's server answered {response.status} (is it in serve.py's --pages folder?)"
            )
        return response.body

    async def list_pages(self, shown: str = "") -> None:
        """The pages for the navigation: (name, title), as the server read them from the folder. `shown` is the
        page on screen now ("": none, so a save of the last one shown no longer loads it)."""
        state = self._state()
        if shown != state.name:
            self._place = None
        if self._index is None and not self._folder_url:
            self._index = []  # serve.py --reload without --pages: app modules swap in, and there are no pages
        if self._index is None:
            try:
                listed = json.loads(await self._get("index.json"))
            except (PageError, ValueError, RecursionError):
                listed = []
            found = [p for p in listed if isinstance(p, dict)] if isinstance(listed, list) else []
            self._index = [
                (p["name"], str(p.get("title") or p["name"])[:60])
                for p in found
                if isinstance(p.get("name"), str) and PAGE_NAME.fullmatch(p["name"])
            ]
        if state.index != self._index:
            state.index = list(self._index)
            self._host.show()

    async def _module(self, name: str) -> PageModule:
        if name not in self._modules:
            self._modules[name] = compile_page(name, await self._get(f"{name}.py"))
        return self._modules[name]

    async def show(self, place: Place) -> None:
        """The page `place` names: imported (once), loaded, drawn. A refused sign-in goes to the session keeper;
        anything else the page raises is its traceback on screen."""
        self._generation += 1
        generation, name, state = self._generation, place.page, self._state()
        self._place = place
        if state.name != name:
            state.name, state.title, state.content, state.message = name, "", None, ""
        state.loading = True
        self._host.show()
        try:
            module = await self._module(name)
            state.title = module.title
            content = module.render(await module.load(self.api, place))
            if not isinstance(content, El):
                raise PageError(f"{filename_of(name)}: render returned {type(content).__name__}, not an element (h(…))")
            if generation == self._generation:
                state.content, state.error = content, ""
        except AuthRequired as error:
            self._auth_required(error)
        except Exception as error:
            if generation == self._generation:
                self._failed(state, error)
        finally:
            if generation == self._generation:
                state.loading = False
                self._host.show()

    async def act(self, arg: str) -> None:
        """A press of a button the page drew (app.pages.kit.button): its `act`, then the page loads again."""
        place, state = self._place, self._state()
        if place is None:
            return
        action, _, value = arg.partition(":")
        module = self._modules.get(state.name)
        try:
            if module is None or module.act is None:
                raise PageError(
                    f"{filename_of(state.name)} has a button {action!r} but no `async def act(api, action, arg)`"
                )
            said = await module.act(self.api, action, value)
            state.message = str(said)[:300] if said else ""
        except AuthRequired as error:
            return self._auth_required(error)
        except Exception as error:
            self._failed(state, error)
            self._host.show()
            return
        await self.show(place)

    def _failed(self, state: PageState, error: Exception) -> None:
        state.content = None
        # On screen too, a token the app holds never shows, even where a page's own message quotes one.
        state.error = REDACTOR.scrub(str(error) if isinstance(error, PageError) else run_failed(error, state.name))
        log.error("%s stopped:\n%s", filename_of(state.name), state.error)  # the browser's console, redacted
        self._report(f"{filename_of(state.name)} stopped:\n{state.error}")

    def saved(self, event: str) -> None:
        """An event of serve.py --reload's stream (server/devpages.py): {"path": "pages/free_rooms.py"}."""
        path = saved_path(event)
        if path:
            self._host.spawn(self.changed(path))

    async def changed(self, path: str) -> None:
        """A file saved (serve.py --reload): a page is imported again and redrawn where it shows, the rest of the
        app untouched; an app module goes to app.pages.app_modules."""
        if path.startswith("pages/") and path.endswith(".py"):
            name = path.removeprefix("pages/").removesuffix(".py")
            self._modules.pop(name, None)
            self._index = None
            await self.list_pages(self._state().name if self._place is not None else "")
            if self._place is not None and self._state().name == name and self._host.working:
                await self.show(self._place)
        elif path.startswith("app/") and path.endswith(".py"):
            await self._app_saved(path)


__all__ = ["OwnPages", "saved_path"]
