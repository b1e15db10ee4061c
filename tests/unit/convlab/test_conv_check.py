"""Answer checking: each common mistake, made with PyTorch, is named by the diagnosis."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F

from core.convlab.check import check_answer
from core.convlab.conv import ConvConfig
from core.convlab.matrix import parse_channels
from core.convlab.pool import PoolConfig
from core.convlab.problem import Problem
from tests.unit.convlab.helpers import tensor

torch.set_num_threads(1)

X = parse_channels("1 2 0 3 1; 0 1 2 1 2; 3 0 1 2 0; 1 1 0 2 1; 2 0 1 1 3")
K = parse_channels("1 0 -2; -1 3 0; 0 1 -2")
BIAS = Fraction(-1)
XT, KT = tensor(X).unsqueeze(0), tensor(K).unsqueeze(0)  # (1, 1, 5, 5), (1, 1, 3, 3)


def answer_from(t: torch.Tensor):
    """A torch result (1, 1, H, W) as the exact answer a student would type."""
    return (tuple(tuple(Fraction(round(v)) for v in row) for row in t[0, 0].tolist()),)


def problem(**conv) -> Problem:
    return Problem(X, (K,), (BIAS,), ConvConfig(**({"activation": "relu"} | conv)))


def test_correct_answer_is_correct():
    right = answer_from(F.relu(F.conv2d(XT, KT, torch.tensor([-1.0], dtype=torch.float64))))
    result = check_answer(problem(), right)
    assert result.correct and result.wrong_cells == ()


@pytest.mark.parametrize(
    "mistake,expected_words",
    [
        ("bias_subtracted", "bias subtracted"),
        ("bias_left_out", "bias left out"),
        ("flipped", "kernel flipped"),
        ("relu_forgotten", "ReLU forgotten"),
        ("relu_early", "ReLU applied before adding the bias"),
        ("transposed", "transposed"),
    ],
)
def test_forward_mistakes_are_named(mistake, expected_words):
    bias = torch.tensor([-1.0], dtype=torch.float64)
    if mistake == "bias_subtracted":
        wrong = F.relu(F.conv2d(XT, KT, -bias))
    elif mistake == "bias_left_out":
        wrong = F.relu(F.conv2d(XT, KT))
    elif mistake == "flipped":
        wrong = F.relu(F.conv2d(XT, torch.flip(KT, (2, 3)), bias))
    elif mistake == "relu_forgotten":
        wrong = F.conv2d(XT, KT, bias)
    elif mistake == "relu_early":
        wrong = F.relu(F.conv2d(XT, KT)) + bias
    else:
        wrong = F.relu(F.conv2d(XT, KT, bias)).transpose(2, 3)
    result = check_answer(problem(), answer_from(wrong))
    assert not result.correct
    assert any(expected_words in label for label in result.explained_by), result.diagnosis
    assert expected_words in result.diagnosis


def test_kernel_not_flipped_in_convolution_mode():
    wrong = F.conv2d(XT, KT, torch.tensor([-1.0], dtype=torch.float64))  # not flipped
    result = check_answer(problem(mode="convolution", activation="none"), answer_from(wrong))
    assert "kernel not flipped" in result.diagnosis


def test_wrong_stride_is_named():
    wrong = F.relu(F.conv2d(XT, KT, torch.tensor([-1.0], dtype=torch.float64), stride=1))
    result = check_answer(problem(stride=(2, 2)), answer_from(wrong))
    assert "stride 1 instead of 2" in result.explained_by


def test_wrong_padding_amount_and_mode_are_named():
    bias = torch.tensor([-1.0], dtype=torch.float64)
    zero_padded = F.relu(F.conv2d(F.pad(XT, (1, 1, 1, 1)), KT, bias))
    result = check_answer(
        problem(padding=(1, 1, 1, 1), padding_mode="reflect"), answer_from(zero_padded)
    )
    assert "zeros padding instead of reflect" in result.explained_by
    unpadded = F.relu(F.conv2d(XT, KT, bias))
    result = check_answer(problem(padding=(1, 1, 1, 1)), answer_from(unpadded))
    assert "padding 0 instead of 1" in result.explained_by
    assert "5×5" in result.diagnosis and "3×3" in result.diagnosis


def test_one_wrong_cell_is_located_and_unexplained():
    right = F.relu(F.conv2d(XT, KT, torch.tensor([-1.0], dtype=torch.float64)))
    wrong = right.clone()
    wrong[0, 0, 1, 2] += 1
    result = check_answer(problem(), answer_from(wrong))
    assert result.wrong_cells == ((1, 2),)
    assert result.explained_by == ()
    assert "1 of 9 cells" in result.diagnosis


def test_max_instead_of_avg_pooling_is_named():
    pool = PoolConfig("avg", (2, 2))
    x = parse_channels("1 2 3 4; 5 6 7 8; 1 3 5 7; 2 4 6 8")
    p = Problem(x, (parse_channels("1"),), (), ConvConfig(), pool)
    wrong = F.max_pool2d(tensor(x).unsqueeze(0), 2)
    result = check_answer(p, answer_from(wrong), "pooled")
    assert "max pooling instead of avg" in result.explained_by


def test_gradient_mistakes_are_named():
    target = parse_channels("1 0 2; 0 1 1; 2 1 0")
    p = Problem(X, (K,), (BIAS,), ConvConfig(), target=target)
    w = KT.clone().requires_grad_(True)
    out = F.conv2d(XT, w, torch.tensor([-1.0], dtype=torch.float64))
    F.mse_loss(out, tensor(target).unsqueeze(0), reduction="sum").backward()  # sum, not mean
    as_sum = (
        tuple(
            tuple(Fraction(v).limit_denominator(1000) for v in row) for row in w.grad[0, 0].tolist()
        ),
    )
    result = check_answer(p, as_sum, "grad_weight")
    assert "the 1/9 of the mean forgotten (a sum instead of a mean)" in result.explained_by
    halved = (tuple(tuple(v / 9 / 2 for v in row) for row in as_sum[0]),)
    result = check_answer(p, halved, "grad_weight")
    assert "the factor 2 of the square's derivative forgotten" in result.explained_by
