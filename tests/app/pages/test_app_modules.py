"""app.pages.app_modules: an app module's save fetched as saved and swapped in, the screen drawn again; the tab
reloaded where it cannot be swapped or read; a save that does not run said on screen and in the console, and taken
away by the save that mends it, never a notice of another's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.ports import HttpRequest, HttpResponse
from app.pages.app_modules import AppModules
from app.pages.hotswap import Failed, Outcome, Refused, Swapped
from app.ui.screens import Notice
from tests.fakes import FakeHost, MockTransport

BASE = "http://127.0.0.1:8000/_dev/"


class Harness:
    def __init__(self, outcomes: list[Outcome], status: int = 200) -> None:
        self.outcomes, self.status = outcomes, status
        self.asked: list[str] = []
        self.swapped: list[tuple[str, str]] = []
        self.reloads = 0
        self.notice: Notice | None = Notice("warn", "someone else's")
        self.reported: list[str] = []
        self.host = FakeHost()
        self.modules = AppModules(
            self.host,
            source_url=BASE,
            transport=MockTransport(self.answer),
            reload_page=self.reload,
            notify=self.notify,
            report=self.reported.append,
            swap=self.swap,
        )

    def answer(self, request: HttpRequest) -> HttpResponse:
        self.asked.append(request.url.removeprefix(BASE))
        return HttpResponse(self.status, {}, "X = 2\n" if self.status == 200 else '{"error": "no module"}')

    def swap(self, path: str, source: str) -> Outcome:
        self.swapped.append((path, source))
        return self.outcomes.pop(0)

    def reload(self) -> None:
        self.reloads += 1

    def notify(self, notice: Notice | None, replacing: Notice | None) -> None:
        if notice is not None or self.notice is replacing:
            self.notice = notice


async def test_a_save_is_fetched_swapped_and_drawn_with_no_reload() -> None:
    harness = Harness([Swapped("app.ui.words")])
    await harness.modules.saved("app/ui/words.py")
    assert harness.asked == ["app/ui/words.py"] and harness.swapped == [("app/ui/words.py", "X = 2\n")]
    assert harness.reloads == 0 and harness.host.shown == [None]
    assert harness.notice == Notice("warn", "someone else's")  # not ours to take away


async def test_a_module_that_cannot_be_swapped_or_read_reloads_the_tab() -> None:
    harness = Harness([Refused("app.core.redact", "its top level does more than define names")])
    await harness.modules.saved("app/core/redact.py")
    assert harness.reloads == 1 and harness.host.shown == []
    gone = Harness([], status=404)
    await gone.modules.saved("app/ui/removed.py")
    assert gone.reloads == 1 and gone.swapped == []


async def test_a_save_that_does_not_run_says_so_until_a_save_runs_and_the_app_runs_on() -> None:
    error = 'File "/home/pyodide/app/ui/words.py", line 3\n    def (:\n        ^\nSyntaxError: invalid syntax\n'
    harness = Harness([Failed("app.ui.words", error), Failed("app.ui.rows", "NameError: x\n"), Swapped("app.ui.words")])
    await harness.modules.saved("app/ui/words.py")
    assert harness.reloads == 0 and harness.notice is not None and harness.notice.kind == "error"
    assert (
        harness.notice.text
        == "app/ui/words.py did not run (SyntaxError: invalid syntax); the app runs the code it had."
    )
    assert harness.notice.actions == (("Dismiss", "dismiss_notice"),)
    assert harness.reported == [f"app/ui/words.py did not run; the app runs the code it had:\n{error}"]
    await harness.modules.saved("app/ui/rows.py")
    assert harness.notice.text.startswith("app/ui/rows.py did not run (NameError: x)")
    await harness.modules.saved("app/ui/words.py")  # mended, but rows.py still does not run: its notice stays
    assert harness.notice is not None and "rows.py" in harness.notice.text
    harness.outcomes.append(Swapped("app.ui.rows"))
    await harness.modules.saved("app/ui/rows.py")
    assert harness.notice is None and harness.reloads == 0


async def test_a_notice_another_part_put_up_meanwhile_stays() -> None:
    harness = Harness([Failed("app.ui.words", "SyntaxError: x\n"), Swapped("app.ui.words")])
    await harness.modules.saved("app/ui/words.py")
    harness.notice = Notice("offline", "PlaceOS cannot be reached")
    await harness.modules.saved("app/ui/words.py")
    assert harness.notice == Notice("offline", "PlaceOS cannot be reached")


@given(st.text(max_size=400))
async def test_any_traceback_makes_a_one_line_notice(traceback: str) -> None:
    harness = Harness([Failed("app.ui.words", traceback)])
    await harness.modules.saved("app/ui/words.py")
    assert harness.notice is not None and harness.notice.text.startswith("app/ui/words.py did not run (")
    assert harness.notice.text.splitlines() == [harness.notice.text] and len(harness.notice.text) < 300
