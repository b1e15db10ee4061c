"""Snapshots (pytest-textual-snapshot's SVG format) of every workspace as it opens, at 80×24
and 120×40, so text that stops fitting or a layout that breaks fails a test.

One app per size visits every workspace in turn. Nothing in a frame depends on the clock or
on where the test runs: the runs, data, state and torch folders are relative paths inside the test's
own folder, the Monitor's runs folder is empty, the Sheet opens a built-in pack, text cursors
do not blink. `pytest tests/snapshots --snapshot-update` rewrites the
SVGs after an intended change (README, Contributing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.widgets import Input, TextArea

from tui.app import make_app
from tui.config import AppConfig
from tui.widgets.heatmap import Heatmap
from tui.workspaces import WORKSPACES

SIZES = [(80, 24), (120, 40)]
PLACEHOLDER = "(nothing to show yet)"
BACKGROUND = {"tail"}
"""Worker groups that run for as long as their workspace is open (the Monitor's runs folder)."""


async def settled(pilot) -> None:
    """Wait until every worker but the background ones has finished and its messages landed."""
    app = pilot.app
    await pilot.pause()
    while busy := [w for w in app.workers if not w.is_finished and w.group not in BACKGROUND]:
        for worker in busy:
            await worker.wait()
        await pilot.pause()
    for field in app.screen.query("Input, TextArea").results((Input, TextArea)):
        field.cursor_blink = False
    app.clear_notifications()
    await pilot.pause()


@pytest.fixture
def fixed_places(tmp_path, monkeypatch):
    """Relative folders inside the test's folder, so no frame shows a temporary path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CNN_TUI_DATA", "data")
    monkeypatch.setenv("XDG_STATE_HOME", "state")
    monkeypatch.setenv("TORCH_HOME", "torch")
    return Path("runs")


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_every_workspace_as_it_opens(size, fixed_places, snapshot):
    snapshot = snapshot.use_extension(SVGImageExtension)
    app = make_app(AppConfig(runs_dir=fixed_places, course="a-convolution"))
    frames: dict[str, str] = {}
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        frames["home"] = app.export_screenshot(title="cnn-tui")
        for workspace in WORKSPACES:
            await pilot.press("escape", workspace.key)
            await settled(pilot)
            frames[workspace.id] = app.export_screenshot(title="cnn-tui")
            if workspace.id == "conv_lab":  # A1's input shows whole, one row per line
                field = app.screen.query_one("#field-input", TextArea)
                rows = field.text.splitlines()
                assert len(rows) == 5 and field.content_size.height >= len(rows)
                assert field.content_size.width > max(len(row) for row in rows)
            if workspace.id == "explain":  # a narrow picture wraps its placeholder, never cuts it
                drawn = [" ".join(p.rendered_text()) for p in app.screen.query(Heatmap)]
                drawn = [text.split() for text in drawn if text]
                assert drawn and all(words == PLACEHOLDER.split() for words in drawn), drawn
    differ = [name for name, svg in frames.items() if not snapshot(name=name) == svg]
    for name in differ:  # the new frames, to open in a browser beside the stored ones
        (Path.cwd() / f"{name}.svg").write_text(frames[name], encoding="utf-8")
    assert not differ, f"frames that changed at {size}: {differ}; new ones in {Path.cwd()}"
