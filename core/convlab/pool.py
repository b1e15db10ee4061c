"""Exact max / average pooling with PyTorch's output-size rules and a trace per window."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.arch.shapes import AxisLayer, ShapeError, output_size
from core.convlab.conv import ConvError
from core.convlab.matrix import Matrix, fmt, shape

POOL_KINDS = ("max", "avg")


@dataclass(frozen=True)
class PoolConfig:
    """A pooling layer as nn.MaxPool2d / nn.AvgPool2d take it."""

    kind: str = "max"  # max | avg
    kernel: tuple[int, int] = (2, 2)  # window (rows, columns)
    stride: tuple[int, int] | None = None  # None: the kernel size, as in PyTorch
    padding: tuple[int, int] = (0, 0)  # each side, (rows, columns); at most half the kernel
    dilation: tuple[int, int] = (1, 1)  # max pooling only
    ceil_mode: bool = False  # round the output size up (last window may hang over)
    count_include_pad: bool = True  # average pooling: padding counts in the divisor

    @property
    def steps(self) -> tuple[int, int]:
        return self.stride or self.kernel


@dataclass(frozen=True)
class PoolStep:
    """One pooled cell: the real input cells of its window and how they combine."""

    out: tuple[int, int]
    cells: tuple[tuple[int, int, Fraction], ...]  # (row, col, value), input coordinates
    value: Fraction
    argmax: tuple[int, int] | None  # max pooling: the cell the gradient goes to
    divisor: int | None  # average pooling: what the sum is divided by

    def arithmetic(self) -> str:
        if self.argmax is not None:
            values = ", ".join(fmt(v) for _, _, v in self.cells)
            return f"max({values}) = {fmt(self.value)} at {self.argmax}"
        total = sum((v for _, _, v in self.cells), Fraction(0))
        added = " + ".join(fmt(v) for _, _, v in self.cells)
        return f"({added}) / {self.divisor} = {fmt(total)}/{self.divisor} = {fmt(self.value)}"


@dataclass(frozen=True)
class PoolResult:
    output: Matrix
    steps: tuple[PoolStep, ...]


def pool_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> int:
    """PyTorch's rule (see `core.arch.shapes.output_size`), as the lab words its error."""
    layer = AxisLayer(kernel, stride, padding, dilation, "pool", ceil_mode)
    try:
        return output_size(size, layer).out_size
    except ShapeError:
        raise ConvError(
            f"The pooling window spans {layer.span} but the padded input has "
            f"{size + 2 * padding}; use a smaller pooling kernel (or ceil mode)."
        ) from None


def pool_forward(x: Matrix, config: PoolConfig) -> PoolResult:
    """Pool one channel; padding cells never win a max and count in averages as configured."""
    _validate(config)
    rows, cols = shape(x)
    (k_r, k_c), (s_r, s_c), (p_r, p_c) = config.kernel, config.steps, config.padding
    d_r, d_c = config.dilation
    out_r = pool_output_size(rows, k_r, s_r, p_r, d_r, config.ceil_mode)
    out_c = pool_output_size(cols, k_c, s_c, p_c, d_c, config.ceil_mode)
    steps, output = [], []
    for i in range(out_r):
        line = []
        for j in range(out_c):
            step = _pool_cell(x, config, i, j)
            steps.append(step)
            line.append(step.value)
        output.append(tuple(line))
    return PoolResult(tuple(output), tuple(steps))


def _pool_cell(x: Matrix, config: PoolConfig, i: int, j: int) -> PoolStep:
    rows, cols = shape(x)
    (k_r, k_c), (s_r, s_c), (p_r, p_c) = config.kernel, config.steps, config.padding
    d_r, d_c = config.dilation
    top, left = i * s_r - p_r, j * s_c - p_c
    cells = tuple(
        (r, c, x[r][c])
        for r in range(top, top + d_r * (k_r - 1) + 1, d_r)
        for c in range(left, left + d_c * (k_c - 1) + 1, d_c)
        if 0 <= r < rows and 0 <= c < cols
    )
    if not cells:
        raise ConvError(f"Pooling window {(i, j)} covers only padding; use less padding.")
    if config.kind == "max":
        best = cells[0]
        for cell in cells[1:]:
            if cell[2] > best[2]:
                best = cell
        return PoolStep((i, j), cells, best[2], (best[0], best[1]), None)
    bottom, right = min(top + k_r, rows + p_r), min(left + k_c, cols + p_c)
    divisor = (bottom - top) * (right - left) if config.count_include_pad else len(cells)
    total = sum((v for _, _, v in cells), Fraction(0))
    return PoolStep((i, j), cells, total / divisor, None, divisor)


def _validate(config: PoolConfig) -> None:
    if config.kind not in POOL_KINDS:
        raise ConvError(f"Pooling {config.kind!r} is unknown: choose max or avg.")
    if min(config.kernel) < 1 or min(config.steps) < 1 or min(config.dilation) < 1:
        raise ConvError("Pooling kernel, stride and dilation must be at least 1.")
    if config.kind == "avg" and config.dilation != (1, 1):
        raise ConvError("Average pooling has no dilation in PyTorch; use dilation 1.")
    for k, p in zip(config.kernel, config.padding):
        if p < 0 or p > k // 2:
            raise ConvError(
                f"Pooling padding {p} is more than half the pooling kernel {k} (PyTorch's "
                f"limit); use at most {k // 2}."
            )
