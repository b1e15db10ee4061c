"""Saving the typed SPEC from the Calculators (ctrl+s): the same library as `cnn-tui arch save`,
names checked as typed, an existing design replaced only after a second Enter."""

from __future__ import annotations

from textual.widgets import Static, TextArea

from core.models.architecture import resolve
from screens.calculators.save_dialog import SaveDesignScreen
from tests.functional.calculators.test_calculators import settle
from tui.app import make_app
from tui.config import AppConfig

FIRST = "Conv2d(3, 8, 3, padding=1), Residual(Conv2d(8, 8, 3, padding=1), ReLU()), Flatten()"
SECOND = "Conv2d(3, 4, 3), Flatten()"


def note(app) -> str:
    return str(app.screen.query_one("#save-note", Static).render())


async def test_ctrl_s_saves_the_spec_by_name_and_asks_before_replacing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    saved = tmp_path / "config" / "cnn-tui" / "architectures" / "my-res.spec"
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        app.screen.query_one("#arch-spec", TextArea).text = FIRST
        await settle(pilot)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SaveDesignScreen)
        await pilot.press("l", "e", "n", "e", "t", "5")
        assert "a preset's name" in note(app)
        await pilot.press("enter")
        assert isinstance(app.screen, SaveDesignScreen) and not saved.parent.exists()
        await pilot.press(*["backspace"] * 6, "m", "y", "space", "r")
        assert "cannot name a design" in note(app)
        await pilot.press("backspace", "backspace", "minus", "r", "e", "s", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, SaveDesignScreen)
        assert resolve("my-res").spec.strip() == FIRST  # usable by name, as `arch save` makes it

        app.screen.query_one("#arch-spec", TextArea).text = SECOND
        await settle(pilot)
        await pilot.press("ctrl+s", "m", "y", "minus", "r", "e", "s", "enter")
        assert "exists" in note(app) and resolve("my-res").spec.strip() == FIRST
        await pilot.press("enter")
        await pilot.pause()
        assert resolve("my-res").spec.strip() == SECOND

        await pilot.press("ctrl+s", "x", "escape")
        assert not isinstance(app.screen, SaveDesignScreen)
        assert sorted(path.name for path in saved.parent.iterdir()) == ["my-res.spec"]
