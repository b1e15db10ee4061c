"""Receptive fields of a built torchvision-style network (ResNet-18), from its leaf calls.

The leaves are taken in call order as a chain (conv1, bn1, relu, maxpool, layer1.0.conv1, …);
a block's `downsample` branch starts again from the block's input, and the block's sum takes
the union of both branches' fields (`merge_fields`). Conv and pooling windows step the field
by the Distill recurrence; batch norm, activations and dropout leave it; a flattened output
has none. Only networks built of these layers get fields: others (concatenated branches, own
modules) get none rather than a wrong one.
"""

from __future__ import annotations

from core.arch.receptive import AxisStep, Field, merge_fields, step_field
from core.arch.shapes import AxisLayer, Kind

POINTWISE = {"BatchNorm2d", "ReLU", "Dropout", "Dropout2d", "Identity"}
WINDOWS: dict[str, Kind] = {"Conv2d": "conv", "MaxPool2d": "pool", "AvgPool2d": "pool"}
KNOWN = POINTWISE | set(WINDOWS) | {"AdaptiveAvgPool2d", "Flatten", "Linear"}

HWField = tuple[Field, Field] | None


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _steps(module, in_shape, out_shape) -> tuple[AxisStep, AxisStep] | None:
    """The (height, width) geometry of one call; None for a layer that flattens."""
    kind = type(module).__name__
    if len(out_shape) != 3:
        return None
    sizes = list(zip(in_shape[1:], out_shape[1:]))
    if kind in POINTWISE:
        steps = [AxisStep(i, o) for i, o in sizes]
    elif kind == "AdaptiveAvgPool2d":
        steps = [AxisStep(i, o, adaptive=True) for i, o in sizes]
    else:
        kernel, stride = _pair(module.kernel_size), _pair(module.stride or module.kernel_size)
        padding, dilation = _pair(module.padding), _pair(getattr(module, "dilation", 1))
        steps = [
            AxisStep(i, o, AxisLayer(kernel[a], stride[a], padding[a], dilation[a], WINDOWS[kind]))
            for a, (i, o) in enumerate(sizes)
        ]
    return steps[0], steps[1]


def _advance(current: HWField, steps) -> HWField:
    if current is None or steps is None:
        return None
    height, width = (step_field(f, s) for f, s in zip(current, steps))
    return None if height is None or width is None else (height, width)


def _merge(first: HWField, second: HWField) -> HWField:
    if first is None or second is None:
        return None
    height, width = (merge_fields(a, b) for a, b in zip(first, second))
    return None if height is None or width is None else (height, width)


def call_fields(calls, input_shape) -> list[HWField] | None:
    """The field after each (name, module, out_shape) call; None when the network has a layer
    this chain cannot follow."""
    if any(type(module).__name__ not in KNOWN for _, module, _ in calls):
        return None
    if any(isinstance(getattr(module, "padding", 0), str) for _, module, _ in calls):
        return None  # "same" padding: not a plain window
    start = Field(1, 1, 0)
    current: HWField = (start, start)
    shape = tuple(input_shape)
    block: str | None = None
    block_in: tuple[HWField, tuple] = (current, shape)
    branch: HWField = None
    branch_shape: tuple | None = None
    seen: set[str] = set()
    summed = False
    result = []
    for name, module, out_shape in calls:
        owner = name.partition(".downsample")[0]
        here = owner if ".downsample" in name else owner.rpartition(".")[0]
        if here != block:  # a new block: its input is what a shortcut carries
            block, block_in, branch, branch_shape = here, (current, shape), None, None
            seen, summed = set(), False
        if ".downsample" in name:
            field_in, shape_in = branch or block_in[0], branch_shape or block_in[1]
            branch = _advance(field_in, _steps(module, shape_in, out_shape))
            branch_shape = out_shape
            result.append(branch)
            continue
        if not summed and (branch is not None or name in seen):  # after the sum: both meet
            current, summed = _merge(current, branch or block_in[0]), True
        seen.add(name)
        current = _advance(current, _steps(module, shape, out_shape))
        shape = out_shape
        result.append(current)
    return result
