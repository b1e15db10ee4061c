"""The layer table of an architecture: output shape, parameters, receptive field and MACs per layer.

Rows are named like `nn.Sequential` names its children ("0", "1", "3.2" inside a nested
Sequential), so a row's name is also `model.get_submodule(name)` of the built module.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.arch.layers import LayerResult, Shape, apply
from core.arch.receptive import AxisStep, Field, Region, fields, region
from core.arch.shapes import count
from core.arch.spec import LayerSpec, SpecError, parse_spec

MAC_CONVENTION = (
    "MACs: weight multiply-accumulates of Conv/Linear layers for one image; "
    "bias additions, batch norm, pooling and activations are not counted."
)


@dataclass(frozen=True)
class Row:
    """One layer of the table."""

    name: str  # dotted Sequential index, e.g. "3" or "2.0"
    type: str  # layer class name, e.g. "Conv2d"
    source: str  # the constructor call as written
    out_shape: Shape  # (C, H, W) or (F,), no batch dimension
    weights: int  # weight parameters
    biases: int  # bias parameters
    trainable: int  # parameters that receive gradients
    macs: int  # multiply-accumulates for one image (see MAC_CONVENTION)
    field: tuple[Field, Field] | None  # (height, width) receptive field; None = irregular/all
    dropped: tuple[int, int] = (0, 0)  # (rows, cols) of its input the floor leaves unused

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def frozen(self) -> int:
        return self.params - self.trainable


@dataclass(frozen=True)
class LayerTable:
    """Every layer of an architecture applied to one input shape."""

    input_shape: Shape  # (C, H, W)
    rows: tuple[Row, ...]
    steps: tuple[tuple[tuple[AxisStep, AxisStep] | None, ...], ...]  # per row: (H, W) geometry

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
        """One line per layer whose windows do not fit evenly (cells the floor drops)."""
        return [
            f"layer {row.name}, {row.source}: the floor drops {count(row.dropped[0], 'row')} "
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
                }
                for row in self.rows
            ],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "total_macs": self.total_macs,
            "mac_convention": MAC_CONVENTION,
            "notes": self.notes(),
        }


def _square(row: Row, attribute: str):
    """One number when height and width agree, else [height, width]; None when undefined."""
    if row.field is None:
        return None
    height, width = (getattr(field, attribute) for field in row.field)
    return height if height == width else [height, width]


def _flatten(layers: list[LayerSpec], prefix: str = "") -> list[tuple[str, LayerSpec]]:
    named = []
    for index, layer in enumerate(layers):
        name = f"{prefix}{index}"
        if layer.type == "Sequential":
            named += _flatten(list(layer.children), f"{name}.")
        else:
            named.append((name, layer))
    return named


def parse_shape(text: str) -> tuple[int, int, int]:
    """ "3,32,32" (or "3x32x32") → (3, 32, 32); SpecError otherwise."""
    parts = text.replace("x", ",").replace("×", ",").split(",")
    try:
        shape = tuple(int(part) for part in parts)
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise SpecError(f"--input {text!r}: give three positive sizes C,H,W, e.g. 3,32,32.")
    return shape


def layer_table(layers: list[LayerSpec] | str, input_shape: Shape) -> LayerTable:
    """Apply the layers in order to `input_shape` (C, H, W); SpecError names the failing layer."""
    if isinstance(layers, str):
        layers = parse_spec(layers)
    if len(input_shape) != 3 or min(input_shape) < 1:
        raise SpecError(f"The input shape must be C,H,W with positive sizes (got {input_shape}).")
    named = _flatten(layers)
    if not named:
        raise SpecError("The SPEC has no layers.")
    shape: Shape = tuple(input_shape)
    results: list[tuple[str, LayerSpec, LayerResult]] = []
    for name, layer in named:
        result = apply(layer, shape)
        results.append((name, layer, result))
        shape = result.out_shape
    steps = tuple(result.axes for _, _, result in results)
    per_axis = _fields(steps)
    rows = tuple(
        Row(
            name,
            layer.type,
            str(layer),
            result.out_shape,
            result.weights,
            result.biases,
            result.weights + result.biases,
            result.macs,
            per_axis[i],
            result.dropped,
        )
        for i, (name, layer, result) in enumerate(results)
    )
    return LayerTable(tuple(input_shape), rows, steps)


def _fields(steps) -> list[tuple[Field, Field] | None]:
    """Receptive fields per row; None once the map is flattened or the spacing is irregular."""
    spatial = 0
    while spatial < len(steps) and steps[spatial] is not None:
        spatial += 1
    heights = fields([step[0] for step in steps[:spatial]])
    widths = fields([step[1] for step in steps[:spatial]])
    out: list[tuple[Field, Field] | None] = []
    for i in range(len(steps)):
        if i < spatial and heights[i] is not None and widths[i] is not None:
            out.append((heights[i], widths[i]))
        else:
            out.append(None)
    return out


def cell_text(row: Row, attribute: str) -> str:
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
    for row in table.rows:
        lines.append(
            f"| {row.name} | `{row.source}` | {shape_text(row.out_shape)} | {row.weights:,} "
            f"| {row.biases:,} | {row.params:,} | {row.trainable:,} | {cell_text(row, 'size')} "
            f"| {cell_text(row, 'jump')} | {row.macs:,} |"
        )
    lines += [
        f"| **total** | | | | | **{table.total_params:,}** | **{table.trainable_params:,}** "
        f"| | | **{table.total_macs:,}** |",
        "",
        MAC_CONVENTION,
        *(f"\n{note}" for note in table.notes()),
    ]
    return "\n".join(lines) + "\n"
