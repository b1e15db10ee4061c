"""The exercise presets of the convolution lab (inputs only), read from data/conv_presets.json."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, fields
from functools import cache

from core.assets import DATA_DIR
from core.convlab.inputs import LabInputs
from core.errors import UserError

PRESETS_FILE = DATA_DIR / "conv_presets.json"
_INPUT_FIELDS = {f.name for f in fields(LabInputs)}


@dataclass(frozen=True)
class ConvPreset:
    """One exercise case: a key to load it and the inputs (the app computes the answers)."""

    id: str  # e.g. "a2-reflect", used by `cnn-tui conv --preset`
    key: str  # key that loads it in the lab, e.g. "f5"
    title: str
    inputs: LabInputs


@cache
def conv_presets() -> tuple[ConvPreset, ...]:
    """Every preset, in file order."""
    raw = json.loads(PRESETS_FILE.read_text(encoding="utf-8"))
    presets = []
    for entry in raw["presets"]:
        values = {k: v for k, v in entry.items() if k in _INPUT_FIELDS}
        values["kernels"] = tuple(values["kernels"])
        presets.append(ConvPreset(entry["id"], entry["key"], entry["title"], LabInputs(**values)))
    return tuple(presets)


def conv_preset(preset_id: str) -> ConvPreset:
    """A preset by id; the error lists the ids there are."""
    for preset in conv_presets():
        if preset.id == preset_id:
            return preset
    names = ", ".join(p.id for p in conv_presets())
    raise UserError(f"There is no convolution preset {preset_id!r}; choose one of {names}.")


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
