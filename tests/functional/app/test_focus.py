"""The focus model, key by key: Escape leads Home from every focusable widget of every
workspace (through at most one closing overlay), every value is kept, the digit typed
after Escape opens a workspace instead of landing in a field, and focus is visible on
every focusable widget in a dark and a light theme."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, RadioSet, Select, Switch, TabbedContent, TextArea

from tests.helpers.keys import type_at_full_speed
from tests.helpers.runs import wait_for
from tui.app import is_open_dropdown, make_app
from tui.config import AppConfig
from tui.workspaces import WORKSPACES

ARRIVAL = {
    "conv_lab": "conv-stage",
    "calculators": "f-in_size",
    "train": "f-epochs",
    "monitor": "runs",
    "explain": "run",
    "dataset": "example-grid",
    "scratch_lab": "scratch-run",
    "sheet": "sheet-source",  # no course open yet: where its name is typed
}
"""The widget each workspace focuses on arrival: its primary content, never a drop-down."""


def make(tmp_path):
    return make_app(AppConfig(runs_dir=tmp_path / "runs"))


def field_values(screen) -> dict[str, object]:
    """Every form field's value on the screen, by id (what Escape and digits must not touch)."""
    values: dict[str, object] = {}
    for index, widget in enumerate(screen.query("*")):
        key = f"{type(widget).__name__}#{widget.id or index}"
        if isinstance(widget, Input):
            values[key] = widget.value
        elif isinstance(widget, TextArea):
            values[key] = widget.text
        elif isinstance(widget, (Select, Checkbox, Switch)):
            values[key] = widget.value
        elif isinstance(widget, RadioSet):
            values[key] = widget.pressed_index
    return values


async def focusable_widgets(pilot):
    """Each focusable widget of the workspace on screen, with the tab pane that shows it."""
    screen = pilot.app.screen
    tabs = list(screen.query(TabbedContent))
    panes = [(tabs[0], pane.id) for pane in tabs[0].query("TabPane")] if tabs else [(None, None)]
    found = []
    for tabbed, pane in panes:
        if tabbed is not None:
            tabbed.active = pane
            await pilot.pause(0)
        found += [(pane, widget) for widget in screen.focus_chain if widget not in dict(found)]
    return found


def cells(widget) -> list:
    """What the screen shows in the widget's region (text and styles), children included."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()
    return [list(strip.crop(region.x, region.right)) for strip in strips[region.y : region.bottom]]


async def show(pilot, pane, widget) -> None:
    """Bring the widget's tab pane forward and focus the widget."""
    if pane is not None:
        pilot.app.screen.query_one(TabbedContent).active = pane
        await pilot.pause()
    widget.focus()
    await pilot.pause()


async def focus_invisible(pilot, widgets) -> list[str]:
    """The widgets that look the same focused and not focused."""
    invisible = []
    for pane, widget in widgets:
        await show(pilot, pane, widget)
        focused = cells(widget)
        pilot.app.screen.set_focus(None)
        await pilot.pause()
        if cells(widget) == focused:
            invisible.append(f"{type(widget).__name__}#{widget.id}")
    return invisible


@pytest.mark.parametrize("workspace", WORKSPACES, ids=lambda w: w.id)
async def test_focus_model_of_every_focusable_widget(tmp_path, workspace):
    """One app per workspace: arrival focus, then from each focusable widget Escape leads
    Home (a drop-down closes first), values are kept and the digit reopens the workspace;
    focus is visible on each widget in a dark and a light theme."""
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(workspace.key)
        await pilot.pause(0.3)
        assert app.focused is not None and app.focused.id == ARRIVAL[workspace.id]
        assert not isinstance(app.focused, Select) and not is_open_dropdown(app.focused)
        home = app.screen.active_bindings["escape"]
        assert home.enabled and home.binding.description == "Home"

        widgets = await focusable_widgets(pilot)
        assert len(widgets) >= 2
        for pane, widget in widgets:
            await show(pilot, pane, widget)
            assert app.focused is widget
            name = f"{workspace.id}: {type(widget).__name__}#{widget.id}"
            if isinstance(widget, Select):
                await pilot.press("enter")
                await pilot.pause(0)
                assert widget.expanded, name
                await pilot.press("escape")
                await pilot.pause(0)
                assert not widget.expanded and app.current_mode == workspace.id, name
            before = field_values(app.screen)
            screen = app.screen
            await pilot.press("escape")
            await pilot.pause(0)
            assert app.current_mode == "home", name
            await pilot.press(workspace.key)
            await pilot.pause(0)
            assert app.current_mode == workspace.id and app.screen is screen, name
            assert field_values(app.screen) == before, name

        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause(0)
            invisible = await focus_invisible(pilot, widgets)
            assert not invisible, f"{workspace.id} ({theme}): focus not visible on {invisible}"


async def test_digit_typed_right_after_escape_never_lands_in_the_field(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause(0.3)
        stride = app.screen.query_one("#f-stride", Input)
        stride.focus()
        await pilot.pause(0)
        before = stride.value
        await type_at_full_speed(pilot, ["escape", "2"])
        assert (stride.value, app.current_mode) == (before, "calculators")


async def test_escape_and_a_key_read_as_one_are_escape_then_the_key(tmp_path):
    """Escape and a digit that reach the app together read as one key (™ for Escape+2, as
    Textual's reader maps it): still Home and on to the workspace, and a focused field keeps
    its value; Escape+letter reads as alt+letter and types nothing either."""
    from textual import events

    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.post_message(events.Key("trade_mark_sign", "™"))  # on Home: the digit alone
        await pilot.pause()
        await pilot.pause()
        assert app.current_mode == "calculators"
        stride = app.screen.query_one("#f-stride", Input)
        stride.focus()
        await pilot.pause()
        before = stride.value
        app.post_message(events.Key("inverted_exclamation_mark", "¡"))
        await wait_for(pilot, lambda: app.current_mode == "conv_lab")
        assert stride.value == before
        app.post_message(events.Key("alt+x", "x"))  # Escape, then x (no key on Home)
        await wait_for(pilot, lambda: app.current_mode == "home")
        app.post_message(events.Key("trade_mark_sign", "™"))
        await wait_for(pilot, lambda: app.current_mode == "calculators")
        assert stride.value == before and "x" not in stride.value


async def test_palette_runs_its_top_match_on_enter(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_at_full_speed(pilot, ["ctrl+p", *"train", "enter"], settle=1.0)
        assert app.current_mode == "train"
        await type_at_full_speed(pilot, ["ctrl+p", *"open", "enter"], settle=1.0)
        assert app.current_mode == "conv_lab"  # "Open Convolution lab" scores highest
