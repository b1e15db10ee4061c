"""Quiz mode in the Convolution lab, by keys as a student types them: results hidden while
stepping, each cell typed and marked, reveal, score, random exercises, Escape and digits."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tests.functional.conv_lab.test_conv_lab import A1_W1, A1_X, picture, text_of, where
from tui.app import make_app
from tui.config import AppConfig
from tui.widgets.matrix import MatrixView

A1_OUT = torch.relu(F.conv2d(A1_X, A1_W1) - 1)[0, 0]  # kernel 1 with its bias −1


def values_shown(screen, title_start: str) -> list[list[str]]:
    """The cells of a matrix as the screen prints them ("?" and "·" included)."""
    lines = str(
        next(
            v for v in screen.query(MatrixView) if v.picture.title.startswith(title_start)
        ).render()
    ).splitlines()
    return [line.split() for line in lines[1:]]


async def open_quiz(pilot):
    await pilot.press("1")
    await pilot.pause()
    await pilot.press("f2", "q")  # A1, quiz mode
    await pilot.pause()
    return pilot.app.screen


async def test_stepping_in_quiz_mode_shows_no_result(tmp_path):
    app = make_app(AppConfig(runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        lab = await open_quiz(pilot)
        assert lab.quiz_on
        await pilot.press("end", "right", "right")
        await pilot.pause()
        shown = values_shown(lab, "output (")
        assert {v for row in shown for v in row} == {"?"}
        assert all(  # the other kernels' outputs are hidden too
            set("".join(str(v.render()).splitlines()[1:]).split()) <= {"·"}
            for v in lab.query(MatrixView)
            if v.picture.title.startswith("output ") and "(" not in v.picture.title
        )
        assert "= ?" in text_of(lab, "#conv-arith") and "quiz: 0/20" in where(lab)
        await pilot.press("v")  # other views would show the results: off in quiz mode
        assert lab.view == "forward"
        await pilot.press("q")
        await pilot.pause()
        assert "?" not in str(values_shown(lab, "output ("))


async def test_cells_typed_in_quiz_mode_are_marked_revealed_and_scored(tmp_path):
    app = make_app(AppConfig(runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        lab = await open_quiz(pilot)
        right = int(A1_OUT[0, 0])
        await pilot.press("enter", str(right), "enter")  # Enter opens the box for o[0,0]
        await pilot.pause()
        assert "✓ o[0,0]" in text_of(lab, "#conv-status")
        assert values_shown(lab, "output (")[0][0] == str(right)
        assert str(app.screen.query_one("#answer-label").render()) == "o[0,1] ="
        wrong = int(A1_OUT[0, 1]) + 3
        await pilot.press(str(wrong), "enter")
        await pilot.pause()
        assert "✗ o[0,1]" in text_of(lab, "#conv-status")
        assert values_shown(lab, "output (")[0][1] == str(wrong)  # struck through
        assert picture(lab, "output (").wrong == {(0, 1)}
        await pilot.press("enter")  # an empty Enter hands the keys back to the stage
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        assert values_shown(lab, "output (")[0][1] == str(int(A1_OUT[0, 1]))
        assert "1/20 right first try · 1 revealed · 18 to go" in where(lab)
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = values_shown(lab, "output (")
        assert shown == [[str(int(v)) for v in row] for row in A1_OUT.tolist()]
        assert "done" in where(lab)


async def test_random_exercise_stays_hidden_and_escape_keeps_the_box(tmp_path):
    app = make_app(AppConfig(runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        lab = await open_quiz(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert lab.quiz_on and lab.quiz.hidden() == set(lab.quiz.cells)
        assert {v for row in values_shown(lab, "output (") for v in row} == {"?"}
        await pilot.press("a", "7")
        await pilot.press("escape", "1")  # Home and back: the 1 never reaches the box
        await pilot.pause()
        assert app.current_mode == "conv_lab"
        assert app.screen.query_one("#field-answer").value == "7"
