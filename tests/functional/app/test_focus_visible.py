"""Focus is visible on every focusable widget of every workspace, in a dark and a light
theme: the cells a widget draws differ between focused and not focused."""

from __future__ import annotations

import pytest

from tests.functional.app.test_focus import focusable_widgets
from tui.app import make_app
from tui.config import AppConfig
from tui.workspaces import WORKSPACES


def cells(widget) -> list:
    """What the screen shows in the widget's region (text and styles), children included."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()
    return [list(strip.crop(region.x, region.right)) for strip in strips[region.y : region.bottom]]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("workspace", WORKSPACES, ids=lambda w: w.id)
async def test_every_focusable_widget_shows_its_focus(tmp_path, workspace, theme):
    app = make_app(AppConfig(runs_dir=tmp_path / "runs", theme=theme))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(workspace.key)
        await pilot.pause(0.3)
        invisible = []
        for pane, widget in await focusable_widgets(pilot):
            if pane is not None:
                app.screen.query_one("TabbedContent").active = pane
                await pilot.pause()
            widget.focus()
            await pilot.pause()
            focused = cells(widget)
            app.screen.set_focus(None)
            await pilot.pause()
            if cells(widget) == focused:
                invisible.append(f"{type(widget).__name__}#{widget.id}")
        assert not invisible, f"{workspace.id} ({theme}): focus not visible on {invisible}"
