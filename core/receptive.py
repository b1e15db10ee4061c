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

from core.shapes import AxisLayer


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
    start: float  # input coordinate of the first cell of output cell 0's field (may be < 0)


@dataclass(frozen=True)
class Region:
    """The input interval one output cell depends on, along one axis."""

    start: int  # first input coordinate (negative: left padding)
    end: int  # last input coordinate (>= input size: right padding)
    input_size: int  # cells of the network input along this axis

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    @property
    def inside(self) -> tuple[int, int] | None:
        """The part of the region that lies on real input cells, or None."""
        low, high = max(self.start, 0), min(self.end, self.input_size - 1)
        return (low, high) if low <= high else None

    @property
    def padding_cells(self) -> int:
        inside = self.inside
        return self.size - (0 if inside is None else inside[1] - inside[0] + 1)


def _window(step: AxisStep) -> AxisLayer | None:
    """The evenly spaced window a step applies, if any (divisible adaptive pooling has one)."""
    if step.adaptive:
        if step.in_size % step.out_size:
            return None
        factor = step.in_size // step.out_size
        return AxisLayer(factor, factor)
    return step.layer


def fields(steps: list[AxisStep]) -> list[Field | None]:
    """The receptive field after each step; None from the first irregular step on."""
    result: list[Field | None] = []
    current: Field | None = Field(1, 1, 0)
    for step in steps:
        if current is not None and not (step.layer is None and not step.adaptive):
            window = _window(step)
            if window is None or window.kind == "transposed":
                current = None
            else:
                current = Field(
                    current.size + (window.span - 1) * current.jump,
                    current.jump * window.stride,
                    current.start - window.padding * current.jump,
                )
        result.append(current)
    return result


def region(steps: list[AxisStep], cell: int) -> Region | None:
    """The input interval that output cell `cell` of the last step sees (None: nothing)."""
    low, high = cell, cell
    for step in reversed(steps):
        if step.layer is None and not step.adaptive:
            continue
        if step.adaptive:
            low, high = max(low, 0), min(high, step.out_size - 1)
            if low > high:
                return None
            low = (low * step.in_size) // step.out_size
            high = math.ceil((high + 1) * step.in_size / step.out_size) - 1
        elif step.layer.kind == "transposed":
            bounds = _transposed_sources(step, low, high)
            if bounds is None:
                return None
            low, high = bounds
        else:
            layer = step.layer
            low = low * layer.stride - layer.padding
            high = high * layer.stride - layer.padding + layer.span - 1
    input_size = steps[0].in_size if steps else cell + 1
    return Region(low, high, input_size)


def _transposed_sources(step: AxisStep, low: int, high: int) -> tuple[int, int] | None:
    """Input cells of a transposed conv that write into output cells low..high."""
    layer = step.layer
    low, high = max(low, 0), min(high, step.out_size - 1)
    first, last = None, None
    for tap in range(layer.kernel):
        shift = layer.padding - tap * layer.dilation  # output o = i*s - p + tap*d
        start = max(-((-(low + shift)) // layer.stride), 0)
        stop = min((high + shift) // layer.stride, step.in_size - 1)
        if start <= stop:
            first = start if first is None else min(first, start)
            last = stop if last is None else max(last, stop)
    return None if first is None else (first, last)
