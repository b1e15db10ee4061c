"""Answers typed in decimals: accepted when rounded to the typed places, diagnosed like fractions.

The typed text is made by Python's `decimal` module (an independent rounding), the gradients
by PyTorch autograd.
"""

from __future__ import annotations

import decimal
from fractions import Fraction

import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.convlab.check import check_answer
from core.convlab.conv import ConvConfig
from core.convlab.matrix import parse_channels
from core.convlab.problem import Problem
from core.exercises.conv_presets import conv_preset
from tests.unit.convlab.helpers import tensor

torch.set_num_threads(1)

fractions = st.builds(Fraction, st.integers(-400, 400), st.integers(1, 40))


def rounded(value: Fraction, places: int, rounding=decimal.ROUND_HALF_EVEN) -> str:
    """The value rounded to `places` decimals, as a student would type it."""
    context = decimal.Context(prec=50, rounding=rounding)
    exact = context.divide(decimal.Decimal(value.numerator), decimal.Decimal(value.denominator))
    return str(exact.quantize(decimal.Decimal(1).scaleb(-places), context=context))


def identity_problem(values: list[Fraction]) -> Problem:
    """A 1×1 kernel of 1: the output is the input, so any exact value can be the answer."""
    x = ((tuple(values[:2]), tuple(values[2:])),)
    return Problem(x, ((((Fraction(1),),),),))


def typed(cells: list[str]) -> str:
    return f"{cells[0]} {cells[1]}; {cells[2]} {cells[3]}"


@settings(max_examples=150, deadline=None)
@given(st.lists(fractions, min_size=4, max_size=4), st.integers(1, 4), st.data())
def test_rounded_decimals_are_accepted_and_one_unit_off_is_not(values, places, data):
    problem = identity_problem(values)
    up_or_down = data.draw(st.sampled_from([decimal.ROUND_HALF_UP, decimal.ROUND_HALF_DOWN]))
    cells = [rounded(v, places, up_or_down) for v in values]
    result = check_answer(problem, parse_channels(typed(cells)))
    assert result.correct, (cells, values, result.diagnosis)
    if any(Fraction(c) != v for c, v in zip(cells, values)):
        assert "≈" in result.diagnosis
    which = data.draw(st.integers(0, 3))
    unit = Fraction(1, 10**places)
    for delta in (unit, -unit):
        off = Fraction(cells[which]) + delta
        assume(abs(off - values[which]) != unit / 2)  # a tie: both roundings are right
        changed = list(cells)
        changed[which] = rounded(off, places)
        result = check_answer(problem, parse_channels(typed(changed)))
        assert not result.correct
        assert result.wrong_cells == (divmod(which, 2),)


def test_whole_numbers_and_fractions_stay_exact():
    problem = identity_problem([Fraction(22, 3), Fraction(1), Fraction(-8, 9), Fraction(0)])
    assert not check_answer(problem, parse_channels("7 1; -8/9 0")).correct  # 7 is not 22/3
    assert not check_answer(problem, parse_channels("733/100 1; -8/9 0")).correct
    assert check_answer(problem, parse_channels("22/3 1.0; -0.889 0.00")).correct


def a4_gradient() -> tuple[Problem, torch.Tensor]:
    """The A4 preset's dE/dw from PyTorch autograd."""
    problem = conv_preset("a4-mse").inputs.problem()
    w = tensor(problem.kernels[0]).unsqueeze(0).requires_grad_(True)  # (1, 1, 2, 2)
    out = F.conv2d(tensor(problem.x).unsqueeze(0), w)
    F.mse_loss(out, tensor(problem.target).unsqueeze(0)).backward()
    return problem, w.grad[0, 0]


def as_text(grad: torch.Tensor, places: int, factor: float = 1.0) -> str:
    return "; ".join(
        " ".join(rounded(Fraction(v * factor).limit_denominator(1000), places) for v in row)
        for row in grad.tolist()
    )


def test_the_sheets_decimal_answer_is_accepted_with_its_fractions():
    problem, grad = a4_gradient()
    assert as_text(grad, 2) == "7.33 2.44; -0.89 7.11"
    result = check_answer(problem, parse_channels("7.33 2.44; -0.89 7.11"), "grad_weight")
    assert result.correct
    assert "7.33 ≈ 22/3" in result.diagnosis and "−0.89 ≈ −8/9" in result.diagnosis


def test_mistakes_are_diagnosed_in_decimals():
    problem, grad = a4_gradient()
    flipped = check_answer(problem, parse_channels(as_text(grad, 2, -1)), "grad_weight")
    assert "the sign flipped (o − y and y − o swapped)" in flipped.explained_by
    halved = check_answer(problem, parse_channels(as_text(grad, 3, 0.5)), "grad_weight")
    assert "the factor 2 of the square's derivative forgotten" in halved.explained_by


def test_forward_decimal_answer_names_the_bias_mistake():
    x = parse_channels("1 2 0; 0 1 2; 3 0 1")
    kernel = parse_channels("1/3 0; 0 1/3")
    problem = Problem(x, (kernel,), (Fraction(-1, 2),), ConvConfig())
    wrong = F.conv2d(tensor(x).unsqueeze(0), tensor(kernel).unsqueeze(0)) + 0.5  # bias subtracted
    text = "; ".join(
        " ".join(rounded(Fraction(v).limit_denominator(100), 2) for v in row)
        for row in wrong[0, 0].tolist()
    )
    result = check_answer(problem, parse_channels(text))
    assert "the bias subtracted instead of added" in result.explained_by
