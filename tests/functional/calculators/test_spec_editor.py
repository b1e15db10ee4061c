"""The Calculators' SPEC editor typed as a user types: select all, clear all, Home/End on the
lines as typed however they wrap, and parse errors that point at the typed text.

Error positions are checked against Python's own parser run on the typed text alone (no
wrapping list around it), which names the bracket the user left open or typed too many."""

from __future__ import annotations

import ast

import pytest
from textual.widgets import Static

from tests.helpers.keys import type_at_full_speed
from tui.app import make_app
from tui.config import AppConfig
from tui.widgets.spec_editor import SpecEditor

LONG = ", ".join(
    ["Conv2d(3, 16, 3, padding=1), ReLU(), MaxPool2d(2)"]
    + ["Conv2d(16, 16, 3, padding=1), ReLU()"] * 3
    + ["Flatten(), Linear(4096, 10)"]
)
"""One logical line that wraps several times in an 80-column editor."""


def python_error(text: str) -> SyntaxError:
    """Python's SyntaxError for the typed text on its own (the oracle for line and column)."""
    with pytest.raises(SyntaxError) as caught:
        ast.parse(text, mode="eval")
    return caught.value


async def keys(pilot, *typed: str) -> None:
    """Type at full speed and wait only until the app has handled every key."""
    await type_at_full_speed(pilot, typed, settle=0)


async def status_after(pilot, app) -> str:
    """The architecture status once the table build that typing scheduled has finished."""
    await pilot.pause(0.1)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return str(app.screen.query_one("#arch-status", Static).render())


async def test_spec_editor_keys_and_errors_as_typed(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        editor = app.screen.query_one("#arch-spec", SpecEditor)
        assert app.focused is editor

        # The default SPEC has one layer per line: delete the `)` that ends line 3.
        lines = editor.text.split("\n")
        await keys(pilot, "ctrl+a", "left", "down", "down", "end", "left", "backspace")
        assert editor.cursor_location == (2, len(lines[2]) - 2)
        assert editor.text.split("\n")[2] == lines[2][:-2] + ","
        status = await status_after(pilot, app)
        oracle = python_error(editor.text.replace("\n", " \\\n"))  # lines joined, same places
        assert (oracle.lineno, oracle.offset) == (3, lines[2].index("(") + 1)
        assert f"line 3, column {oracle.offset}" in status and "`(` is never closed" in status
        await keys(pilot, "home")
        assert editor.cursor_location == (2, 0)

        # One long logical line that wraps on screen.
        await keys(pilot, "ctrl+a", *LONG)  # typing replaces the selection
        assert editor.text == LONG
        assert len(editor.wrapped_document.get_offsets(0)) >= 2
        await keys(pilot, "home")
        assert editor.cursor_location == (0, 0)
        wrapped_end = editor.navigator.get_location_end((0, 0))  # TextArea's own End
        assert wrapped_end[1] < len(LONG) - 1
        await keys(pilot, "end")
        assert editor.cursor_location == (0, len(LONG))
        await keys(pilot, "home", "end", *", ReLU()")
        assert editor.text == LONG + ", ReLU()"
        await keys(pilot, "shift+home")
        assert editor.selected_text == LONG + ", ReLU()"
        await keys(pilot, "ctrl+l")
        assert editor.text == ""
        await keys(pilot, "ctrl+z")
        assert editor.text == LONG + ", ReLU()"
        assert "parameters" in await status_after(pilot, app)

        await keys(pilot, "end", "backspace", "ctrl+a")  # drop the last `)`, select all
        assert editor.selected_text == editor.text == LONG + ", ReLU("
        status = await status_after(pilot, app)
        oracle = python_error(editor.text)
        assert "never closed" in oracle.msg and oracle.offset == len(LONG + ", ReLU(")
        assert f"line 1, column {oracle.offset}" in status
        assert "`(` is never closed" in status and "']'" not in status and "`]`" not in status

        await keys(pilot, "ctrl+l", *"Conv2d(3, 6, 5)),", "enter", *"ReLU()")
        status = await status_after(pilot, app)
        oracle = python_error(editor.text)  # unmatched ')'
        assert f"line {oracle.lineno}, column {oracle.offset}" in status
        assert "`)` closes no bracket" in status and "'['" not in status
