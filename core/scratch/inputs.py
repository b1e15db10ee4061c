"""What the Scratch lab compares: a trained run's network (or a seeded one) and test images.

A run's checkpoint is loaded the way Explain loads it, so both see the same network with
the same input normalisation; the scratch copy needs the run's network to be a SPEC (a SPEC
preset or a typed design, blocks included).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.arch.spec import LayerSpec
from core.data.images import Preprocess
from core.errors import UserError
from core.models.architecture import from_config
from core.models.zoo import PRESETS
from core.scratch.layers import SCRATCH_PRESET
from core.training.restore import load_run_model, read_run_config, run_checkpoint


@dataclass(frozen=True)
class Reference:
    """The PyTorch network the scratch network must reproduce, and how to feed it."""

    model: Any  # torch.nn.Module in eval mode, holding the weights to copy
    layers: list[LayerSpec]  # its SPEC, from which the scratch network is built
    source: str  # one line: which run and checkpoint, or which seed
    dataset: str | None  # the run's dataset name; None lets the caller pick the default
    data_dir: str | None  # the run's dataset folder; None = the default data folder
    test_size: int | None  # the run's test split size (Shapes-10 draws its images from it)
    preprocess: Preprocess  # input normalisation the network was trained with


def reference_network(
    run: str | None, runs_dir: str | os.PathLike[str], seed: int = 0
) -> Reference:
    """A run's trained network (by id or path), or `lenet-8-16` with weights seeded by `seed`."""
    if run is None:
        return _seeded_reference(seed)
    run_dir = _run_dir(run, runs_dir)
    config = read_run_config(run_dir)
    arch = from_config(config, run_dir)
    if arch.kind == "python":
        raise UserError(
            f"Run {run_dir.name} trained a Python-file network ({arch.name}), which the Scratch "
            "lab cannot rebuild from scratch layers: it rebuilds networks written as a SPEC (a "
            "preset or a typed design). Pick such a run, or no run for a seeded model."
        )
    if not arch.has_spec:
        spec_presets = ", ".join(name for name, p in PRESETS.items() if p.spec is not None)
        raise UserError(
            f"Run {run_dir.name} trained preset {arch.name!r}, which the Scratch lab cannot "
            f"rebuild from scratch layers: pick a run of {spec_presets}, a run of a SPEC design "
            "(or no run for a seeded model)."
        )
    loaded = load_run_model(str(run_dir), runs_dir)
    return Reference(
        model=loaded.module,
        layers=arch.layers(),
        source=loaded.title,
        dataset=config.get("dataset"),
        data_dir=config.get("data_dir"),
        test_size=config.get("test_size"),
        preprocess=loaded.preprocess,
    )


def _run_dir(run: str, runs_dir: str | os.PathLike[str]) -> Path:
    """A run folder given as a path, or as an id (or unique prefix/suffix) in `runs_dir`."""
    from core.runs.store import resolve_run

    path = Path(run).expanduser()
    if (path / "config.json").is_file():
        return path
    return resolve_run(runs_dir, run)


def _seeded_reference(seed: int) -> Reference:
    import torch

    from core.arch.spec import build_module

    layers = PRESETS[SCRATCH_PRESET].layers()
    torch.manual_seed(seed)
    model = build_module(layers).eval()
    return Reference(
        model=model,
        layers=layers,
        source=f"{SCRATCH_PRESET} with RANDOM weights (seed {seed}), not trained",
        dataset=None,
        data_dir=None,
        test_size=None,
        preprocess=Preprocess(32),
    )


@dataclass(frozen=True)
class SampleBatch:
    """The first test images of a dataset, ready for the network."""

    images: Any  # torch float32 (S, 3, H, W), normalised like the network's training data
    labels: Any  # torch int64 (S,)
    classes: tuple[str, ...]  # class names by label
    dataset: str  # dataset title, for people


def sample_batch(
    reference: Reference,
    samples: int,
    data_dir: str | os.PathLike[str] | None = None,
    device: str = "cpu",
) -> SampleBatch:
    """The first `samples` test images of the reference's dataset (or the default one).

    `data_dir` (e.g. `--data-dir`) wins over the folder the run was trained from.
    """
    import torch

    from core.data.cache import load_dataset_cached
    from core.data.datasets import default_dataset_name

    if samples < 1:
        raise UserError(f"--samples must be at least 1, not {samples}.")
    data_dir = data_dir or reference.data_dir
    name = reference.dataset or default_dataset_name(data_dir)
    dataset = load_dataset_cached(name, data_dir, train_size=1, test_size=reference.test_size)
    split = dataset.test
    if samples > len(split.labels):
        raise UserError(
            f"{dataset.title} has {len(split.labels)} test images; ask for at most that many."
        )
    pixels = torch.from_numpy(split.images[:samples]).permute(0, 3, 1, 2)  # (S, 3, H, W) uint8
    images = pixels.float().div(255.0)  # (S, 3, H, W) in [0, 1]
    mean = torch.tensor(reference.preprocess.mean).view(1, 3, 1, 1)
    std = torch.tensor(reference.preprocess.std).view(1, 3, 1, 1)
    images = (images - mean) / std  # (S, 3, H, W)
    size = reference.preprocess.size
    if images.shape[-1] != size:
        images = torch.nn.functional.interpolate(
            images, size=(size, size), mode="bilinear", antialias=True, align_corners=False
        )  # (S, 3, size, size)
    labels = torch.from_numpy(split.labels[:samples].astype("int64"))  # (S,)
    return SampleBatch(images.to(device), labels.to(device), dataset.classes, dataset.title)


def runs_with_checkpoints(runs_dir: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(run id, network name) of every run the lab can use: a SPEC network (preset or typed
    design) and a saved checkpoint."""
    root = Path(runs_dir)
    if not root.is_dir():
        return []
    found = []
    for run_dir in sorted(root.iterdir()):
        try:
            config = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(config, dict):
            continue
        if config.get("arch") and not config.get("arch_file"):
            name = str(config.get("arch_name") or "SPEC")  # a typed design: always a SPEC
            usable = True
        else:
            name = str(config.get("preset"))
            usable = not config.get("arch_file") and name in PRESETS
            usable = usable and PRESETS[name].spec is not None
        if usable and run_checkpoint(run_dir) is not None:
            found.append((run_dir.name, name))
    return found
