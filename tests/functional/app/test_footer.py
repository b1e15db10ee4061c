"""`esc Home` leads the footer of every workspace at 80×24, whatever has focus."""

from __future__ import annotations

from tui.app import make_app
from tui.config import AppConfig
from tui.workspaces import WORKSPACES


def footer_line(app) -> str:
    """The bottom row of the terminal as the user sees it."""
    return app.screen._compositor.render_strips()[-1].text


async def settled_footer(pilot, app, seconds: float = 5.0) -> str:
    """The bottom row once the footer has drawn its keys (a loaded machine paints a recomposed
    footer a few frames later; one that stays blank is returned blank and fails)."""
    line = footer_line(app)
    for _ in range(int(seconds / 0.05)):
        if line.strip():
            break
        await pilot.pause(0.05)
        line = footer_line(app)
    return line


async def test_esc_home_is_in_every_footer_at_80_columns(tmp_path):
    app = make_app(AppConfig(runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        missing = []
        for workspace in WORKSPACES:
            await pilot.press("escape", workspace.key)
            await pilot.pause()
            assert app.current_mode == workspace.id
            for step in ("arrival", "tab"):
                if step == "tab":
                    await pilot.press("tab")
                    await pilot.pause()
                line = await settled_footer(pilot, app)
                if not line.lstrip().startswith("esc Home"):
                    missing.append((workspace.id, step, app.focused, line))
        assert missing == []
