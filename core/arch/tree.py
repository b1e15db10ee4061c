"""Walking a SPEC's tree of layers and blocks: the rows of its layer table, in one linear pass.

Rows are named like PyTorch names the built module's parts ("3", "2.0" inside a Sequential,
"4.body.1" and "4.shortcut.0" inside a Residual), so a row's name is `model.get_submodule(name)`.
A block (Sequential or Residual) gets its own row with the totals of its layers; a residual
block's receptive field is the union of its two branches' fields (same jump, else none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.arch.layers import LayerResult, Shape, apply
from core.arch.receptive import AxisStep, Field, merge_fields, step_field
from core.arch.signatures import fmt
from core.arch.spec import LayerSpec, SpecError

HW = tuple[Field, Field] | None  # (height, width) receptive field, None = undefined


@dataclass(frozen=True)
class Row:
    """One layer of the table."""

    name: str  # dotted module name, e.g. "3", "2.0" or "4.body.1"
    type: str  # layer class name, e.g. "Conv2d"
    source: str  # the constructor call as written
    out_shape: Shape  # (C, H, W) or (F,), no batch dimension
    weights: int  # weight parameters
    biases: int  # bias parameters
    trainable: int  # parameters that receive gradients
    macs: int  # multiply-accumulates for one image (see MAC_CONVENTION)
    field: HW  # (height, width) receptive field; None = irregular/all
    dropped: tuple[int, int] = (0, 0)  # (rows, cols) of its input the floor leaves unused
    depth: int = 0  # blocks around the layer

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def frozen(self) -> int:
        return self.params - self.trainable


@dataclass(frozen=True)
class Block:
    """A Sequential or Residual block: its layers are rows first … end-1 of the table."""

    name: str  # module name of the block
    type: str  # "Sequential" | "Residual"
    label: str  # how the table shows it, e.g. "Residual (identity shortcut)"
    depth: int  # blocks around this one
    first: int  # index of its first layer row
    end: int  # one past its last layer row
    in_shape: Shape
    out_shape: Shape
    params: int
    trainable: int
    macs: int
    field: HW


@dataclass
class Walk:
    """What one pass over a SPEC collects."""

    rows: list[Row] = field(default_factory=list)
    steps: list[tuple[AxisStep, AxisStep] | None] = field(default_factory=list)
    blocks: list[Block | None] = field(default_factory=list)
    order: list[tuple[str, int]] = field(default_factory=list)  # ("block"|"row", index)
    chained: bool = True  # every row so far follows the one before (region() applies)


def walk(layers: list[LayerSpec], shape: Shape) -> Walk:
    """Every layer applied in order to `shape` (C, H, W)."""
    state = Walk()
    _sequence(state, layers, "", shape, (Field(1, 1, 0), Field(1, 1, 0)), 0)
    return state


def _sequence(state: Walk, layers, prefix: str, shape: Shape, hw: HW, depth: int):
    for index, layer in enumerate(layers):
        shape, hw = _one(state, layer, f"{prefix}{index}", shape, hw, depth)
    return shape, hw


def _one(state: Walk, layer: LayerSpec, name: str, shape: Shape, hw: HW, depth: int):
    if not layer.is_block:
        return _leaf(state, layer, name, shape, hw, depth)
    slot = len(state.blocks)  # blocks are listed in reading order: outer before inner
    state.blocks.append(None)
    state.order.append(("block", slot))
    first = len(state.rows)
    if layer.type == "Sequential":
        out, out_hw = _sequence(state, layer.children, f"{name}.", shape, hw, depth + 1)
        label = "Sequential"
    else:
        out, out_hw, label = _residual(state, layer, name, shape, hw, depth)
    rows = state.rows[first:]
    state.blocks[slot] = Block(
        name,
        layer.type,
        label,
        depth,
        first,
        len(state.rows),
        shape,
        out,
        sum(row.params for row in rows),
        sum(row.trainable for row in rows),
        sum(row.macs for row in rows),
        out_hw,
    )
    return out, out_hw


def _residual(state: Walk, layer: LayerSpec, name: str, shape: Shape, hw: HW, depth: int):
    body, body_hw = _sequence(state, layer.children, f"{name}.body.", shape, hw, depth + 1)
    state.chained = False  # the shortcut and what follows do not continue the body's chain
    if layer.shortcut is None:
        short, short_hw, label = shape, hw, "Residual (identity shortcut)"
    else:
        short, short_hw = _one(state, layer.shortcut, f"{name}.shortcut", shape, hw, depth + 1)
        label = "Residual"
    if body != short:
        raise SpecError(residual_mismatch(layer, shape, body, short))
    merged = None
    if body_hw is not None and short_hw is not None:
        pair = tuple(merge_fields(b, s) for b, s in zip(body_hw, short_hw))
        merged = None if None in pair else pair
    return body, merged, label


def residual_mismatch(layer: LayerSpec, shape: Shape, body: Shape, short: Shape) -> str:
    """The message for branches that cannot be added, with the 1×1-conv shortcut that fits."""
    flat = " ".join(str(layer).split())
    flat = flat if len(flat) <= 70 else flat[:69] + "…"
    which = "the identity shortcut passes on" if layer.shortcut is None else "the shortcut gives"
    text = (
        f"`{flat}`: the body turns the {fmt(shape)} input into {fmt(body)} but {which} "
        f"{fmt(short)}; the two branches must have the same shape to be added."
    )
    hint = shortcut_hint(shape, body)
    if hint:
        return f"{text} Use {hint}."
    return f"{text} Make the body end with the shortcut's shape."


def shortcut_hint(shape: Shape, target: Shape) -> str | None:
    """A 1×1-conv shortcut (with batch norm) turning `shape` into `target`, if a stride fits."""
    if len(shape) != 3 or len(target) != 3:
        return None
    (c_in, height, width), (c_out, want_h, want_w) = shape, target
    for stride in range(1, max(height, width) + 1):
        if (height - 1) // stride + 1 == want_h and (width - 1) // stride + 1 == want_w:
            extra = f", stride={stride}" if stride > 1 else ""
            return f"shortcut=Sequential(Conv2d({c_in}, {c_out}, 1{extra}), BatchNorm2d({c_out}))"
    return None


def _leaf(state: Walk, layer: LayerSpec, name: str, shape: Shape, hw: HW, depth: int):
    result: LayerResult = apply(layer, shape)
    if result.axes is None or hw is None:
        out_hw = None
    else:
        pair = tuple(step_field(f, step) for f, step in zip(hw, result.axes))
        out_hw = None if None in pair else pair
    state.order.append(("row", len(state.rows)))
    state.rows.append(
        Row(
            name,
            layer.type,
            str(layer),
            result.out_shape,
            result.weights,
            result.biases,
            result.weights + result.biases,
            result.macs,
            out_hw if len(result.out_shape) == 3 else None,
            result.dropped,
            depth,
        )
    )
    state.steps.append(result.axes if state.chained else None)
    return result.out_shape, out_hw
