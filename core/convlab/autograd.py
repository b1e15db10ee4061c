"""The same gradients through PyTorch autograd, beside the exact ones.

A4 asks to check the hand-derived gradients against autograd. `autograd_check` builds the
problem in float64 (F.pad → F.conv2d → ReLU → pooling → MSE or the given dE/do), calls
backward, and pairs every value with the exact Fraction. torch is imported only here, inside
the function, so nothing that merely imports the lab loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.convlab.conv import resolve_padding
from core.convlab.matrix import fmt
from core.convlab.problem import Problem, Solution, solve

TORCH_PAD_MODE = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}


@dataclass(frozen=True)
class GradPair:
    """One gradient cell: the exact value and autograd's float64 value."""

    label: str  # e.g. "dE/dw[0,1]"
    exact: Fraction
    autograd: float

    @property
    def difference(self) -> float:
        return abs(float(self.exact) - self.autograd)


@dataclass(frozen=True)
class AutogradCheck:
    loss: tuple[Fraction, float] | None  # (exact E, autograd E) when a target was given
    pairs: tuple[GradPair, ...]  # dE/dw, dE/db, dE/dx, in that order

    @property
    def largest_difference(self) -> float:
        values = [p.difference for p in self.pairs]
        if self.loss is not None:
            values.append(abs(float(self.loss[0]) - self.loss[1]))
        return max(values, default=0.0)

    def lines(self) -> list[str]:
        """ "label  exact  ≈ float  autograd  |difference|" rows, then the largest difference."""
        rows = []
        if self.loss is not None:
            exact, auto = self.loss
            rows.append(_row("E", exact, auto))
        rows += [_row(p.label, p.exact, p.autograd) for p in self.pairs]
        rows.append(f"largest difference: {self.largest_difference:.3g}")
        return rows


def _row(label: str, exact: Fraction, auto: float) -> str:
    return (
        f"{label:<16} exact {fmt(exact):>9} ≈ {float(exact):>12.6f}   "
        f"autograd {auto:>12.6f}   |diff| {abs(float(exact) - auto):.1e}"
    )


def autograd_check(problem: Problem, solution: Solution | None = None) -> AutogradCheck:
    """Autograd's dE/dw, dE/db, dE/dx (and E) next to the exact values of `solve`."""
    import torch
    import torch.nn.functional as F

    solution = solution or solve(problem)
    back = solution.backward
    if back is None:
        raise ValueError("autograd needs a target (MSE) or an upstream gradient dE/do")

    def tensor(values):
        def floats(v):
            return [floats(e) for e in v] if isinstance(v, (tuple, list)) else float(v)

        return torch.tensor(floats(values), dtype=torch.float64)

    config = problem.conv
    x = tensor(problem.x).unsqueeze(0).requires_grad_(True)
    w = torch.stack([tensor(k) for k in problem.kernels]).requires_grad_(True)
    biases = problem.biases or (Fraction(0),)
    if len(biases) == 1:
        biases = biases * len(problem.kernels)
    b = torch.tensor([float(v) for v in biases], dtype=torch.float64, requires_grad=True)
    applied = torch.flip(w, dims=(2, 3)) if config.mode == "convolution" else w
    top, bottom, left, right = resolve_padding(config, tuple(w.shape[2:]))
    xp = F.pad(x, (left, right, top, bottom), mode=TORCH_PAD_MODE[config.padding_mode])
    out = F.conv2d(xp, applied, b, stride=config.stride, dilation=config.dilation)
    if config.activation == "relu":
        out = F.relu(out)
    pool = problem.pool
    if pool is not None and pool.kind == "max":
        out = F.max_pool2d(
            out, pool.kernel, pool.steps, pool.padding, pool.dilation, ceil_mode=pool.ceil_mode
        )
    elif pool is not None:
        out = F.avg_pool2d(
            out,
            pool.kernel,
            pool.steps,
            pool.padding,
            ceil_mode=pool.ceil_mode,
            count_include_pad=pool.count_include_pad,
        )
    loss = None
    if problem.target is not None:
        loss_t = F.mse_loss(out, tensor(problem.target).unsqueeze(0))
        loss_t.backward()
        assert back.loss is not None  # a target gives the exact trace its loss
        loss = (back.loss, loss_t.item())
    else:
        out.backward(tensor(problem.grad_output).unsqueeze(0))
    pairs = []
    many = len(problem.kernels) > 1
    channels = len(problem.x)
    for k, kernel_grad in enumerate(back.grad_weight):
        suffix = str(k + 1) if many else ""
        for c, matrix in enumerate(kernel_grad):
            ch = f"{c}," if channels > 1 else ""
            for i, row in enumerate(matrix):
                for j, value in enumerate(row):
                    auto = w.grad[k, c, i, j].item()
                    pairs.append(GradPair(f"dE/dw{suffix}[{ch}{i},{j}]", value, auto))
    for k, value in enumerate(back.grad_bias):
        suffix = str(k + 1) if many else ""
        pairs.append(GradPair(f"dE/db{suffix}", value, b.grad[k].item()))
    for c, matrix in enumerate(back.grad_input):
        ch = f"{c}," if channels > 1 else ""
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                pairs.append(GradPair(f"dE/dx[{ch}{i},{j}]", value, x.grad[0, c, i, j].item()))
    return AutogradCheck(loss, tuple(pairs))
