"""Quiz mode in the Calculators, by keys as a student types them: the solved value and what
gives it away hidden, an answer box for the value under the cursor, ✓/✗ marks with the
diagnosis, reveal one or all, the score line; and the receptive-field growth comparison (g) —
numbers from PyTorch."""

from __future__ import annotations

import torch
from textual.widgets import DataTable, Input, TextArea
from torch import nn

from tests.functional.calculators.test_calculators import settle, text_of
from tests.unit.models.test_models import reference_b4
from tui.app import make_app
from tui.config import AppConfig


def row_cells(app, row: int) -> list[str]:
    table = app.screen.query_one("#arch-table", DataTable)
    return [str(cell).rstrip() for cell in table.get_row_at(row)]


async def test_layer_and_table_values_stay_hidden_until_typed(tmp_path):
    out = nn.Conv2d(1, 1, 5)(torch.zeros(1, 1, 32, 32)).shape[-1]  # B1: 32, kernel 5
    model = reference_b4()  # exercise B4, the Architecture pane's default
    total = sum(p.numel() for p in model.parameters())
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        result = text_of(app, "#layer-result")
        assert "out = ?" in result and f"= {out}" not in result  # no formula with numbers
        await pilot.press("tab", "enter")  # Enter on the blank out field: its answer box
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "calc-answer"
        assert text_of(app, "#quiz-label") == "out ="
        await pilot.press(*str(out - 1), "enter")
        await pilot.pause()
        status = text_of(app, "#quiz-status")
        assert status.startswith(f"✗ out = {out - 1}") and "+ 1 of the formula" in status
        assert status.endswith("Quiz: 0/1 right first try · 1 to go.")
        assert "out = ?" in text_of(app, "#layer-result")
        await pilot.press(*str(out), "enter")
        await settle(pilot)
        assert text_of(app, "#quiz-status").startswith(f"✓ out = {out} is right")
        assert "0/1 right first try · done" in text_of(app, "#quiz-status")
        assert f"27 + 1 = {out}" in text_of(app, "#layer-result")  # the formula, now

        await pilot.press("f3")
        await settle(pilot)
        first = row_cells(app, 0)
        assert first[2:4] == ["?", "?"] and first[4:7] == ["·", "·", "·"]  # weights too
        assert "parameters" not in text_of(app, "#arch-status") and "RF after" not in text_of(
            app, "#arch-status"
        )
        await pilot.press("f4")
        assert "Quiz mode" in text_of(app, "#field-info")
        await pilot.press("f3")
        table = app.screen.query_one("#arch-table", DataTable)
        table.focus()
        table.move_cursor(row=0, column=3)  # layer 0's params
        await pilot.press("a")
        assert text_of(app, "#quiz-label") == "layer 0 (Conv2d) params ="
        params = sum(p.numel() for p in model[0].parameters())
        await pilot.press(*str(params), "enter")
        await pilot.pause()
        assert row_cells(app, 0)[3:7] == [f"{params:,} ✓", "2,400", "32", f"{params:,}"]
        assert text_of(app, "#quiz-label") == "layer 0 (Conv2d) RF ="  # on to the next
        await pilot.press("R")  # in the box: reveals the value it asks for
        await pilot.pause()
        assert row_cells(app, 0)[7] == "5 *"
        assert app.screen.query_one("#calc-answer", Input).value == ""
        await pilot.press("enter")  # an empty answer hands the keys back to the table
        last = table.row_count - 1
        table.move_cursor(row=last, column=3)
        await pilot.press("enter", *str(total - 1), "enter")
        await pilot.pause()
        assert row_cells(app, last)[3] == f"? ✗{total - 1}"
        assert "1/50 right first try · 1 revealed · 48 to go" in text_of(app, "#arch-status")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert f"{total:,} parameters" in text_of(app, "#arch-status")
        assert row_cells(app, last)[3] == f"{total:,} *"
        await pilot.press("f8")  # exercise B2 in quiz mode: its solved padding is hidden
        await settle(pilot)
        assert "padding = ?" in text_of(app, "#layer-result")
        assert "Score: 0/1 right first try · 1 to go" in text_of(app, "#layer-result")

        await pilot.press("f4", "g", "g")  # the growth comparison, two layers deep
        await pilot.pause()
        lines = text_of(app, "#field-growth").splitlines()
        dilated = next(line for line in lines if line.startswith("dilation"))
        assert dilated.split("…")[1].split()[:2] == ["3", str(dilated_field())]
        assert "map after 2" in lines[1]

        spec = app.screen.query_one("#arch-spec", TextArea)
        before = spec.text
        spec.focus()
        await pilot.press("q", "a")  # letters in the SPEC editor are text, not quiz keys
        assert app.screen.quiz_on and spec.text == "qa" + before

        await pilot.press("escape", "2")  # Escape leads home; the digit opens a workspace
        await pilot.pause()
        assert app.current_mode == "calculators"
        assert app.screen.query_one("#calc-answer", Input).value == ""


def dilated_field() -> int:
    """The receptive field of a 3×3 conv then a 3×3 conv with dilation 2, by autograd: the
    input rows with a gradient for the middle output cell (positive weights, no cancelling)."""
    net = nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3, dilation=2)).double()
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.fill_(0.5)
    x = torch.ones(1, 1, 21, 21, dtype=torch.float64, requires_grad=True)  # (N, C, H, W)
    net(x)[0, 0, 7, 7].backward()
    rows = torch.nonzero(x.grad[0, 0].sum(dim=1))
    return int(rows.max() - rows.min()) + 1


def test_an_answer_solved_before_the_quiz_changed_shows_no_value():
    """A solve of the previous values can arrive after a task's quiz replaced theirs: its
    solved value shows "?" (not the number, not a crash)."""
    from core.arch.solver import solve
    from core.course.calc_quiz import layer_quiz
    from screens.calculators.views import solved_markup

    out = nn.Conv2d(1, 1, 5)(torch.zeros(1, 1, 32, 32)).shape[-1]
    before = solve({"in_size": 32, "out_size": None, "kernel": 5, "stride": 1, "padding": 0})
    quiz = layer_quiz({"in": 32, "out": 32, "kernel": 5, "stride": 1, "padding": None})
    markup = solved_markup(before, "conv", 1, quiz)
    assert "out = ?" in markup and str(out) not in markup
