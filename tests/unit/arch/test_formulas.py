"""Every formula the Calculators and `cnn-tui calc` print evaluates, as printed, to its answer.

The printed text is parsed by an independent evaluator (tests/helpers/formula.py): each segment
between two "=" must equal the printed result, which must equal PyTorch's output size.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from core.arch.shapes import AxisLayer, ShapeError, output_size
from core.arch.table import layer_table
from core.exercises.calc_presets import ARCHITECTURE_EXAMPLES
from screens.calculators.views import field_formula, field_sum
from tests.helpers.formula import FormulaError, chain, evaluate
from tests.unit.arch.test_shapes import torch_height


def printed_result(formula: str) -> int:
    """The number after the last "=", after checking every segment equals it."""
    values = chain(formula)
    assert all(value == values[-1] for value in values), (formula, values)
    assert values[-1].denominator == 1, formula
    return int(values[-1])


def test_the_evaluator_reads_precedence_as_a_student_does():
    assert evaluate("7 + 2·0 − 2·(3−1)+1") == 4  # the old text: not 2
    assert evaluate("⌊(7 + 2·0 − (2·(3 − 1) + 1)) / 1⌋ + 1") == 3
    assert evaluate("⌈5/2⌉ + 1 − 1") == 3 and evaluate("⌊−1/2⌋") == -1
    with pytest.raises(FormulaError):
        evaluate("⌊(3 + 1 / 2")


def test_dilated_conv_formula_of_the_report_is_right_as_printed():
    fit = output_size(7, AxisLayer(3, 1, 0, 2))
    assert fit.formula == "⌊(7 + 2·0 − (2·(3 − 1) + 1)) / 1⌋ + 1 = 2 + 1 = 3"
    assert printed_result(fit.formula) == 3


def torch_module(k, s, p, d, kind, ceil, extra):
    if kind == "conv":
        return nn.Conv2d(2, 2, (k, 1), (s, 1), (p, 0), (d, 1), device="meta")
    if kind == "pool":
        return nn.MaxPool2d((k, 1), (s, 1), (p, 0), (d, 1), ceil_mode=ceil)
    return nn.ConvTranspose2d(2, 2, (k, 1), (s, 1), (p, 0), (extra, 0), dilation=(d, 1))


@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 60),
    st.integers(1, 7),
    st.integers(1, 5),
    st.integers(0, 5),
    st.integers(1, 4),
    st.sampled_from(["conv", "pool", "transposed"]),
    st.booleans(),
    st.integers(0, 3),
)
def test_printed_formula_evaluates_to_pytorchs_output_size(n, k, s, p, d, kind, ceil, extra):
    torch.set_num_threads(1)
    ceil = ceil and kind == "pool"
    extra = extra if kind == "transposed" else 0
    layer = AxisLayer(k, s, p, d, kind, ceil, extra)
    try:
        fit = output_size(n, layer)
    except ShapeError:
        return
    assert printed_result(fit.formula) == fit.out_size
    device = "cpu" if kind == "transposed" else "meta"
    assert fit.out_size == torch_height(torch_module(k, s, p, d, kind, ceil, extra), n, device)
    assert (fit.note != "") == ("− 1 =" in fit.formula)  # the ceil_mode correction is explained


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 3), st.integers(0, 2))
def test_uneven_same_padding_formula_evaluates(n, k, d, extra):
    total = d * (k - 1) + extra
    fit = output_size(n, AxisLayer(k, 1, total // 2, d, pad_after=total - total // 2))
    assert printed_result(fit.formula) == fit.out_size == n + extra


@pytest.mark.parametrize("example", ARCHITECTURE_EXAMPLES, ids=lambda example: example.key)
def test_receptive_field_formulas_evaluate_to_the_table_values(example):
    if example.spec is None:
        pytest.skip("built from torchvision: no per-layer recurrence text")
    table = layer_table(example.spec, example.input_shape)
    for index, row in enumerate(table.rows):
        text = field_formula(table, index)
        if text is None or text.startswith("pointwise"):
            continue
        size_part, jump_part = text.split(";")
        assert printed_result(size_part.split("RF = r + (k − 1)·d·j =")[1]) == row.field[0].size
        jump = jump_part.split("(height axis)")[0].split("jump = j·s =")[1]
        assert printed_result(jump) == row.field[0].jump
    closed = field_sum(table)
    if closed:
        body = closed.split("(s₁·…·sᵢ₋₁) =")[1].replace("[b]", "").replace("[/b]", "")
        last = [row for row in table.rows if row.field is not None][-1]
        assert printed_result(body.replace("[/]", "")) == last.field[0].size
