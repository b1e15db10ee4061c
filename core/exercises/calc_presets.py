"""The calculator exercises B1–B6 as ready-made inputs, so each answer is one keypress away:
the calc and summary tasks of the built-in pack data/packs/b-shapes.toml."""

from __future__ import annotations

from dataclasses import dataclass

from core.course.builtin import CALC_PACK, builtin_pack
from core.models.zoo import PRESETS


@dataclass(frozen=True)
class LayerExample:
    """A single-layer question: the values given, blanks (None) to solve."""

    key: str  # short id, e.g. "b2"
    title: str  # what the exercise asks
    values: dict  # in_size/out_size/kernel/stride/padding -> int or None
    kind: str = "conv"  # "conv" | "transposed" | "pool"
    dilation: int = 1
    ceil_mode: bool = False  # pooling only
    output_padding: int | None = 0  # transposed only; None: solved


@dataclass(frozen=True)
class ArchitectureExample:
    """An architecture question: a SPEC (or a model preset) and its input shape."""

    key: str  # short id, e.g. "b4" or a model preset name
    title: str  # what the exercise asks
    spec: str | None  # SPEC text; None for presets built from torchvision
    input_shape: tuple[int, int, int]  # (C, H, W)
    preset: str | None = None  # model preset name when the example is one


_LAYER_FIELDS = {"in": "in_size", "out": "out_size", "kernel": "kernel", "stride": "stride"}
_LAYER_FIELDS["padding"] = "padding"


def layer_example(task) -> LayerExample:
    """A calc task of the pack as the Layer pane's example: given values, blanks None."""
    options = task.options
    values = {dest: _given(options.get(name)) for name, dest in _LAYER_FIELDS.items()}
    kind = "transposed" if options.get("transposed") else "pool" if options.get("pool") else "conv"
    if kind == "pool" and values["padding"] is None:
        values["padding"] = 0  # PyTorch's default, as `cnn-tui calc --pool` takes it
    extra = _given(options.get("output_padding", 0 if options.get("out") is None else None))
    return LayerExample(
        task.id,
        task.title,
        values,
        kind,
        dilation=_given(options.get("dilation")) or 1,
        ceil_mode=bool(options.get("ceil_mode")),
        output_padding=extra,
    )


def _given(value):
    """A pack's value, None where it is left to solve ("?" or absent)."""
    return None if value == "?" else value


def architecture_example(task) -> ArchitectureExample:
    """A summary task of the pack as the Architecture pane's example."""
    from core.arch.table import parse_shape

    preset = task.options.get("preset")
    shape = task.options.get("input")
    if preset is not None:
        model = PRESETS[preset]
        return ArchitectureExample(
            task.id,
            task.title,
            model.spec,
            parse_shape(shape) if shape else model.input_shape,
            preset,
        )
    return ArchitectureExample(task.id, task.title, task.options["spec"], parse_shape(shape))


_TASKS = builtin_pack(CALC_PACK).tasks
LAYER_EXAMPLES: tuple[LayerExample, ...] = tuple(
    layer_example(t) for t in _TASKS if t.kind == "calc"
)
ARCHITECTURE_EXAMPLES: tuple[ArchitectureExample, ...] = tuple(
    architecture_example(t) for t in _TASKS if t.kind == "summary"
)
EXERCISE_PARTS: dict[str, tuple[str, ...]] = {}
for _task in _TASKS:
    _pane = "layer" if _task.kind == "calc" else "architecture"
    EXERCISE_PARTS.setdefault(_task.id.split("-")[0] if _task.id[:1] == "b" else "b6", ())
    EXERCISE_PARTS[_task.id.split("-")[0] if _task.id[:1] == "b" else "b6"] += (
        f"{_pane}:{_task.id}",
    )
"""Each calculator exercise's examples in the order of the sheet, as "pane:key"; the
Calculators screen loads them with one key per exercise (F7 … F12), again for the next part.
A task's exercise is its id up to the first "-" (the B6 tasks are named after model presets)."""


def exercise_part(part: str) -> tuple[str, LayerExample | ArchitectureExample]:
    """("layer" | "architecture", the example) for a "pane:key" entry of EXERCISE_PARTS."""
    pane, key = part.split(":")
    examples = LAYER_EXAMPLES if pane == "layer" else ARCHITECTURE_EXAMPLES
    return pane, next(e for e in examples if e.key == key)
