"""The theme chosen with ctrl+p is saved in settings.toml and used at the next start; the rest
of the settings file (comments, the [slurm] table) stays as it was."""

from __future__ import annotations

from core.settings import load_settings, settings_path
from tests.helpers.runs import wait_for
from tui.app import make_app
from tui.config import AppConfig

SETTINGS = '# my cluster\nlauncher = "slurm"\n\n[slurm]\npartition = "gpu"  # the A100s\n'


async def test_a_theme_chosen_with_ctrl_p_is_used_next_time(tmp_path):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SETTINGS)
    app = make_app(AppConfig(runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme != "nord"
        await pilot.press("ctrl+p")
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")  # "Change theme": a palette of the themes
        await pilot.pause(0.3)
        await pilot.press(*"nord")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: load_settings().theme == "nord", timeout=10)
        assert app.theme == "nord"
    text = path.read_text()
    assert (
        text.startswith(SETTINGS.split("\n\n")[0])
        and '[slurm]\npartition = "gpu"  # the A100s' in text
    )
    assert load_settings().slurm.partition == "gpu" and load_settings().launcher == "slurm"

    again = make_app(AppConfig(runs_dir=tmp_path / "runs"))
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"
    flag = make_app(AppConfig(runs_dir=tmp_path / "runs", theme="textual-light"))
    async with flag.run_test(size=(100, 30)) as pilot:  # --theme wins for this session
        await pilot.pause()
        assert flag.theme == "textual-light"
    assert load_settings().theme == "nord"
