"""The app shell, driven as a user would: keys, the command palette, help, quit."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import Footer, Markdown, OptionList

from tui.app import make_app
from tui.config import AppConfig
from tui.help_screen import HelpScreen
from tui.workspaces import WORKSPACES


def make(tmp_path, **kwargs):
    return make_app(AppConfig(runs_dir=tmp_path / "runs", **kwargs))


async def test_home_lists_every_workspace_with_its_exercises(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "home"
        options = app.screen.query_one("#workspaces", OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            w.id for w in WORKSPACES
        ]
        text = str(options.get_option_at_index(0).prompt)
        assert "Convolution lab" in text and "A1-A4" in text
        assert app.screen.query(Footer)


@pytest.mark.parametrize("workspace", WORKSPACES, ids=lambda w: w.id)
async def test_each_workspace_key_opens_it_and_escape_returns_home(tmp_path, workspace):
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(workspace.key)
        await pilot.pause()
        assert app.current_mode == workspace.id
        assert type(app.screen).__name__ == workspace.screen
        assert app.screen.query(Footer), f"{workspace.title} has no Footer"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == workspace.id and not isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "home"


async def test_enter_on_home_opens_the_highlighted_workspace(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.current_mode == WORKSPACES[1].id


async def test_command_palette_reaches_every_workspace(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        for workspace in WORKSPACES:
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*f"Open {workspace.title}")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert app.current_mode == workspace.id, workspace.title


async def test_help_opens_from_home_with_markdown_and_closes(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        markdown = app.screen.query_one(Markdown)
        assert "--truecolor" in markdown.source
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "home"
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_truecolor_notice_shown_only_without_truecolor(tmp_path, monkeypatch):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#color-notice").display
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#color-notice").display


async def test_light_theme_starts_light(tmp_path):
    app = make(tmp_path, theme="textual-light")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"
        assert not app.current_theme.dark


async def test_digits_on_a_focused_form_field_do_not_switch_workspace(tmp_path):
    app = make(tmp_path, start="train")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        from textual.widgets import Checkbox, Select

        field = app.screen.query(Select).first() or app.screen.query(Checkbox).first()
        app.set_focus(field)
        await pilot.press("5")
        await pilot.pause()
        assert app.current_mode == "train"
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "home"
        await pilot.press("5")
        await pilot.pause()
        assert app.current_mode == "explain"


async def test_the_app_paces_the_garbage_collector_while_it_runs_and_restores_it(tmp_path):
    import gc

    from tui.collector import APP_THRESHOLDS

    former = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults, whatever an earlier test left
    try:
        app = make(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert gc.get_threshold() == APP_THRESHOLDS
            assert APP_THRESHOLDS[0] > 700 and APP_THRESHOLDS[2] > 10
            assert gc.isenabled()  # cycles are still collected, less often
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*former)
