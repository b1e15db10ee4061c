"""Matrix syntax and invalid configurations give typed errors a student can act on."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core.convlab.conv import ConvConfig, ConvError, conv_forward
from core.convlab.inputs import LabInputs, parse_padding
from core.convlab.matrix import (
    MatrixError,
    format_channels,
    parse_channels,
    parse_matrix,
    parse_number,
)
from core.convlab.pool import PoolConfig, pool_forward
from core.convlab.problem import solve
from core.errors import UserError
from core.exercises.conv_presets import conv_presets, random_inputs
from tests.unit.convlab.helpers import tensor

X = parse_channels("1 2 3; 4 5 6; 7 8 9")


def test_numbers_are_exact():
    assert parse_number("0.1") == Fraction(1, 10)
    assert parse_number("−1/3") == Fraction(-1, 3)
    assert parse_matrix("[1, 0, 2]; [3 2 0]") == ((1, 0, 2), (3, 2, 0))


@pytest.mark.parametrize(
    "text,words",
    [
        ("1 2; 3", "ragged"),
        ("1 x; 3 4", "'x' in row 1"),
        ("", "empty"),
        ("1/0", "divides by zero"),
        ("1 2 | 1 2 3", "differ in size"),
    ],
)
def test_bad_matrices(text, words):
    with pytest.raises(MatrixError, match=words):
        parse_channels(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.fractions(min_value=-50, max_value=50, max_denominator=6), min_size=2, max_size=2
        ),
        min_size=1,
        max_size=4,
    )
)
def test_formatting_round_trips(rows):
    channels = (tuple(tuple(row) for row in rows),)
    assert parse_channels(format_channels(channels)) == channels


@pytest.mark.parametrize(
    "config,words",
    [
        (ConvConfig(padding=(3, 3, 0, 0), padding_mode="reflect"), "Reflect padding of 3"),
        (ConvConfig(padding=(4, 0, 0, 0), padding_mode="circular"), "Circular padding of 4"),
        (ConvConfig(dilation=(3, 3)), "kernel spans 4"),
        (ConvConfig(stride=(2, 2), exact_fit=True), "not a whole number"),
    ],
)
def test_invalid_configurations(config, words):
    with pytest.raises(ConvError, match=words):
        conv_forward(X, (parse_channels("1 0; 0 1"),), (), config)


def test_reflect_limit_is_pytorchs():
    """PyTorch refuses reflect padding ≥ the input size, and so do we."""
    with pytest.raises(RuntimeError):
        F.pad(tensor(X).unsqueeze(0), (3, 3, 0, 0), mode="reflect")
    assert conv_forward(
        X, (parse_channels("1"),), (), ConvConfig(padding=(2, 2, 2, 2), padding_mode="reflect")
    )


def test_channel_and_bias_mismatches():
    with pytest.raises(ConvError, match="the input has 1"):
        conv_forward(X, (parse_channels("1 | 1"),), ())
    with pytest.raises(ConvError, match="2 kernels but 3 biases"):
        conv_forward(X, (parse_channels("1"), parse_channels("2")), (1, 2, 3))


def test_pool_padding_limit_and_target_size():
    with pytest.raises(ConvError, match="more than half"):
        pool_forward(X[0], PoolConfig(kernel=(2, 2), padding=(2, 2)))
    inputs = LabInputs(input="1 2 3; 4 5 6; 7 8 9", kernels=("1 0; 0 1",), target="1 2; 3")
    with pytest.raises(UserError, match="ragged"):
        inputs.problem()
    with pytest.raises(ConvError, match="must match the output"):
        solve(inputs.replace(target="1 2 3; 4 5 6").problem())


@pytest.mark.parametrize(
    "text,expected",
    [
        ("same", "same"),
        ("1", (1, 1, 1, 1)),
        ("1,2", (1, 1, 2, 2)),
        ("0 1 2 3", (0, 1, 2, 3)),
    ],
)
def test_padding_syntax(text, expected):
    assert parse_padding(text) == expected


def test_padding_syntax_errors():
    with pytest.raises(ConvError, match="whole numbers"):
        parse_padding("a")
    with pytest.raises(ConvError, match="not understood"):
        parse_padding("1,2,3")


def test_every_preset_solves_and_matches_its_sheet_shape():
    shapes = {"a1": (4, 5), "a1-stride2": (2, 3), "a2-zeros": (3, 5), "a2-reflect": (3, 5)}
    for preset in conv_presets():
        solution = solve(preset.inputs.problem())
        if preset.id in shapes:
            assert solution.forward.out_shape == shapes[preset.id]
        if preset.id.startswith("a4"):
            assert solution.backward is not None


def test_a2_reflect_uses_pytorch_reflection():
    solution = solve(next(p for p in conv_presets() if p.id == "a2-reflect").inputs.problem())
    padded = torch.tensor([[float(c.value) for c in row] for row in solution.forward.padded[0]])
    x = torch.tensor([[1.0, 0, 2, 3, 1], [3, 2, 0, 7, 0], [0, 6, 1, 1, 4]])
    assert torch.equal(padded, F.pad(x[None, None], (1, 1, 1, 1), mode="reflect")[0, 0])


def test_random_exercises_are_seeded():
    assert random_inputs(5) == random_inputs(5)
    assert solve(random_inputs(5).problem())
