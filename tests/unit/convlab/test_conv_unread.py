"""Input rows/columns a stride drops: those whose gradient is zero for any all-ones kernel."""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings

from core.convlab.conv import ConvError, conv_forward, unread, unread_note
from core.exercises.conv_presets import conv_preset
from tests.unit.convlab.helpers import problems, tensor

torch.set_num_threads(1)


def torch_unread(problem) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Rows / columns of x that cannot change the output: autograd gives them no gradient."""
    forward = conv_forward(problem.x, problem.kernels, problem.biases, problem.conv)
    top, bottom, left, right = forward.pads
    x = tensor(problem.x).unsqueeze(0).requires_grad_(True)  # (1, C, H, W)
    ones = torch.ones((1, *tensor(problem.kernels[0]).shape), dtype=torch.float64)
    padded = F.pad(x, (left, right, top, bottom))
    F.conv2d(
        padded, ones, stride=problem.conv.stride, dilation=problem.conv.dilation
    ).sum().backward()
    touched = x.grad[0].abs().sum(0)  # (H, W)
    rows = tuple(r for r in range(touched.shape[0]) if touched[r].sum() == 0)
    cols = tuple(c for c in range(touched.shape[1]) if touched[:, c].sum() == 0)
    return rows, cols


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(problems(backward=False))
def test_unread_rows_and_columns_match_autograd(case):
    problem, _ = case
    problem = dataclasses.replace(
        problem, conv=dataclasses.replace(problem.conv, padding_mode="zeros")
    )
    try:
        forward = conv_forward(problem.x, problem.kernels, problem.biases, problem.conv)
    except ConvError:  # sizes that leave no window are refused elsewhere
        return
    assert unread(forward) == torch_unread(problem)
    assert bool(unread_note(forward)) == any(unread(forward))


def test_a1_stride_2_says_the_last_row_is_dropped():
    problem = conv_preset("a1-stride2").inputs.problem()
    forward = conv_forward(problem.x, problem.kernels, problem.biases, problem.conv)
    assert unread(forward) == torch_unread(problem) == ((4,), ())
    assert unread_note(forward).startswith("Stride 2 drops input row 4")
    assert "3/2 is not a whole number" in unread_note(forward)


def test_windows_that_read_only_padding_leave_every_row_and_column_unread():
    """Found by the property test: stride 3 across a padded 2×2 input puts both 1×1 windows
    of a row on padding, so no input cell is read (autograd: every gradient is 0)."""
    from fractions import Fraction

    from core.convlab.conv import ConvConfig
    from core.convlab.matrix import parse_channels
    from core.convlab.problem import Problem

    config = ConvConfig(stride=(1, 3), padding=(1, 1, 1, 1))
    problem = Problem(parse_channels("1 2; 3 4"), (parse_channels("1"),), (Fraction(0),), config)
    forward = conv_forward(problem.x, problem.kernels, problem.biases, problem.conv)
    assert unread(forward) == torch_unread(problem) == ((0, 1), (0, 1))
