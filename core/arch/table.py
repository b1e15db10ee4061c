"""The layer table of an architecture: output shape, parameters, receptive field and MACs per layer.

Rows are named like PyTorch names the built module's parts ("0", "3.2" inside a nested
Sequential, "4.body.1" inside a Residual), so a row's name is `model.get_submodule(name)`.
`rows` holds the layers only (their totals are the network's); `blocks` the Sequential and
Residual groups with their own totals, and `order` interleaves both for display.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.arch.layers import Shape
from core.arch.receptive import AxisStep, Region, region
from core.arch.shapes import count
from core.arch.spec import LayerSpec, SpecError, parse_spec
from core.arch.tree import Block, Row, walk

__all__ = ["Block", "LayerTable", "Row", "layer_table", "to_markdown"]

MAC_CONVENTION = (
    "MACs: weight multiply-accumulates of Conv/Linear layers for one image; "
    "bias additions, batch norm, pooling and activations are not counted."
)


@dataclass(frozen=True)
class LayerTable:
    """Every layer of an architecture applied to one input shape."""

    input_shape: Shape  # (C, H, W)
    rows: tuple[Row, ...]
    steps: tuple[tuple[tuple[AxisStep, AxisStep] | None, ...], ...]  # per row: (H, W) geometry
    blocks: tuple[Block, ...] = ()  # Sequential / Residual groups
    order: tuple[tuple[str, int], ...] = ()  # ("block" | "row", index) in display order

    def display(self) -> list[Row | Block]:
        """Blocks and layers in reading order (a block before its layers); rows' depth says
        how far to indent."""
        if not self.order:
            return list(self.rows)
        return [self.blocks[i] if kind == "block" else self.rows[i] for kind, i in self.order]

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def trainable_params(self) -> int:
        return sum(row.trainable for row in self.rows)

    @property
    def total_macs(self) -> int:
        return sum(row.macs for row in self.rows)

    def spatial_rows(self) -> list[int]:
        """Indices of rows whose output is still a feature map (a receptive field applies)."""
        return [i for i, row in enumerate(self.rows) if len(row.out_shape) == 3]

    def region(self, row_index: int, cell: tuple[int, int]) -> tuple[Region, Region] | None:
        """Input region (height, width) seen by output cell (y, x) of row `row_index`."""
        upto = self.steps[: row_index + 1]
        if len(self.rows[row_index].out_shape) != 3 or any(step is None for step in upto):
            return None
        found = tuple(region([s[axis] for s in upto], cell[axis]) for axis in (0, 1))
        return None if None in found else found

    def notes(self) -> list[str]:
        """One line per layer whose windows do not fit evenly (cells no window reaches: the
        floor drops them, or with ceil_mode a partial window may not start in the padding)."""
        return [
            f"layer {row.name}, {row.source}: {_why(row)} {count(row.dropped[0], 'row')} "
            f"and {count(row.dropped[1], 'column')} at the end of its (padded) input"
            for row in self.rows
            if any(row.dropped)
        ]

    def to_json(self) -> dict:
        """The `cnn-tui summary --json` object."""
        return {
            "input_shape": list(self.input_shape),
            "layers": [
                {
                    "name": row.name,
                    "type": row.type,
                    "source": row.source,
                    "output_shape": list(row.out_shape),
                    "weights": row.weights,
                    "biases": row.biases,
                    "params": row.params,
                    "trainable_params": row.trainable,
                    "macs": row.macs,
                    "receptive_field": _square(row, "size"),
                    "jump": _square(row, "jump"),
                    "receptive_field_start": _square(row, "start"),
                    "dropped": list(row.dropped),
                    "depth": row.depth,
                }
                for row in self.rows
            ],
            "blocks": [
                {
                    "name": block.name,
                    "type": block.type,
                    "label": block.label,
                    "depth": block.depth,
                    "layers": [row.name for row in self.rows[block.first : block.end]],
                    "input_shape": list(block.in_shape),
                    "output_shape": list(block.out_shape),
                    "params": block.params,
                    "trainable_params": block.trainable,
                    "macs": block.macs,
                    "receptive_field": _square(block, "size"),
                    "jump": _square(block, "jump"),
                }
                for block in self.blocks
            ],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "total_macs": self.total_macs,
            "mac_convention": MAC_CONVENTION,
            "notes": self.notes(),
        }


def _square(row: Row | Block, attribute: str):
    """One number when height and width agree, else [height, width]; None when undefined."""
    if row.field is None:
        return None
    height, width = (getattr(field, attribute) for field in row.field)
    return height if height == width else [height, width]


MAX_INPUT_SIZE = 1_000_000
"""Largest channel count or side `summary --input` takes."""


def parse_shape(text: str) -> tuple[int, int, int]:
    """ "3,32,32" (or "3x32x32") → (3, 32, 32); SpecError otherwise."""
    parts = text.replace("x", ",").replace("×", ",").split(",")
    try:
        shape = tuple(int(part) for part in parts)
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise SpecError(f"--input {text!r}: give three positive sizes C,H,W, e.g. 3,32,32.")
    if max(shape) > MAX_INPUT_SIZE:
        raise SpecError(
            f"--input {text!r}: each size may be at most {MAX_INPUT_SIZE:,} (the table is shape "
            "arithmetic, but its counts must stay readable)."
        )
    return shape


def _why(row: Row) -> str:
    """The reason cells are left out: ceil_mode keeps partial windows, so only the floor-free
    rule (a window must start inside the input or its left padding) can leave any."""
    if "ceil_mode=True" in row.source.replace(" ", ""):
        return (
            "ceil_mode keeps partial windows, yet none may start past the input: no window reaches"
        )
    return "the floor drops"


def layer_table(layers: list[LayerSpec] | str, input_shape: Shape) -> LayerTable:
    """Apply the layers in order to `input_shape` (C, H, W); SpecError names the failing layer."""
    if isinstance(layers, str):
        layers = parse_spec(layers)
    if len(input_shape) != 3 or min(input_shape) < 1:
        raise SpecError(f"The input shape must be C,H,W with positive sizes (got {input_shape}).")
    if not layers:
        raise SpecError("The SPEC has no layers.")
    state = walk(layers, tuple(input_shape))
    if not state.rows:
        raise SpecError("The SPEC has no layers, only empty blocks.")
    return LayerTable(
        tuple(input_shape),
        tuple(state.rows),
        tuple(state.steps),
        tuple(state.blocks),
        tuple(state.order),
    )


def cell_text(row: Row | Block, attribute: str) -> str:
    """A receptive-field column as text: "7", "7×5", or "—" when it does not apply."""
    value = _square(row, attribute)
    if value is None:
        return "—"
    return "×".join(str(v) for v in value) if isinstance(value, list) else str(value)


def shape_text(shape: Shape) -> str:
    return "×".join(str(n) for n in shape)


def to_markdown(table: LayerTable) -> str:
    """The table as GitHub Markdown, with totals and the MAC convention underneath."""
    lines = [
        f"Input: {shape_text(table.input_shape)}",
        "",
        "| layer | type | output | weights | biases | params | trainable | RF | jump | MACs |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for item in table.display():
        indent = "&nbsp;&nbsp;" * item.depth
        if isinstance(item, Block):
            lines.append(
                f"| {indent}**{item.name}** | **{item.label}** | {shape_text(item.out_shape)} "
                f"| | | **{item.params:,}** | **{item.trainable:,}** | {cell_text(item, 'size')} "
                f"| {cell_text(item, 'jump')} | **{item.macs:,}** |"
            )
            continue
        lines.append(
            f"| {indent}{item.name} | `{item.source}` | {shape_text(item.out_shape)} "
            f"| {item.weights:,} | {item.biases:,} | {item.params:,} | {item.trainable:,} "
            f"| {cell_text(item, 'size')} | {cell_text(item, 'jump')} | {item.macs:,} |"
        )
    lines += [
        f"| **total** | | | | | **{table.total_params:,}** | **{table.trainable_params:,}** "
        f"| | | **{table.total_macs:,}** |",
        "",
        MAC_CONVENTION,
        *(f"\n{note}" for note in table.notes()),
    ]
    return "\n".join(lines) + "\n"
