"""Receptive fields along one axis: the size/jump/start recurrence and the exact input region.

The recurrence (size r, jump j, start offset) is the one of the Distill article "Computing
Receptive Fields of CNNs"; it is exact for conv and pooling stacks, dilation included. Layers
whose windows are not evenly spaced (transposed convs, adaptive pooling that does not divide)
end the recurrence; the region of a chosen cell is still found exactly by mapping the cell's
index interval back layer by layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.arch.shapes import AxisLayer


@dataclass(frozen=True)
class AxisStep:
    """What one layer does along one axis: a window (`layer`), or adaptive pooling, or nothing."""

    in_size: int  # cells entering the layer
    out_size: int  # cells leaving it
    layer: AxisLayer | None = None  # None: pointwise (activation, batch norm, dropout)
    adaptive: bool = False  # adaptive pooling from in_size to out_size cells


@dataclass(frozen=True)
class Field:
    """Receptive field of every cell of one layer's output, in input-image cells."""

    size: int  # cells of input (padding included) that one output cell sees
    jump: int  # distance in input cells between neighbouring output cells (effective stride)
    start: int  # input coordinate of the first cell of output cell 0's field (may be < 0)


@dataclass(frozen=True)
class Region:
    """What one output cell sees along one axis: the field's extent and the cells it reads."""

    start: int  # first coordinate of the field (negative: left padding), as the recurrence has it
    end: int  # last coordinate (>= input size: right padding)
    input_size: int  # cells of the network input along this axis
    cells: frozenset[int]  # input cells the output really depends on (dilation leaves holes)

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    @property
    def inside(self) -> tuple[int, int] | None:
        """First and last input cell the output depends on, or None (it sees only padding)."""
        return (min(self.cells), max(self.cells)) if self.cells else None

    @property
    def padding_cells(self) -> int:
        """Cells of the field that lie outside the input (in padding)."""
        return max(0, -self.start) + max(0, self.end - self.input_size + 1)


def _window(step: AxisStep) -> AxisLayer | None:
    """The evenly spaced window a step applies, if any (divisible adaptive pooling has one)."""
    if step.adaptive:
        if step.in_size % step.out_size:
            return None
        factor = step.in_size // step.out_size
        return AxisLayer(factor, factor)
    return step.layer


def step_field(current: Field | None, step: AxisStep) -> Field | None:
    """The receptive field after one more step; None once a step is irregular."""
    if current is None or (step.layer is None and not step.adaptive):
        return current
    window = _window(step)
    if window is None or window.kind == "transposed":
        return None
    return Field(
        current.size + (window.span - 1) * current.jump,
        current.jump * window.stride,
        current.start - window.padding * current.jump,
    )


def merge_fields(first: Field | None, second: Field | None) -> Field | None:
    """The field of a sum of two branches (a residual block): the union of both fields, which
    is the larger one when they are centred alike; None unless both have the same jump."""
    if first is None or second is None or first.jump != second.jump:
        return None
    start = min(first.start, second.start)
    end = max(first.start + first.size, second.start + second.size)
    return Field(end - start, first.jump, start)


def fields(steps: list[AxisStep]) -> list[Field | None]:
    """The receptive field after each step; None from the first irregular step on."""
    result: list[Field | None] = []
    current: Field | None = Field(1, 1, 0)
    for step in steps:
        current = step_field(current, step)
        result.append(current)
    return result


def region(steps: list[AxisStep], cell: int) -> Region | None:
    """What output cell `cell` of the last step sees of the input (None: no such cell)."""
    if not steps or not 0 <= cell < steps[-1].out_size:
        return None
    low, high = cell, cell
    cells = {cell}
    for step in reversed(steps):
        if step.layer is None and not step.adaptive:
            continue
        low, high = _extent(step, low, high)
        cells = {i for o in cells for i in _sources(step, o) if 0 <= i < step.in_size}
    return Region(low, high, steps[0].in_size, frozenset(cells))


def _extent(step: AxisStep, low: int, high: int) -> tuple[int, int]:
    """The field's extent one layer down; padding positions are extrapolated, not dropped."""
    if step.adaptive or step.layer.kind == "transposed":
        sources = [
            i
            for o in range(max(low, 0), min(high, step.out_size - 1) + 1)
            for i in _sources(step, o)
        ]
        return (min(sources), max(sources)) if sources else (low, high)
    layer = step.layer
    return low * layer.stride - layer.padding, high * layer.stride - layer.padding + layer.span - 1


def _sources(step: AxisStep, out: int) -> list[int]:
    """Input positions that output cell `out` of one step reads (may lie in padding)."""
    if step.adaptive:
        first = (out * step.in_size) // step.out_size
        last = math.ceil((out + 1) * step.in_size / step.out_size)
        return list(range(first, last))
    layer = step.layer
    if layer.kind == "transposed":  # output o = i*s - p + tap*d
        found = []
        for tap in range(layer.kernel):
            offset = out + layer.padding - tap * layer.dilation
            if offset % layer.stride == 0 and 0 <= offset // layer.stride < step.in_size:
                found.append(offset // layer.stride)
        return found
    base = out * layer.stride - layer.padding
    return [base + tap * layer.dilation for tap in range(layer.kernel)]
