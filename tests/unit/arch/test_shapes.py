"""Output sizes and the solver, checked against PyTorch's own modules on the meta device."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from core.arch.shapes import AxisLayer, ShapeError, output_size, same_padding
from core.arch.solver import solve
from core.exercises.calc_presets import LAYER_EXAMPLES

sizes = st.integers(1, 40)
kernels = st.integers(1, 7)
strides = st.integers(1, 4)
paddings = st.integers(0, 4)
dilations = st.integers(1, 3)


def torch_height(module: nn.Module, height: int, device: str = "meta") -> int | None:
    """Output height PyTorch gives for a 1×2×height×3 input, or None when it refuses.

    The meta device computes shapes without data but skips some of PyTorch's argument checks
    (a transposed conv's output_padding), so those tests run on the CPU."""
    try:
        out = module(torch.empty(1, 2, height, 3, device=device)).shape[2]
    except RuntimeError:
        return None
    return out if out >= 1 else None  # the meta device lets an empty output through


def ours(height: int, layer: AxisLayer) -> int | None:
    try:
        return output_size(height, layer).out_size
    except ShapeError:
        return None


@settings(max_examples=300, deadline=None)
@given(sizes, kernels, strides, paddings, dilations)
def test_conv_matches_pytorch(height, k, s, p, d):
    module = nn.Conv2d(2, 2, (k, 1), (s, 1), (p, 0), (d, 1), device="meta")
    assert ours(height, AxisLayer(k, s, p, d)) == torch_height(module, height)


@settings(max_examples=300, deadline=None)
@given(sizes, kernels, strides, paddings, dilations, st.booleans())
def test_max_pool_matches_pytorch_including_ceil_mode(height, k, s, p, d, ceil):
    module = nn.MaxPool2d((k, 1), (s, 1), (p, 0), (d, 1), ceil_mode=ceil)
    assert ours(height, AxisLayer(k, s, p, d, "pool", ceil)) == torch_height(module, height)


@settings(max_examples=200, deadline=None)
@given(sizes, kernels, strides, paddings, st.booleans())
def test_avg_pool_matches_pytorch_including_ceil_mode(height, k, s, p, ceil):
    module = nn.AvgPool2d((k, 1), (s, 1), (p, 0), ceil_mode=ceil)
    assert ours(height, AxisLayer(k, s, p, 1, "pool", ceil)) == torch_height(module, height)


@settings(max_examples=300, deadline=None)
@given(sizes, kernels, strides, paddings, dilations, st.integers(0, 3))
def test_transposed_conv_matches_pytorch_including_output_padding(height, k, s, p, d, extra):
    layer = AxisLayer(k, s, p, d, "transposed", output_padding=extra)
    try:
        module = nn.ConvTranspose2d(2, 2, (k, 1), (s, 1), (p, 0), (extra, 0), dilation=(d, 1))
    except ValueError:
        with pytest.raises(ShapeError, match="output_padding"):
            output_size(height, layer)
        return
    assert ours(height, layer) == torch_height(module, height, device="cpu")


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=150, deadline=None)
@given(sizes, kernels, dilations)
def test_same_padding_split_matches_pytorch(height, k, d):
    torch.set_num_threads(1)
    before, after = same_padding(k, d)
    layer = AxisLayer(k, 1, before, d, pad_after=after)
    module = nn.Conv2d(1, 1, (k, 1), padding="same", dilation=(d, 1), bias=False)
    x = torch.randn(1, 1, height, 1)  # (N, C, H, W)
    expected = module(x)
    padded = nn.functional.pad(x, (0, 0, before, after))  # explicit uneven split
    manual = nn.functional.conv2d(padded, module.weight, dilation=(d, 1))
    assert output_size(height, layer).out_size == expected.shape[2] == height
    torch.testing.assert_close(manual, expected)


@settings(max_examples=200, deadline=None)
@given(sizes, kernels, strides, paddings)
def test_dropped_cells_are_exactly_the_ones_no_window_reaches(height, k, s, p):
    torch.set_num_threads(1)
    try:
        fit = output_size(height, AxisLayer(k, s, p))
    except ShapeError:
        return
    x = torch.randn(1, 1, height + 2 * p, 1)  # (N, C, H, W), padding written out
    weight = torch.randn(1, 1, k, 1)
    full = nn.functional.conv2d(x, weight, stride=(s, 1))
    assert full.shape[2] == fit.out_size
    assert (fit.dropped == 0) == fit.exact
    if fit.dropped:
        kept = x[:, :, : x.shape[2] - fit.dropped]
        torch.testing.assert_close(nn.functional.conv2d(kept, weight, stride=(s, 1)), full)
        assert "⌊" in fit.formula
    shorter = x[:, :, : x.shape[2] - fit.dropped - 1]
    if shorter.shape[2] >= k:
        assert nn.functional.conv2d(shorter, weight, stride=(s, 1)).shape[2] == fit.out_size - 1


def test_formula_shows_the_numbers_of_exercise_b1():
    fit = output_size(32, AxisLayer(5, 1, 0))
    assert fit.out_size == 28 and fit.exact
    assert fit.formula == "⌊(32 + 2·0 − 5) / 1⌋ + 1 = 27 + 1 = 28"
    uneven = output_size(32, AxisLayer(4, 3, 0))
    assert (uneven.out_size, uneven.dropped) == (10, 1)


def test_output_padding_validity_rule_is_explained():
    with pytest.raises(ShapeError, match="smaller than the stride"):
        output_size(5, AxisLayer(3, 2, 0, kind="transposed", output_padding=2))


def test_kernel_larger_than_padded_input_is_an_error_not_a_zero():
    with pytest.raises(ShapeError, match="smaller than the window"):
        output_size(3, AxisLayer(5, 1, 0))


def meta_layer_out(solution, kind, ceil, dilation, extra):
    k, s, p = solution.kernel, solution.stride, solution.padding
    if kind == "conv":
        module = nn.Conv2d(2, 2, (k, 1), (s, 1), (p, 0), (dilation, 1), device="meta")
    elif kind == "pool":
        module = nn.MaxPool2d((k, 1), (s, 1), (p, 0), (dilation, 1), ceil_mode=ceil)
    else:
        module = nn.ConvTranspose2d(
            2, 2, (k, 1), (s, 1), (p, 0), (extra, 0), dilation=(dilation, 1), device="meta"
        )
    return torch_height(module, solution.in_size)


@settings(max_examples=200, deadline=None)
@given(
    sizes,
    kernels,
    strides,
    st.integers(0, 3),
    st.integers(1, 2),
    st.sampled_from(["conv", "pool", "transposed"]),
    st.booleans(),
    st.data(),
)
def test_solver_round_trip(height, k, s, p, d, kind, ceil, data):
    extra = 0
    layer = AxisLayer(k, s, p, d, kind, ceil and kind == "pool", extra)
    limit = k // 2 if kind == "pool" else d * (k - 1)
    if p > limit:
        return
    try:
        out = output_size(height, layer).out_size
    except ShapeError:
        return
    full = {"in_size": height, "out_size": out, "kernel": k, "stride": s, "padding": p}
    blanks = data.draw(st.lists(st.sampled_from(sorted(full)), min_size=1, max_size=2, unique=True))
    known = {name: (None if name in blanks else value) for name, value in full.items()}
    if {"in_size", "out_size"} <= set(blanks):
        with pytest.raises(ShapeError, match="both blank"):
            solve(known, dilation=d, kind=kind, ceil_mode=layer.ceil_mode)
        return
    solved = solve(known, dilation=d, kind=kind, ceil_mode=layer.ceil_mode)
    for solution in solved.solutions:
        assert meta_layer_out(solution, kind, layer.ceil_mode, d, extra) == solution.out_size
        assert {n: v for n, v in solution.as_dict().items() if n not in blanks} == {
            n: v for n, v in full.items() if n not in blanks
        }
    if not solved.truncated:
        assert full in [solution.as_dict() for solution in solved.solutions]


@pytest.mark.parametrize("example", LAYER_EXAMPLES, ids=lambda example: example.key)
def test_every_layer_exercise_is_answered_as_pytorch_computes_it(example):
    solved = solve(example.values, kind=example.kind)
    assert solved.unique
    assert meta_layer_out(solved.solutions[0], example.kind, False, 1, 0) == (
        solved.solutions[0].out_size
    )


def test_exercise_b2_and_b3_answers():
    b2 = solve({"in_size": 32, "out_size": 32, "kernel": 5, "stride": 1})
    assert b2.solutions[0].padding == 2
    b3 = solve({"in_size": 512, "out_size": 504, "stride": 1, "padding": 0})
    assert b3.unique and b3.solutions[0].kernel == 9
    pooled = output_size(504, AxisLayer(2, 2, 0, kind="pool"))
    assert pooled.out_size == 252
    assert output_size(252, AxisLayer(3, 1, 0)).out_size == 250


def test_solver_says_when_nothing_fits_and_when_too_little_is_given():
    none = solve({"in_size": 10, "out_size": 20, "stride": 1, "padding": 0})
    assert none.solutions == () and "No kernel" in none.note
    with pytest.raises(ShapeError, match="at least three"):
        solve({"in_size": 10, "out_size": 5})
    several = solve({"out_size": 7, "kernel": 3, "stride": 2})
    assert len(several.solutions) > 1 and "solutions" in several.note
