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
        others = [  # the other kernels' outputs are hidden answers too: "?"
            set("".join(str(v.render()).splitlines()[1:]).split())
            for v in lab.query(MatrixView)
            if v.picture.title.startswith("output ") and "(" not in v.picture.title
        ]
        assert len(others) == 2 and all(cells == {"?"} for cells in others)
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
        assert values_shown(lab, "output (")[0][0] == f"{right}✓"
        assert str(app.screen.query_one("#answer-label").render()) == "o[0,1] ="
        wrong = int(A1_OUT[0, 1]) + 3
        await pilot.press(str(wrong), "enter")
        await pilot.pause()
        assert "✗ o[0,1]" in text_of(lab, "#conv-status")
        assert values_shown(lab, "output (")[0][1] == f"{wrong}✗"  # and struck through
        assert picture(lab, "output (").wrong == {(0, 1)}
        await pilot.press("enter")  # an empty Enter hands the keys back to the stage
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        assert values_shown(lab, "output (")[0][1] == f"{int(A1_OUT[0, 1])}*"
        assert "1/20 right first try · 1 revealed · 18 to go" in where(lab)
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = values_shown(lab, "output (")
        signs = [["*"] * len(row) for row in A1_OUT.tolist()]
        signs[0][0] = "✓"
        assert shown == [
            [f"{int(v)}{sign}" for v, sign in zip(row, marks)]
            for row, marks in zip(A1_OUT.tolist(), signs)
        ]
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


async def test_r_and_ctrl_r_in_the_answer_box_reveal_and_never_type(tmp_path):
    app = make_app(AppConfig(runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        lab = await open_quiz(pilot)
        box = lab.query_one("#field-answer")
        await pilot.press("a", "R")  # o[0,0] revealed; the box asks for o[0,1]
        await pilot.pause()
        assert lab.focused is box and box.value == ""
        assert values_shown(lab, "output (")[0][0] == f"{int(A1_OUT[0, 0])}*"
        assert str(lab.query_one("#answer-label").render()) == "o[0,1] ="
        await pilot.press(str(int(A1_OUT[0, 1])), "enter", "ctrl+r")
        await pilot.pause()
        assert "1/20 right first try · 19 revealed · done" in where(lab)
        assert lab.focused is not box and box.value == ""


async def test_quiz_signs_fit_at_120x40_and_80x24(tmp_path):
    """Pre-activation of A1 (the widest quiz stage) with ✓, ✗ and * beside cells: every matrix
    shows whole lines, and every matrix lies inside the stage, wide and small."""
    app = make_app(AppConfig(runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        lab = await open_quiz(pilot)
        await pilot.press("w", "enter", "9", "enter", "enter", "right", "R")
        await pilot.pause()
        lab.quiz.enter((0, 1, 0), lab.quiz.value((0, 1, 0)))
        lab.refresh_stage()
        for size in ((120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            views = list(lab.query(MatrixView))
            assert len(views) == (7 if size == (120, 40) else 3)  # other kernels: wide only
            quiz = next(v for v in views if v.picture.title.startswith("pre-act"))
            cells = " ".join(str(quiz.render()).splitlines()[1:]).split()
            assert [c[-1] for c in cells if c[-1] in "✓✗*"] == ["✗", "*", "✓"], size
            stage = lab.query_one("#conv-stage").content_region
            for view in views:
                lines = str(view.render()).splitlines()
                assert max(map(len, lines)) <= view.content_region.width, (size, view)
                assert len(lines) == view.content_region.height, (size, view)
                assert stage.contains_region(view.region), (size, view)
