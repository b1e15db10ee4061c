"""How the receptive field grows as layers are added — with 3×3 convolutions alone, and with
dilation, a stride or pooling at the same depth (the sheets' "how does depth relate to the
receptive field, and how to grow it at fixed depth?"). Each variant is a SPEC tabled by
`layer_table`, so every number is the layer table's own."""

from __future__ import annotations

from dataclasses import dataclass

from core.arch.table import layer_table

MAX_DEPTH = 6
"""Layers the demonstration grows to (then it starts again at one)."""

INPUT_SIZE = 512
"""Input height and width: large enough that every variant still has a map at MAX_DEPTH."""

VARIANTS = (
    ("3×3 convs, stride 1", ("Conv2d(1, 1, 3)",)),
    ("dilation 1, 2, 4, …", ("Conv2d(1, 1, 3, dilation={dilation})",)),
    ("stride 2", ("Conv2d(1, 1, 3, stride=2)",)),
    ("3×3 conv + 2×2 max-pool", ("Conv2d(1, 1, 3)", "MaxPool2d(2)")),
)
"""Each variant's name and the layer(s) one step adds ({dilation}: 2 ** step)."""


@dataclass(frozen=True)
class Growth:
    """One variant grown to some depth: its SPEC and, after each step, RF and map size."""

    name: str
    spec: str
    fields: tuple[int, ...]  # receptive field (height axis) after steps 1, 2, …
    sizes: tuple[int, ...]  # output height after steps 1, 2, …

    @property
    def steps(self) -> tuple[int, ...]:
        """What each step adds to the field (the first step: the field itself)."""
        return tuple(b - a for a, b in zip((1, *self.fields), self.fields))


def grow(depth: int, size: int = INPUT_SIZE) -> list[Growth]:
    """Every variant with `depth` steps (1 … MAX_DEPTH) on a 1×size×size input."""
    depth = max(1, min(MAX_DEPTH, depth))
    grown = []
    for name, step in VARIANTS:
        layers = [[layer.format(dilation=2**index) for layer in step] for index in range(depth)]
        spec = ", ".join(layer for step_layers in layers for layer in step_layers)
        table = layer_table(spec, (1, size, size))
        fields, sizes, row = [], [], -1
        for step_layers in layers:
            row += len(step_layers)  # the step's last layer
            field = table.rows[row].field
            assert field is not None  # convolutions and pooling always have one
            fields.append(field[0].size)
            sizes.append(table.rows[row].out_shape[1])
        grown.append(Growth(name, spec, tuple(fields), tuple(sizes)))
    return grown
