"""app.console.state: the console's state and the pure rules of its input: when Enter runs, new lines, keys, results."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.console.state import format_result, key_action, needs_more, newline, repl_lines
from app.core.redact import Secret


@pytest.mark.parametrize(
    ("source", "more"),
    [
        ("1 + 1", False),
        ("x = [1,", True),
        ("for i in range(3):", True),
        ("for i in range(3):\n    print(i)", True),  # inside a block: Enter adds a line
        ("for i in range(3):\n    print(i)\n    ", False),  # a blank line ends it
        ("await api.systems()", False),
        ("def f(:", False),  # an error is not unfinished: running it shows the error
        ("", False),
        ('"""open', True),
    ],
)
def test_enter_runs_a_finished_statement_and_continues_an_unfinished_one(source: str, more: bool) -> None:
    assert needs_more(source) is more


def test_a_new_line_keeps_the_indentation_and_indents_after_a_colon() -> None:
    assert newline("for i in x:", 11, 11) == ("for i in x:\n    ", 16)
    assert newline("if a:\n    b = 1", 15, 15) == ("if a:\n    b = 1\n    ", 20)


def test_pasted_code_runs_as_written_with_its_blocks_closed() -> None:
    source = "x = 0\nfor i in range(3):\n    x += i\nelse:\n    x += 10\nprint(x)\n"
    assert repl_lines(source) == ["x = 0", "for i in range(3):", "    x += i", "else:", "    x += 10", "", "print(x)"]
    assert repl_lines("if a:\n    b") == ["if a:", "    b", ""]


@pytest.mark.property
@given(st.text(max_size=400))
def test_any_input_is_decided_without_crashing_and_keeps_its_lines(source: str) -> None:
    needs_more(source)
    lines = repl_lines(source)
    assert [line for line in lines if line.strip()] == [line for line in source.rstrip().split("\n") if line.strip()]


@pytest.mark.parametrize(
    ("key", "shift", "ctrl", "value", "start", "end", "action"),
    [
        ("Enter", False, False, "1 + 1", 5, 5, "run"),
        ("Enter", False, False, "for i in x:", 11, 11, "newline"),
        ("Enter", True, False, "1 + 1", 5, 5, None),  # Shift+Enter: the browser's own newline
        ("ArrowUp", False, False, "a\nb", 3, 3, None),  # on the second line: the caret moves
        ("ArrowUp", False, False, "a\nb", 1, 1, "previous"),
        ("ArrowDown", False, False, "a\nb", 0, 0, None),
        ("ArrowDown", False, False, "a\nb", 3, 3, "next"),
        ("Tab", False, False, "api.sy", 6, 6, "complete"),
        ("c", False, True, "x", 1, 1, "cancel"),
        ("c", False, True, "xyz", 0, 2, None),  # a selection: Ctrl+C copies it
        ("l", False, True, "", 0, 0, "clear"),
        ("a", False, False, "", 0, 0, None),
    ],
)
def test_keys_of_the_input(
    key: str, shift: bool, ctrl: bool, value: str, start: int, end: int, action: str | None
) -> None:
    assert key_action(key, shift=shift, ctrl=ctrl, value=value, start=start, end=end) == action


def test_results_that_look_like_json_are_pretty_printed_and_secrets_stay_redacted() -> None:
    assert (
        format_result({"name": "Boardroom", "zones": ["z1"]})
        == '{\n  "name": "Boardroom",\n  "zones": [\n    "z1"\n  ]\n}'
    )
    assert format_result(Secret("tok-abcdefghijkl")).startswith("Secret(#")
    assert "tok-abcdefghijkl" not in format_result({"token": Secret("tok-abcdefghijkl")})

    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert format_result(Broken()) == "<repr failed: RuntimeError>"
