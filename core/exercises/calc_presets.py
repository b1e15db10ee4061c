"""The calculator exercises B1–B6 as ready-made inputs, so each answer is one keypress away."""

from __future__ import annotations

from dataclasses import dataclass

from core.arch.solver import solve
from core.models.zoo import PRESETS


@dataclass(frozen=True)
class LayerExample:
    """A single-layer question: the values given, blanks (None) to solve."""

    key: str  # short id, e.g. "b2"
    title: str  # what the exercise asks
    values: dict  # in_size/out_size/kernel/stride/padding -> int or None
    kind: str = "conv"  # "conv" | "transposed" | "pool"


@dataclass(frozen=True)
class ArchitectureExample:
    """An architecture question: a SPEC (or a model preset) and its input shape."""

    key: str  # short id, e.g. "b4" or a model preset name
    title: str  # what the exercise asks
    spec: str | None  # SPEC text; None for presets built from torchvision
    input_shape: tuple[int, int, int]  # (C, H, W)
    preset: str | None = None  # model preset name when the example is one


def _solved(values: dict, name: str, kind: str = "conv") -> int:
    """One blank of a B3 step, solved here so the later steps start from it (never typed in)."""
    return getattr(solve(values, kind=kind).solutions[0], name)


_B3_KERNEL = _solved(
    {"in_size": 512, "out_size": 504, "kernel": None, "stride": 1, "padding": 0}, "kernel"
)
_B3_POOLED = _solved(
    {"in_size": 504, "out_size": None, "kernel": 2, "stride": 2, "padding": 0}, "out_size", "pool"
)

LAYER_EXAMPLES: tuple[LayerExample, ...] = (
    LayerExample(
        "b1",
        "B1 · 32×32 input, 5×5 kernel, stride 1, no padding: output size?",
        {"in_size": 32, "out_size": None, "kernel": 5, "stride": 1, "padding": 0},
    ),
    LayerExample(
        "b1-uneven",
        "B1 · 32 input, 4×4 kernel, stride 3: not an integer fit",
        {"in_size": 32, "out_size": None, "kernel": 4, "stride": 3, "padding": 0},
    ),
    LayerExample(
        "b2",
        "B2 · padding that keeps the size, stride 1, 5×5 kernel",
        {"in_size": 32, "out_size": 32, "kernel": 5, "stride": 1, "padding": None},
    ),
    LayerExample(
        "b3-kernel",
        "B3 · 512 → 504, stride 1, no padding: kernel size?",
        {"in_size": 512, "out_size": 504, "kernel": None, "stride": 1, "padding": 0},
    ),
    LayerExample(
        "b3-pool",
        "B3 · then 2×2 pooling, stride 2: pooled size?",
        {"in_size": 504, "out_size": None, "kernel": 2, "stride": 2, "padding": 0},
        "pool",
    ),
    LayerExample(
        "b3-conv",
        "B3 · then a 3×3 conv, stride 1, no padding: size?",
        {"in_size": _B3_POOLED, "out_size": None, "kernel": 3, "stride": 1, "padding": 0},
    ),
    LayerExample(
        "b4-single",
        "B4 · 32 input, 4×4 kernel, padding 2, stride 2: output size?",
        {"in_size": 32, "out_size": None, "kernel": 4, "stride": 2, "padding": 2},
    ),
)

ARCHITECTURE_EXAMPLES: tuple[ArchitectureExample, ...] = (
    ArchitectureExample(
        "b3",
        "B3 · 512×512 RGB → 12 maps 504×504, 2×2 pool, 3×3 conv",
        f"Conv2d(3, 12, {_B3_KERNEL}), MaxPool2d(2, 2), Conv2d(12, 12, 3)",
        (3, 512, 512),
    ),
    ArchitectureExample(
        "b4",
        "B4 · conv 32-64-128 (5×5, p2) with pools, FC 64-10",
        PRESETS["convnet-32-64-128"].spec,
        (3, 32, 32),
    ),
    ArchitectureExample(
        "b4-single",
        "B4 · 32 filters 4×4, padding 2, stride 2 on 32×32×3",
        "Conv2d(3, 32, 4, stride=2, padding=2)",
        (3, 32, 32),
    ),
    ArchitectureExample(
        "b5-3x3",
        "B5 · receptive field of three 3×3 convs, stride 1",
        "Conv2d(1, 1, 3), Conv2d(1, 1, 3), Conv2d(1, 1, 3)",
        (1, 32, 32),
    ),
    ArchitectureExample(
        "b5-4x4s2",
        "B5 · receptive field of two 4×4 convs, stride 2",
        "Conv2d(1, 1, 4, stride=2), Conv2d(1, 1, 4, stride=2)",
        (1, 32, 32),
    ),
    ArchitectureExample(
        "b5-blocks",
        "B5 · 2 blocks of two 3×3 convs + 2×2 pool, VALID, n=32",
        "Conv2d(1, 1, 3), Conv2d(1, 1, 3), MaxPool2d(2), "
        "Conv2d(1, 1, 3), Conv2d(1, 1, 3), MaxPool2d(2)",
        (1, 32, 32),
    ),
    *(
        ArchitectureExample(
            name,
            f"B6 · {name} ({preset.exercise}): {preset.title}",
            preset.spec,
            preset.input_shape,
            name,
        )
        for name, preset in PRESETS.items()
    ),
)


EXERCISE_PARTS = {
    "b1": ("layer:b1", "layer:b1-uneven"),
    "b2": ("layer:b2",),
    "b3": ("layer:b3-kernel", "layer:b3-pool", "layer:b3-conv", "architecture:b3"),
    "b4": ("architecture:b4", "architecture:b4-single", "layer:b4-single"),
    "b5": ("architecture:b5-3x3", "architecture:b5-4x4s2", "architecture:b5-blocks"),
    "b6": tuple(f"architecture:{name}" for name in PRESETS),
}
"""Each calculator exercise's examples in the order of the sheet, as "pane:key"; the
Calculators screen loads them with one key per exercise (F7 … F12), again for the next part."""


def exercise_part(part: str) -> tuple[str, LayerExample | ArchitectureExample]:
    """("layer" | "architecture", the example) for a "pane:key" entry of EXERCISE_PARTS."""
    pane, key = part.split(":")
    examples = LAYER_EXAMPLES if pane == "layer" else ARCHITECTURE_EXAMPLES
    return pane, next(e for e in examples if e.key == key)
