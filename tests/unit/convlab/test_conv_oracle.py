"""Every forward, pooling and backward number of the convolution lab against PyTorch."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.convlab.conv import ConvConfig, ConvError
from core.convlab.matrix import parse_channels
from core.convlab.pool import PoolConfig, pool_forward
from core.convlab.problem import Problem, solve
from tests.unit.convlab.helpers import (
    assert_close,
    numbers,
    problems,
    tensor,
    torch_pool,
    torch_solve,
)

torch.set_num_threads(1)

A1_X = parse_channels("1 0 0 1 1 0; 0 1 0 0 0 1; 0 0 1 1 0 0; 1 0 0 0 1 0; 1 0 0 0 0 1")
A1_KERNELS = tuple(parse_channels(k) for k in ("1 0; 0 1", "1 0; 1 0", "1 1; 0 0"))
A2_X = parse_channels("1 0 2 3 1; 3 2 0 7 0; 0 6 1 1 4")
SOBEL = parse_channels("-1 0 1; -2 0 2; -1 0 1")
MINUS_ONE = (Fraction(-1),)


def check_against_torch(problem: Problem) -> None:
    ours, theirs = solve(problem), torch_solve(problem)
    assert_close(tuple(r.pre_activation for r in ours.forward.results), theirs.pre)
    assert_close(tuple(r.output for r in ours.forward.results), theirs.output)
    if problem.pool is not None:
        assert_close(tuple(p.output for p in ours.pooled), theirs.pooled)
    if ours.backward is not None:
        back = ours.backward
        assert_close(back.grad_weight, theirs.grad_weight)
        assert torch.allclose(
            torch.tensor([float(v) for v in back.grad_bias], dtype=torch.float64),
            theirs.grad_bias,
            atol=1e-9,
        )
        assert_close(back.grad_input, theirs.grad_input)
        assert_close(back.grad_output, theirs.grad_activation)  # through pooling, if any
        if theirs.loss is not None:
            assert abs(float(back.loss) - theirs.loss) < 1e-9


@pytest.mark.parametrize("stride", [1, 2])
def test_a1_three_filters_relu(stride):
    check_against_torch(
        Problem(A1_X, A1_KERNELS, MINUS_ONE, ConvConfig(stride=(stride, stride), activation="relu"))
    )


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("mode", ["convolution", "correlation"])
def test_a2_sobel_keeps_size(padding_mode, mode):
    problem = Problem(
        A2_X, (SOBEL,), (), ConvConfig(padding="same", padding_mode=padding_mode, mode=mode)
    )
    check_against_torch(problem)
    assert solve(problem).forward.out_shape == (3, 5)


def test_a2_convolution_flips_the_kernel():
    conv = solve(Problem(A2_X, (SOBEL,), (), ConvConfig(padding="same", mode="convolution")))
    corr = solve(Problem(A2_X, (SOBEL,), (), ConvConfig(padding="same")))
    # Sobel is antisymmetric left-right, so flipping negates every output.
    assert conv.forward.results[0].output == tuple(
        tuple(-v for v in row) for row in corr.forward.results[0].output
    )


@pytest.mark.parametrize("stride", [1, 2])
def test_a3_same_padding_matches_the_sheet_formula(stride):
    """o[i,j] = Σ_k Σ_l w[k,l]·x[i−k, j−l] with the kernel centred at w[0,0], then stride."""
    x = parse_channels("1 2 0 3; 0 1 2 1; 3 0 1 2; 1 1 0 2")
    kernel = parse_channels("1 2 0; -1 0 1; 2 1 -1")
    ours = solve(
        Problem(
            x,
            (kernel,),
            (),
            ConvConfig(stride=(stride, stride), padding="same", mode="convolution"),
        )
    )
    m, n = 1, 4
    w = {(k, q): kernel[0][k + m][q + m] for k in range(-m, m + 1) for q in range(-m, m + 1)}

    def xv(i, j):
        return x[0][i][j] if 0 <= i < n and 0 <= j < n else 0

    sheet = [
        [sum(w[k, q] * xv(i - k, j - q) for (k, q) in w) for j in range(0, n, stride)]
        for i in range(0, n, stride)
    ]
    assert [list(r) for r in ours.forward.results[0].output] == sheet


@pytest.mark.parametrize("stride", [1, 2])
def test_a4_mse_backward_through_max_pool(stride):
    x = parse_channels("1 2 0 3 1; 0 1 2 1 2; 3 0 1 2 0; 1 1 0 2 1; 2 0 1 1 3")
    kernel = parse_channels("1 0; -1 2")
    forward = solve(
        Problem(x, (kernel,), MINUS_ONE, ConvConfig(stride=(stride, stride), activation="relu"))
    )
    rows, cols = forward.forward.out_shape
    target = (tuple(tuple(Fraction((i + j) % 3) for j in range(cols)) for i in range(rows)),)
    check_against_torch(
        Problem(
            x,
            (kernel,),
            MINUS_ONE,
            ConvConfig(stride=(stride, stride), activation="relu"),
            target=target,
        )
    )
    pooled_target = ((tuple(Fraction(1) for _ in range(cols // 2)),) * (rows // 2),)
    check_against_torch(
        Problem(
            x,
            (kernel,),
            MINUS_ONE,
            ConvConfig(stride=(stride, stride), activation="relu"),
            PoolConfig(),
            target=pooled_target,
        )
    )


def test_max_pool_ties_and_overlaps_route_like_pytorch():
    x = parse_channels("1 1 1 1; 1 1 1 1; 2 2 0 0; 2 2 0 0")
    grad = parse_channels("1 2 3; 4 5 6; 7 8 9")
    problem = Problem(
        x,
        (parse_channels("1"),),
        (),
        ConvConfig(),
        PoolConfig(kernel=(2, 2), stride=(1, 1)),
        grad_output=grad,
    )
    check_against_torch(problem)


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize(
    "size,kernel,stride,padding",
    [(5, 2, 2, 0), (5, 3, 2, 1), (6, 3, 3, 1), (7, 2, 3, 1), (4, 3, 2, 0)],
)
def test_pool_output_sizes_and_values(ceil_mode, kind, size, kernel, stride, padding):
    x = tuple(tuple(Fraction((3 * i + 5 * j) % 7 - 3) for j in range(size)) for i in range(size))
    config = PoolConfig(
        kind, (kernel, kernel), (stride, stride), (padding, padding), ceil_mode=ceil_mode
    )
    theirs = torch_pool(tensor((x,)).unsqueeze(0), config)[0]  # (1, H', W')
    assert_close((pool_forward(x, config).output,), theirs)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=problems(), data=st.data())
def test_random_problems_match_pytorch(case, data):
    problem, loss = case
    try:
        forward = solve(problem)
    except ConvError:
        with pytest.raises((RuntimeError, ValueError)):  # PyTorch refuses it as well
            torch_solve(problem)
        event("refused by both")
        return
    final = forward.final
    maps = tuple(tuple(tuple(data.draw(numbers) for _ in row) for row in m) for m in final)
    if loss == "mse":
        problem = dataclasses.replace(problem, target=maps)
    elif loss == "grad":
        problem = dataclasses.replace(problem, grad_output=maps)
    event(f"loss {loss}, pooling {problem.pool.kind if problem.pool else 'none'}")
    check_against_torch(problem)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_ceil_mode_window_may_hang_over_a_small_input(kind):
    """PyTorch pools a 2×2 map with a 3×3 window in ceil mode (the window starts inside)."""
    x = parse_channels("1 -2; 3 5")[0]
    config = PoolConfig(kind, (3, 3), (2, 2), ceil_mode=True)
    theirs = torch_pool(tensor((x,)).unsqueeze(0), config)[0]  # (1, 1, 1)
    assert_close((pool_forward(x, config).output,), theirs)
    with pytest.raises(ConvError, match="spans 3"):
        pool_forward(x, PoolConfig(kind, (3, 3), (2, 2)))


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_dilated_max_pool(ceil_mode):
    x = tuple(tuple(Fraction((5 * i + 3 * j) % 11 - 4) for j in range(7)) for i in range(6))
    config = PoolConfig("max", (2, 3), (2, 1), (1, 1), dilation=(2, 2), ceil_mode=ceil_mode)
    theirs = torch_pool(tensor((x,)).unsqueeze(0), config)[0]  # (1, H', W')
    assert_close((pool_forward(x, config).output,), theirs)


def test_mse_gradient_names_pooled_maps_p_as_the_pooling_step_reads_them():
    x = parse_channels("1 2 0 3; 0 1 2 1; 3 0 1 2; 1 1 0 2")
    kernel = parse_channels("1 0; -1 2")
    one = ((Fraction(1),),)
    pooled = solve(Problem(x, (kernel,), MINUS_ONE, ConvConfig(), PoolConfig(), target=(one,)))
    mse = [t.label for t in pooled.backward.final_traces[0]]
    assert mse == ["dE/dp[0,0]"]
    routed = " ".join(t.expression for t in pooled.backward.output_traces[0])
    assert "dE/dp[0,0]" in routed and "dE/do" not in routed  # the name the MSE step gave
    target = tuple(tuple(Fraction(0) for _ in range(3)) for _ in range(3))
    plain = solve(Problem(x, (kernel,), MINUS_ONE, ConvConfig(), target=(target,)))
    assert plain.backward.final_traces[0][0].label == "dE/do[0,0]"
