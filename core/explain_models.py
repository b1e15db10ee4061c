"""The models Explain looks inside: ImageNet ResNet-18 or a training run's checkpoint.

Random weights are only ever used when a caller asks for them with a seed, and the model then
says so in its title; missing weights are an error that says how to get them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.images import IMAGENET, Preprocess

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)

DATASET_IMAGE_SIZE = 32
"""Side of CIFAR-10 / Shapes-10 images: a run's input size unless it trained with `resize`."""


class CheckpointError(UserError):
    """A run that has no usable checkpoint."""


@dataclass(frozen=True)
class ExplainModel:
    """A model ready for explanations: eval mode, no in-place activations."""

    module: Any  # torch.nn.Module in eval mode
    classes: tuple[str, ...]  # class names by output index
    preprocess: Preprocess  # input size and normalisation the model was trained with
    title: str  # one line naming the model and where its weights came from
    random_seed: int | None = None  # set only when weights are seeded random (tests, demos)
    dataset: str | None = None  # a run's dataset ("cifar10" | "shapes"), for its test gallery


def prepare(module):
    """Eval mode, and in-place ops switched off so hooked activations keep their values."""
    for child in module.modules():
        if hasattr(child, "inplace"):
            child.inplace = False
    return module.eval()


def load_resnet18(weights_file: str | os.PathLike[str] | None = None,
                  random_seed: int | None = None) -> ExplainModel:
    """torchvision ResNet-18 with ImageNet weights, or seeded random weights if asked."""
    import torch
    from torchvision.models import resnet18

    from core.weights import imagenet_categories, resnet18_imagenet_state_dict

    if random_seed is None:
        state = resnet18_imagenet_state_dict(weights_file)
        module = resnet18()
        module.load_state_dict(state)
        title = f"ResNet-18, ImageNet weights ({weights_file or 'torch hub cache'})"
    else:
        torch.manual_seed(random_seed)
        module = resnet18()
        title = f"ResNet-18 with RANDOM weights (seed {random_seed}) - not pretrained"
    return ExplainModel(prepare(module), tuple(imagenet_categories()), IMAGENET, title,
                        random_seed)


def resolve_run_dir(ref: str, runs_dir: str | os.PathLike[str]) -> Path:
    """A run directory from a path or a run id inside `runs_dir`."""
    path = Path(ref).expanduser()
    if (path / "config.json").is_file():
        return path
    candidate = Path(runs_dir) / ref
    if (candidate / "config.json").is_file():
        return candidate
    raise CheckpointError(
        f"No run {ref!r}: neither {path} nor {candidate} has a config.json. "
        "List runs with `cnn-tui runs ls`, or use --model resnet18."
    )


def run_checkpoint(run_dir: Path) -> Path | None:
    """The checkpoint a run's network is loaded from: checkpoints/best.pt, else last.pt."""
    for name in ("best.pt", "last.pt"):
        path = run_dir / "checkpoints" / name
        if path.is_file():
            return path
    return None


def load_run_model(ref: str, runs_dir: str | os.PathLike[str]) -> ExplainModel:
    """The trained network of a run (`run_checkpoint`)."""
    import torch

    run_dir = resolve_run_dir(ref, runs_dir)
    checkpoint_path = run_checkpoint(run_dir)
    if checkpoint_path is None:
        raise CheckpointError(
            f"Run {run_dir.name} has no checkpoints/best.pt or last.pt yet: "
            "wait for its first epoch to finish, or pick another run."
        )
    checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
    config = dict(json.loads((run_dir / "config.json").read_text(encoding="utf-8")))
    config.update(checkpoint.get("config") or {})
    classes = _run_classes(run_dir, checkpoint, config)
    module = _build_preset(config.get("preset"), len(classes))
    try:
        module.load_state_dict(checkpoint["model"])
    except (KeyError, RuntimeError) as error:
        raise CheckpointError(
            f"{checkpoint_path} does not fit preset {config.get('preset')!r}: {error}"
        ) from None
    preprocess = _run_preprocess(config)
    title = f"run {run_dir.name}: {config.get('preset')} ({checkpoint_path.name})"
    return ExplainModel(prepare(module), classes, preprocess, title,
                        dataset=config.get("dataset"))


def _build_preset(preset_name: str | None, num_classes: int):
    from core import models

    if preset_name not in models.PRESETS:
        raise CheckpointError(
            f"The run's preset {preset_name!r} is unknown; known: {', '.join(models.PRESETS)}."
        )
    return models.build_model(preset_name, num_classes=num_classes, pretrained=False)


def _run_classes(run_dir: Path, checkpoint: dict, config: dict) -> tuple[str, ...]:
    for source in (checkpoint, config):
        if source.get("classes"):
            return tuple(source["classes"])
    events = run_dir / "events.jsonl"
    if events.is_file():
        for line in events.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("kind") == "start":
                names = event.get("classes") or event.get("class_names")
                if names:
                    return tuple(names)
    if config.get("dataset") == "cifar10":
        return CIFAR10_CLASSES
    raise CheckpointError(
        f"Run {run_dir.name} does not record its class names (no `classes` in the checkpoint, "
        "config or start event)."
    )


def _run_preprocess(config: dict) -> Preprocess:
    size = int(config.get("resize") or DATASET_IMAGE_SIZE)
    normalize = config.get("normalize")
    if not normalize:
        return Preprocess(size)
    try:
        mean, std = normalize
        return Preprocess(size, 1.0, tuple(map(float, mean)), tuple(map(float, std)))
    except (TypeError, ValueError):
        raise CheckpointError(
            f"The run's normalisation {normalize!r} is not [mean3, std3]; cannot prepare images."
        ) from None
