"""The Sheet with Pilot, keys typed as a student types them: a pack's tasks with points and
status, answers checked and saved, the status kept after a restart, Enter opening the task's
workspace preloaded, Escape back Home."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from textual.widgets import DataTable, Input, Select

from core.convlab.inputs import LabInputs
from tui.app import make_app
from tui.cli import main
from tui.config import AppConfig

PACK = """[course]
title = "Sheet 4"

[[task]]
id = "1a"
title = "Convolution [with] stride 1"
kind = "conv"
points = 2
input = "1 2 0; 0 1 2; 3 0 1"
kernel = ["1 0; -1 2"]
bias = [-1]

[[task]]
id = "2a"
title = "Output size"
kind = "calc"
in = 32
kernel = 5
stride = 1
padding = 0
answer_for = "out"

[[task]]
id = "3"
title = "Look at Grad-CAM"
kind = "explain"
image = "chelsea"
method = "saliency"
target = 285
layer = "layer4"
channels = 4

[[task]]
id = "4"
title = "Train LeNet-5"
kind = "train"
preset = "lenet5"
dataset = "shapes"
epochs = 3
lr = 0.002
min_test_acc = 0.5

[[task]]
id = "6"
title = "Examples of the test split"
kind = "dataset"
dataset = "shapes"
split = "test"
per_class = 4

[[task]]
id = "5"
title = "Own layers against PyTorch's"
kind = "scratch"
samples = 48
repeats = 3
"""


@pytest.fixture
def pack(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "sheet.toml"
    path.write_text(PACK, encoding="utf-8")
    return path


def make(tmp_path, pack):
    return make_app(AppConfig(runs_dir=tmp_path / "runs", course=str(pack), start="sheet"))


def statuses(app) -> list[str]:
    table = app.screen.query_one("#sheet-tasks", DataTable)
    return [str(table.get_row_at(i)[3]) for i in range(table.row_count)]


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else "semicolon" if char == ";" else char)


def conv_answer() -> str:
    x = torch.tensor([[1.0, 2, 0], [0, 1, 2], [3, 0, 1]])[None, None]
    w = torch.tensor([[1.0, 0], [-1, 2]])[None, None]
    out = F.conv2d(x, w, torch.tensor([-1.0]))[0, 0]
    return "; ".join(" ".join(str(int(v)) for v in row) for row in out.tolist())


async def test_sheet_lists_tasks_and_keeps_status_after_a_restart(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        assert app.current_mode == "sheet"
        assert statuses(app) == ["not started"] * 6
        table = app.screen.query_one("#sheet-tasks", DataTable)
        assert str(table.get_row_at(0)[5]) == "Convolution [with] stride 1"  # never markup
        await pilot.press("down", "a")
        size = F.conv2d(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 5, 5)).shape[-1]
        await type_text(pilot, str(size - 1))
        await pilot.press("enter")
        await pilot.pause()
        assert statuses(app)[1] == "attempted"
        assert "+ 1" in str(app.screen.query_one("#sheet-status").render())
        await pilot.press("a", "ctrl+u")
        await type_text(pilot, str(size))
        await pilot.press("enter", "down", "d")
        await pilot.pause()
        assert statuses(app) == ["not started", "correct", "correct"] + ["not started"] * 3
        assert "2 of 7 points" in str(app.screen.query_one("#sheet-title").render())
    app = make(tmp_path, pack)  # a restart: the progress file is read back
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        assert statuses(app) == ["not started", "correct", "correct"] + ["not started"] * 3
        await pilot.press("down")
        assert app.screen.query_one("#sheet-answer", Input).value == str(size)


async def test_answers_typed_at_full_speed_each_reach_their_task(tmp_path, pack):
    """a, an answer, Enter, down, a, the next answer, Enter — sent at once, as a fast typist or
    a paste over SSH delivers them: `down` right behind Enter moves to the next task instead
    of the answer box's cursor, and each answer is checked against its own task."""
    from tests.helpers.keys import type_at_full_speed

    size = F.conv2d(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 5, 5)).shape[-1]
    names = {" ": "space", ";": "semicolon", "-": "minus"}
    conv = [names.get(c, c) for c in conv_answer()]
    app = make(tmp_path, pack)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        burst = ["a", "ctrl+u", *conv, "enter", "down", "a", "ctrl+u", *str(size), "enter"]
        await type_at_full_speed(pilot, burst)
        await pilot.pause()
        assert statuses(app) == ["correct", "correct"] + ["not started"] * 4
        assert app.focused.id == "sheet-tasks"


async def test_enter_opens_the_conv_lab_preloaded_and_its_answer_is_saved(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "conv_lab"
        lab = app.screen
        assert lab.inputs == LabInputs("1 2 0; 0 1 2; 3 0 1", ("1 0; -1 2",), biases="-1")
        assert lab.quiz_on and lab.quiz.hidden() == set(lab.quiz.cells)  # nothing shown yet
        cells = conv_answer().replace(";", "").split()
        await pilot.press("a")
        await type_text(pilot, str(int(cells[0]) + 1))  # a wrong first cell: attempted
        await pilot.press("enter")
        await pilot.pause()
        assert statuses_saved(pack)[0] == "attempted"
        for value in cells:  # then every cell right, one after the other in the same box
            await type_text(pilot, value)
            await pilot.press("enter")
            await pilot.pause()
        assert lab.quiz.done and not lab.quiz.revealed
        assert "done" in lab.quiz.score() and "3/4 right first try" in lab.quiz.score()
        await pilot.press("escape")
        assert app.current_mode == "home"
        await pilot.press("8")
        await pilot.pause()
        assert app.current_mode == "sheet"
        assert statuses(app)[0] == "correct"


def statuses_saved(pack) -> list[str]:
    """The statuses in the pack's progress file, in task order."""
    from core.course.pack import load_pack
    from core.course.progress import load_progress

    loaded = load_pack(pack)
    progress = load_progress(loaded)
    return [progress.get(task.id, {}).get("status", "not started") for task in loaded.tasks]


async def test_enter_opens_the_calculators_with_the_task(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.current_mode == "calculators"
        values = {n: app.screen.query_one(f"#f-{n}", Input).value for n in ("in_size", "kernel")}
        assert values == {"in_size": "32", "kernel": "5"}
        assert app.screen.query_one("#f-out_size", Input).value == ""


async def test_escape_leads_home_and_a_digit_after_it_reopens_the_sheet(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, DataTable)
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "home"
        await pilot.press("8")
        await pilot.pause()
        assert app.current_mode == "sheet" and isinstance(app.focused, DataTable)
        assert app.screen.query_one("#sheet-answer", Input).value == ""


async def test_without_a_course_a_builtin_name_opens_one(tmp_path, pack):
    app = make_app(AppConfig(runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("8")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "sheet-source"
        await type_text(pilot, "nope")
        await pilot.press("enter")
        await pilot.pause()
        assert "a-convolution" in str(app.screen.query_one("#sheet-status").render())
        await pilot.press("ctrl+u")
        await type_text(pilot, "a-convolution")
        await pilot.press("enter")
        await pilot.pause()
        assert len(statuses(app)) == 9


async def test_enter_on_a_train_task_fills_the_train_form(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert app.current_mode == "train"
        form = {k: app.screen.query_one(f"#f-{k}").value for k in ("preset", "epochs", "lr")}
        assert form == {"preset": "lenet5", "epochs": "3", "lr": "0.002"}


def test_a_bad_course_pack_exits_2_before_the_app(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[task]]\nid = "1"\nkind = "quiz"\n', encoding="utf-8")
    assert main(["--course", str(bad)]) == 2
    assert "bad.toml, line 3, task '1': unknown kind" in capsys.readouterr().err


async def test_enter_on_a_scratch_task_fills_the_scratch_lab(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down", "down", "down", "enter")
        await pilot.pause()
        assert app.current_mode == "scratch_lab"
        values = [
            app.screen.query_one(f"#scratch-{n}", Input).value for n in ("samples", "repeats")
        ]
        assert values == ["48", "3"]


async def test_enter_on_an_explain_task_sets_the_controls(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.current_mode == "explain"
        screen = app.screen
        assert screen.query_one("#method", Select).value == "saliency"
        assert screen.query_one("#image-choice", Select).value == "chelsea"
        assert screen.query_one("#target", Input).value == "285"
        assert screen.query_one("#channels", Input).value == "4"
        # the task's layer is chosen as soon as the model's layers are listed
        from screens.explain.messages import LayersListed

        model = screen.query_one("#model", Select).value
        screen.post_message(LayersListed(model, "test", [("conv1", "conv1"), ("layer4", "layer4")]))
        await pilot.pause()
        assert screen.query_one("#layer", Select).value == "layer4"


async def test_enter_on_a_dataset_task_shows_its_split(tmp_path, pack):
    app = make(tmp_path, pack)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down", "down", "enter")
        await pilot.pause()
        assert app.current_mode == "dataset"
        assert (app.screen.dataset_name, app.screen.split, app.screen.per_class) == (
            "shapes",
            "test",
            4,
        )


async def test_the_palette_opens_a_builtin_course(tmp_path, pack):
    from textual.command import CommandPalette

    app = make_app(AppConfig(runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Open course b-shapes")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.current_mode == "sheet"
        assert "Shapes, parameters" in str(app.screen.query_one("#sheet-title").render())
