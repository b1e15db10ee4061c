"""Sheet → Calculators: a built-in pack's calc and summary tasks open in quiz mode with the
asked value hidden; the answer typed there is checked and saved, so the Sheet shows attempted
then correct, and so does a new app on the same progress folder. Answers from PyTorch."""

from __future__ import annotations

import torch
from textual.widgets import DataTable
from torch import nn

from tests.functional.calculators.test_calculators import settle, text_of
from tests.functional.calculators.test_calculators_quiz import row_cells
from tests.functional.sheet.test_sheet import statuses
from tests.unit.models.test_models import reference_b4
from tui.app import make_app
from tui.config import AppConfig

B2, B4 = 2, 7  # rows of the b-shapes pack: B2 (padding for "same"), B4 (total parameters)


def make(tmp_path):
    return make_app(AppConfig(runs_dir=tmp_path / "runs", course="b-shapes", start="sheet"))


def saved_status(row: int) -> str:
    """A task's status in the pack's progress file."""
    from core.course.builtin import open_pack
    from core.course.progress import load_progress, task_status

    pack = open_pack("b-shapes")
    return task_status(load_progress(pack), pack.tasks[row].id)


async def answer(pilot, text: str, box_open: bool = False) -> str:
    """Type an answer (opening the box with `a` first, unless it is open) and Enter."""
    await pilot.press(*([] if box_open else ["a"]), *text, "enter")
    await pilot.pause()
    return text_of(pilot.app, "#quiz-status")


async def back_to_sheet(pilot) -> list[str]:
    await pilot.press("escape")
    assert pilot.app.current_mode == "home"
    await pilot.press("8")
    await pilot.pause()
    return statuses(pilot.app)


async def test_calc_and_summary_tasks_are_answered_in_the_calculators(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    padding = next(  # the padding that keeps 32 × 32 at 32 × 32 with a 5 × 5 kernel
        p
        for p in range(5)
        if nn.Conv2d(1, 1, 5, padding=p)(torch.zeros(1, 1, 32, 32)).shape[-1] == 32
    )
    total = sum(p.numel() for p in reference_b4().parameters())
    weights = sum(p.numel() for name, p in reference_b4().named_parameters() if "weight" in name)
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*["down"] * B2, "enter")
        await settle(pilot)
        assert app.current_mode == "calculators" and app.screen.quiz_on
        assert "padding = ?" in text_of(app, "#layer-result")
        assert (await answer(pilot, str(padding + 1))).startswith("✗ padding")
        assert (await back_to_sheet(pilot))[B2] == "attempted"
        await pilot.press("enter")  # the same task again: its quiz (✗ and all) kept
        await settle(pilot)
        assert f"padding = ? ✗ {padding + 1}" in text_of(app, "#layer-result")
        assert (await answer(pilot, str(padding))).startswith("✓ padding")
        assert (await back_to_sheet(pilot))[B2] == "correct"

        await pilot.press(*["down"] * (B4 - B2), "enter")
        await settle(pilot)
        screen = app.screen
        assert screen.table_quiz is not None and screen.table_quiz.keys == ["total_params"]
        assert isinstance(app.focused, DataTable)
        last = screen.query_one("#arch-table", DataTable).row_count - 1
        assert row_cells(app, last)[3] == "?" and row_cells(app, 0)[3] == "·"
        assert row_cells(app, 0)[2] == "32×32×32"  # not asked: shown
        wrong = await answer(pilot, str(weights))
        assert wrong.startswith("✗ total params") and "biases are missing" in wrong
        assert saved_status(B4) == "attempted"  # saved at once, before the Sheet reads it
        assert (await answer(pilot, str(total), box_open=True)).startswith("✓ total params")
        assert row_cells(app, last)[3] == f"{total:,} ✓"
        assert [s for i, s in enumerate(await back_to_sheet(pilot)) if i in (B2, B4)] == [
            "correct",
            "correct",
        ]
    app = make(tmp_path)  # a restart on the same progress folder
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [statuses(app)[i] for i in (B2, B4)] == ["correct", "correct"]
