"""Every mistake the Conv lab can diagnose gets the same diagnosis through a pack (the pack
routes answers through `core.convlab.check`), and every calculator slip is named."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from core.convlab.check import _hypotheses, check_answer, expected
from core.convlab.matrix import format_channels
from core.convlab.problem import solve
from core.course.builtin import builtin_pack
from core.course.pack import Task
from core.course.solve import WRONG, conv_problem, solve_pack, solve_task

PACK = builtin_pack("a-convolution")
SOLVED = solve_pack(PACK)
CASES = []
for task in PACK.tasks:
    if task.kind != "conv":
        continue
    problem, quantity, kernel = conv_problem(task)
    truth = expected(solve(problem), quantity, kernel)
    for label, make in _hypotheses(problem, quantity, kernel, truth):
        try:
            candidate = make()
        except Exception:  # noqa: BLE001 (a mistake that cannot be made on this task)
            continue
        if candidate != truth:
            CASES.append(pytest.param(task.id, candidate, id=f"{task.id}: {label}"))


@pytest.mark.parametrize("task_id,answer", CASES)
def test_each_conv_mistake_gets_the_conv_labs_diagnosis(task_id, answer):
    problem, quantity, kernel = conv_problem(PACK.task(task_id))
    mark = SOLVED[task_id].check(format_channels(answer))
    lab = check_answer(problem, answer, quantity, kernel)
    assert mark.status == WRONG and mark.points == 0
    assert mark.diagnosis == lab.diagnosis and lab.explained_by


def test_there_are_many_mistake_kinds():
    assert len(CASES) >= 30


def _calc(**options) -> Task:
    return Task("t", "t", "", "calc", 1, options | {"answer_for": "out"}, 1)


@pytest.mark.parametrize(
    "options,slip,words",
    [
        ({"in": 32, "kernel": 5, "stride": 1, "padding": 0}, lambda t: t - 1, "+ 1"),
        ({"in": 32, "kernel": 3, "stride": 1, "padding": 2}, lambda t: t - 2, "counted once"),
        ({"in": 32, "kernel": 3, "stride": 1, "padding": 2}, lambda t: t - 4, "left out of"),
        ({"in": 33, "kernel": 3, "stride": 3, "padding": 0}, lambda t: 33 - 3 + 1, "stride"),
        ({"in": 33, "kernel": 5, "stride": 3, "padding": 0}, lambda t: t + 1, "Rounded up"),
        ({"in": 32, "kernel": 3, "stride": 1, "padding": 0, "dilation": 2}, lambda t: 30, "dilat"),
    ],
)
def test_each_calculator_slip_is_named(options, slip, words):
    conv = F.conv2d(
        torch.zeros(1, 1, options["in"], options["in"]),
        torch.zeros(1, 1, options["kernel"], options["kernel"]),
        stride=options["stride"],
        padding=options["padding"],
        dilation=options.get("dilation", 1),
    )
    truth = conv.shape[-1]
    solved = solve_task(_calc(**options))
    assert solved.check(str(truth)).status == "correct"
    mark = solved.check(str(slip(truth)))
    assert mark.status == WRONG and words in mark.diagnosis, mark.diagnosis
