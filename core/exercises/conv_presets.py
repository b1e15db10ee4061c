"""The exercise presets of the convolution lab (inputs only): the conv tasks of the built-in
pack data/packs/a-convolution.toml, in order, on keys F2, F3, …"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from core.convlab.inputs import LabInputs
from core.course.builtin import CONV_PACK, builtin_pack
from core.course.conv_options import conv_preset_inputs


@dataclass(frozen=True)
class ConvPreset:
    """One exercise case: a key to load it and the inputs (the app computes the answers)."""

    id: str  # e.g. "a2-reflect", used by `cnn-tui conv --preset`
    key: str  # key that loads it in the lab, e.g. "f5"
    title: str
    inputs: LabInputs


@cache
def conv_presets() -> tuple[ConvPreset, ...]:
    """Every preset, in pack order."""
    tasks = [task for task in builtin_pack(CONV_PACK).tasks if task.kind == "conv"]
    return tuple(
        ConvPreset(task.id, f"f{index + 2}", task.title, conv_preset_inputs(task.id))
        for index, task in enumerate(tasks)
    )


def conv_preset(preset_id: str) -> ConvPreset:
    """A preset by id; the error lists the ids there are."""
    conv_preset_inputs(preset_id)  # the error names the presets there are
    return next(p for p in conv_presets() if p.id == preset_id)


def random_inputs(seed: int) -> LabInputs:
    """A small random exercise (integers −2…3, 3×3 or 2×2 kernel) that a seed reproduces."""
    rng = random.Random(seed)
    rows, cols, k = rng.randint(4, 6), rng.randint(4, 7), rng.choice((2, 3))

    def matrix(r: int, c: int, low: int, high: int) -> str:
        return "; ".join(" ".join(str(rng.randint(low, high)) for _ in range(c)) for _ in range(r))

    return LabInputs(
        input=matrix(rows, cols, 0, 3),
        kernels=(matrix(k, k, -1, 2),),
        biases=str(rng.randint(-2, 1)),
        stride=str(rng.choice((1, 1, 2))),
        padding=str(rng.choice((0, 0, 1))),
        activation=rng.choice(("none", "relu")),
    )
