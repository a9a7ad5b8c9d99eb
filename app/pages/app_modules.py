"""serve.py --reload: an app module's save, swapped into the running app (app.pages.hotswap) and the screen drawn
again, signed in and with the websocket open; the tab reloads only where a module cannot be swapped. A save that
does not run (a syntax error, an exception as the module starts) says so on screen and in the consoles, and the app
runs on with the code it had: a reload would only stop it at start-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.core.ports import HttpRequest, Transport
from app.core.redact import log
from app.ui.host import Host
from app.ui.screens import Notice

if TYPE_CHECKING:
    from app.pages.hotswap import Outcome


class AppModules:
    def __init__(
        self,
        host: Host,
        *,
        source_url: str,
        transport: Transport,
        reload_page: Callable[[], None],
        notify: Callable[[Notice | None, Notice | None], None],
        report: Callable[[str], None] = lambda text: None,
        swap: Callable[[str, str], Outcome] | None = None,
    ) -> None:
        self._host = host
        self._source_url = source_url  # where serve.py serves a module as saved: http://…/_dev/ (+ "app/ui/words.py")
        self._transport = transport
        self._reload_page = reload_page
        self._notify = notify  # (notice, the one it replaces): put over the app; None takes ours away, if it shows
        self._shown: Notice | None = None
        self._report = report  # the developer's Python console, where it is open
        self._swap = swap  # app.pages.hotswap.swap, imported at the first save
        self._failed: set[str] = set()  # saved modules that did not run, until a save of each runs

    async def saved(self, path: str) -> None:
        """`path` ("app/ui/words.py") was saved."""
        try:
            response = await self._transport.send(HttpRequest("GET", self._source_url + path))
        except OSError:
            response = None
        if response is None or response.status != 200:
            # Removed, or the server is restarting: a fresh start reads whatever is there now.
            log.info("%s: its source could not be read, so the tab reloads", path)
            return self._reload_page()
        from app.pages.hotswap import Failed, Refused, swap  # serve.py --reload only: no start pays for it

        outcome = (self._swap or swap)(path, response.body)
        if isinstance(outcome, Refused):
            log.info("%s cannot be swapped in place (%s), so the tab reloads", path, outcome.reason)
            return self._reload_page()
        if isinstance(outcome, Failed):
            self._failed.add(path)
            log.error("%s did not run; the app runs the code it had:\n%s", path, outcome.traceback)
            self._report(f"{path} did not run; the app runs the code it had:\n{outcome.traceback}")
            lines = outcome.traceback.strip().splitlines()
            last = lines[-1].strip()[:200] if lines else "an error"  # the error itself; the traceback is in the log
            notice = Notice("error", f"{path} did not run ({last}); the app runs the code it had.", DISMISS)
            self._notify(notice, self._shown)
            self._shown = notice
        else:
            log.info("%s swapped in place", path)
            self._failed.discard(path)
            if not self._failed and self._shown is not None:
                self._notify(None, self._shown)
                self._shown = None
        self._host.show()


DISMISS = (("Dismiss", "dismiss_notice"),)

__all__ = ["AppModules"]
