"""PyTorch as the independent oracle for the convolution lab, plus hypothesis strategies."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from core.convlab.conv import ConvConfig, resolve_padding
from core.convlab.pool import PoolConfig
from core.convlab.problem import Problem

TORCH_PAD_MODE = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}


@dataclass
class TorchResult:
    pre: torch.Tensor  # (K, H', W')
    output: torch.Tensor  # (K, H', W')
    pooled: torch.Tensor | None
    grad_weight: torch.Tensor | None  # (K, C, kH, kW)
    grad_bias: torch.Tensor | None  # (K,)
    grad_input: torch.Tensor | None  # (C, H, W)
    grad_activation: torch.Tensor | None  # (K, H', W'): dE/d(activation output)
    loss: float | None


def tensor(values) -> torch.Tensor:
    """Nested Fractions to float64 (exact for the small dyadic numbers used here)."""
    return torch.tensor(_floats(values), dtype=torch.float64)


def _floats(values):
    if isinstance(values, (tuple, list)):
        return [_floats(v) for v in values]
    return float(values)


def torch_solve(problem: Problem) -> TorchResult:
    """The same problem through F.pad, F.conv2d, ReLU, pooling and autograd."""
    config = problem.conv
    x = tensor(problem.x).unsqueeze(0).requires_grad_(True)  # (1, C, H, W)
    w = torch.stack([tensor(k) for k in problem.kernels]).requires_grad_(True)  # (K, C, kH, kW)
    biases = problem.biases or (Fraction(0),)
    if len(biases) == 1:
        biases = biases * len(problem.kernels)
    b = torch.tensor([float(v) for v in biases], dtype=torch.float64, requires_grad=True)
    applied = torch.flip(w, dims=(2, 3)) if config.mode == "convolution" else w
    top, bottom, left, right = resolve_padding(config, tuple(w.shape[2:]))
    xp = F.pad(x, (left, right, top, bottom), mode=TORCH_PAD_MODE[config.padding_mode])
    pre = F.conv2d(xp, applied, b, stride=config.stride, dilation=config.dilation)  # (1, K, H', W')
    out = F.relu(pre) if config.activation == "relu" else pre
    out.retain_grad()
    final, pooled = out, None
    if problem.pool is not None:
        final = pooled = torch_pool(out, problem.pool)
    loss = None
    if problem.target is not None:
        loss_t = F.mse_loss(final, tensor(problem.target).unsqueeze(0))
        loss_t.backward()
        loss = loss_t.item()
    elif problem.grad_output is not None:
        final.backward(tensor(problem.grad_output).unsqueeze(0))
    has_grad = x.grad is not None
    return TorchResult(
        pre[0].detach(),
        out[0].detach(),
        None if pooled is None else pooled[0].detach(),
        w.grad if has_grad else None,
        b.grad if has_grad else None,
        x.grad[0] if has_grad else None,
        out.grad[0] if has_grad else None,
        loss,
    )


def torch_pool(x: torch.Tensor, pool: PoolConfig) -> torch.Tensor:
    if pool.kind == "max":
        return F.max_pool2d(
            x, pool.kernel, pool.steps, pool.padding, pool.dilation, ceil_mode=pool.ceil_mode
        )
    return F.avg_pool2d(
        x,
        pool.kernel,
        pool.steps,
        pool.padding,
        ceil_mode=pool.ceil_mode,
        count_include_pad=pool.count_include_pad,
    )


def assert_close(ours, theirs: torch.Tensor) -> None:
    mine = tensor(ours)
    assert mine.shape == theirs.shape, (mine.shape, theirs.shape)
    assert torch.allclose(mine, theirs, atol=1e-9, rtol=0), (mine, theirs)


numbers = st.one_of(
    st.integers(-3, 3).map(Fraction),
    st.integers(-6, 6).map(lambda n: Fraction(n, 2)),
)


def matrices(draw, rows: int, cols: int):
    return tuple(tuple(draw(numbers) for _ in range(cols)) for _ in range(rows))


@st.composite
def problems(draw, backward: bool = True):
    """Random but small problems: every option of the lab can appear."""
    channels, n_kernels = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    rows, cols = draw(st.integers(2, 6)), draw(st.integers(2, 6))
    k_rows, k_cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    x = tuple(matrices(draw, rows, cols) for _ in range(channels))
    kernels = tuple(
        tuple(matrices(draw, k_rows, k_cols) for _ in range(channels)) for _ in range(n_kernels)
    )
    biases = tuple(draw(numbers) for _ in range(n_kernels))
    padding = draw(st.one_of(st.just("same"), st.tuples(*[st.integers(0, 2)] * 4)))
    conv = ConvConfig(
        stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        padding=padding,
        padding_mode=draw(st.sampled_from(list(TORCH_PAD_MODE))),
        dilation=(draw(st.integers(1, 2)), draw(st.integers(1, 2))),
        mode=draw(st.sampled_from(["correlation", "convolution"])),
        activation=draw(st.sampled_from(["none", "relu"])),
    )
    pool = None
    if draw(st.booleans()):
        k = draw(st.integers(1, 3))
        pool = PoolConfig(
            kind=draw(st.sampled_from(["max", "avg"])),
            kernel=(k, k),
            stride=(draw(st.integers(1, 3)),) * 2,
            padding=(draw(st.integers(0, k // 2)),) * 2,
            ceil_mode=draw(st.booleans()),
        )
    loss = draw(st.sampled_from(["none", "mse", "grad"])) if backward else "none"
    return Problem(x, kernels, biases, conv, pool), loss
