"""Answers checked against values computed independently with PyTorch; wrong answers get the
Conv lab's own diagnosis, or the calculator slip that explains them."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from core.convlab.check import check_answer
from core.convlab.matrix import parse_channels
from core.course.builtin import builtin_pack
from core.course.solve import CORRECT, NOT_ANSWERED, WRONG, conv_problem, solve_pack

A = builtin_pack("a-convolution")
B = builtin_pack("b-shapes")
SOLVED_A = solve_pack(A)
SOLVED_B = solve_pack(B)
X = [
    [1, 0, 0, 1, 1, 0],
    [0, 1, 0, 0, 0, 1],
    [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [1, 0, 0, 0, 0, 1],
]


def _text(matrix) -> str:
    return "; ".join(" ".join(str(int(v)) for v in row) for row in matrix)


def _a1_torch(bias: float) -> torch.Tensor:
    x = torch.tensor(X, dtype=torch.float64)[None, None]
    w = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)[None, None]
    return F.relu(F.conv2d(x, w, torch.tensor([bias], dtype=torch.float64)))[0, 0]


def test_conv_right_answer_from_pytorch_is_correct():
    mark = SOLVED_A["a1"].check(_text(_a1_torch(-1.0)))
    assert (mark.status, mark.points, mark.max_points) == (CORRECT, 2, 2)


def test_conv_wrong_answer_gets_the_conv_labs_diagnosis():
    subtracted = _text(_a1_torch(+1.0))  # the bias subtracted instead of added
    mark = SOLVED_A["a1"].check(subtracted)
    problem, quantity, kernel = conv_problem(A.task("a1"))
    lab = check_answer(problem, parse_channels(subtracted), quantity, kernel)
    assert mark.status == WRONG and mark.points == 0
    assert mark.diagnosis == lab.diagnosis and "subtract" in mark.diagnosis.lower()


def test_decimals_that_are_exact_are_accepted():
    truth = SOLVED_A["a4-maxpool"].answer_text  # holds halves: 3/2, -5/2, …
    assert "/2" in truth
    decimal = " ".join(
        str(float(eval(token))) if "/" in token else token  # noqa: S307 (our own numbers)
        for token in truth.split(" ")
    )
    assert SOLVED_A["a4-maxpool"].check(decimal).status == CORRECT


def test_unreadable_and_missing_answers():
    assert SOLVED_A["a1"].check("").status == NOT_ANSWERED
    mark = SOLVED_A["a1"].check("1 2; 3")
    assert mark.status == WRONG and mark.diagnosis.startswith("Not readable")


def test_calc_answer_matches_pytorch_and_slips_are_named():
    out = F.conv2d(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 5, 5)).shape[-1]
    assert SOLVED_B["b1"].check(out).status == CORRECT
    assert "+ 1" in SOLVED_B["b1"].check(out - 1).diagnosis
    strided = F.conv2d(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 4, 4), stride=2, padding=2)
    size = strided.shape[-1]
    assert SOLVED_B["b4-single-size"].check(str(size)).status == CORRECT
    assert "padding is left out" in SOLVED_B["b4-single-size"].check(size - 2).diagnosis
    assert "whole numbers" in SOLVED_B["b1"].check("27.5").diagnosis


def test_summary_shape_and_params_match_instantiated_modules():
    layer = nn.Conv2d(3, 32, 4, stride=2, padding=2)
    shape = tuple(layer(torch.zeros(1, 3, 32, 32)).shape[1:])
    assert SOLVED_B["b4-single"].check(",".join(map(str, shape))).status == CORRECT
    assert SOLVED_B["b4-single"].check("32×17×17").status == CORRECT
    assert "channels first" in SOLVED_B["b4-single"].check("17,17,32").diagnosis
    net = nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.Conv2d(32, 64, 5, padding=2),
        nn.Conv2d(64, 128, 5, padding=2), nn.Linear(2048, 64), nn.Linear(64, 10),
    )  # fmt: skip
    total = sum(p.numel() for p in net.parameters())
    weights = sum(m.weight.numel() for m in net)
    assert SOLVED_B["b4"].check(f"{total:,}").status == CORRECT
    assert "biases are missing" in SOLVED_B["b4"].check(weights).diagnosis


def test_tasks_marked_done():
    solved = solve_pack(builtin_pack("d-explain"))
    assert solved["d1"].check("done").status == CORRECT
    assert solved["d1"].check(None).status == NOT_ANSWERED
