"""A1's "both on taps see a 1": the windows and input cells the lab highlights, against
PyTorch's output (bias −1, ReLU: above 0 exactly where both taps meet a 1) and the taps'
positions recomputed from the tensors."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F

from core.convlab.matches import tap_matches
from core.convlab.problem import solve
from core.exercises.conv_presets import conv_preset
from tests.unit.convlab.helpers import tensor

torch.set_num_threads(1)


@pytest.mark.parametrize("stride", [1, 2])
def test_matching_windows_are_where_pytorch_keeps_the_output(stride):
    problem = conv_preset("a1").inputs.problem()
    problem = dataclasses.replace(
        problem, conv=dataclasses.replace(problem.conv, stride=(stride, stride))
    )
    solution = solve(problem)
    x = tensor(problem.x).unsqueeze(0)  # (1, C, H, W)
    for k, kernel in enumerate(problem.kernels):
        w = tensor(kernel).unsqueeze(0)  # (1, C, kH, kW)
        out = torch.relu(F.conv2d(x, w, stride=stride) + float(problem.biases[k]))[0, 0]
        found = tap_matches(solution, k)
        on = [tuple(t) for t in torch.nonzero(w[0] > 0).tolist()]  # (c, a, b)
        assert set(found.taps) == set(on) and len(on) == 2
        assert found.windows == {tuple(ij) for ij in torch.nonzero(out > 0).tolist()}
        assert found.explains_output
        assert found.cells == {
            (c, i * stride + a, j * stride + b) for i, j in found.windows for c, a, b in on
        }
        assert all(x[0, c, i, j] == 1 for c, i, j in found.cells)


def test_with_bias_zero_one_matching_tap_is_enough_for_the_output():
    problem = conv_preset("a1").inputs.problem()
    problem = dataclasses.replace(problem, biases=(Fraction(0),) * len(problem.biases))
    found = tap_matches(solve(problem), 0)
    assert found.windows < found.positive and not found.explains_output
