"""Keys typed right behind a workspace's key, at full speed (a fast typist, a paste, keys
bunched over SSH): they reach the workspace's arrival focus, not Home and not a workspace the
next digit would open."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.helpers.keys import type_at_full_speed
from tui.app import make_app
from tui.config import AppConfig
from tui.workspaces import WORKSPACES


async def settled(pilot, done, timeout: float = 15.0) -> None:
    """Let the app read the burst (a first visit imports the workspace: seconds on a loaded
    machine) until `done()` or the timeout; the caller's asserts then say what went wrong."""
    for _ in range(int(timeout / 0.05)):
        if done():
            return
        await pilot.pause(0.05)


def make(tmp_path):
    return make_app(AppConfig(runs_dir=tmp_path / "runs", course="a-convolution"))


@pytest.mark.parametrize("workspace", WORKSPACES, ids=lambda w: w.id)
async def test_tab_typed_behind_a_workspaces_key_moves_on_from_its_arrival_focus(
    tmp_path, workspace
):
    app = make(tmp_path)  # the focus after the key and Tab, one at a time
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(workspace.key)
        await pilot.pause()
        arrival = app.focused
        await pilot.press("tab")
        await pilot.pause()
        expected = app.focused
    assert arrival is not None and expected is not None and expected is not arrival
    app = make(tmp_path)  # the same two keys in one burst
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_at_full_speed(pilot, [workspace.key, "tab"], workers=False)
        await settled(pilot, lambda: app.focused is not None and app.focused.id == expected.id)
        assert app.current_mode == workspace.id
        assert (app.focused.id, type(app.focused)) == (expected.id, type(expected))


@pytest.mark.parametrize(("key", "field"), [("2", "f-in_size"), ("3", "f-epochs")])
async def test_a_number_typed_behind_the_key_lands_in_the_arrival_field(tmp_path, key, field):
    """`2`, End, ctrl+u, `77` in one burst: 77 in the Calculators' input size (the 7s opened
    the Scratch lab before, and the field was left empty)."""
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_at_full_speed(pilot, [key, "end", "ctrl+u", "7", "7"], workers=False)
        await settled(pilot, lambda: getattr(app.focused, "value", None) == "77")
        assert app.focused is app.screen.query_one(f"#{field}", Input)
        assert app.focused.value == "77"
