"""The lab's autograd comparison against an independent torch.autograd graph (the test helper)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.convlab.autograd import autograd_check
from core.convlab.conv import ConvError
from core.convlab.problem import Problem, solve
from tests.unit.convlab.helpers import numbers, problems, torch_solve

torch.set_num_threads(1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=problems(), data=st.data())
def test_autograd_values_are_torch_autograd(case, data):
    problem, loss = case
    try:
        solution = solve(problem)
    except ConvError:
        return
    maps = tuple(tuple(tuple(data.draw(numbers) for _ in row) for row in m) for m in solution.final)
    if loss == "none":
        with pytest.raises(ValueError):
            autograd_check(problem, solution)
        return
    field = "target" if loss == "mse" else "grad_output"
    problem = dataclasses.replace(problem, **{field: maps})
    solution = solve(problem)
    compared = autograd_check(problem, solution)
    oracle = torch_solve(problem)
    by_label = {p.label: p for p in compared.pairs}
    many, channels = len(problem.kernels) > 1, len(problem.x)
    for k in range(oracle.grad_weight.shape[0]):
        suffix = str(k + 1) if many else ""
        assert by_label[f"dE/db{suffix}"].autograd == pytest.approx(oracle.grad_bias[k].item())
        for index in torch.cartesian_prod(*(torch.arange(n) for n in oracle.grad_weight.shape[1:])):
            c, i, j = index.tolist()
            ch = f"{c}," if channels > 1 else ""
            pair = by_label[f"dE/dw{suffix}[{ch}{i},{j}]"]
            assert pair.autograd == pytest.approx(oracle.grad_weight[k, c, i, j].item(), abs=1e-9)
    grad_x = oracle.grad_input
    assert sum(p.label.startswith("dE/dx") for p in compared.pairs) == grad_x.numel()
    for c in range(grad_x.shape[0]):
        for i in range(grad_x.shape[1]):
            for j in range(grad_x.shape[2]):
                ch = f"{c}," if channels > 1 else ""
                pair = by_label[f"dE/dx[{ch}{i},{j}]"]
                assert pair.autograd == pytest.approx(grad_x[c, i, j].item(), abs=1e-9)
    if oracle.loss is not None:
        assert compared.loss[1] == pytest.approx(oracle.loss, abs=1e-12)
    # the exact values agree with autograd: the largest difference is float rounding only
    assert compared.largest_difference < 1e-9
    worst = max(abs(float(p.exact) - p.autograd) for p in compared.pairs)
    assert compared.largest_difference >= worst


def test_largest_difference_reports_a_real_gap():
    """A wrong exact value (here: altered by hand) shows up as the largest difference."""
    from dataclasses import replace

    from core.convlab.autograd import AutogradCheck

    problem = Problem(
        (((Fraction(1), Fraction(2)), (Fraction(3), Fraction(4))),),
        ((((Fraction(1),),),),),
        target=(((Fraction(0), Fraction(0)), (Fraction(0), Fraction(0))),),
    )
    compared = autograd_check(problem)
    pairs = list(compared.pairs)
    pairs[0] = replace(pairs[0], exact=pairs[0].exact + Fraction(1, 4))
    assert AutogradCheck(compared.loss, tuple(pairs)).largest_difference == pytest.approx(0.25)
    assert compared.lines()[-1] == "largest difference: 0"
