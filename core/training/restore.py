"""A training run's own network, rebuilt from its config and checkpoint and ready to explain.

Shared by Explain and the Scratch lab: the one place that turns a run folder back into a
network (`run_checkpoint` picks the file, `load_run_model` builds and loads it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from core.data.datasets import CIFAR10_CLASSES
from core.data.images import Preprocess
from core.models.architecture import from_config, verify_record
from core.models.loaded import LoadedModel, prepare
from core.training.checkpoint import CheckpointError, UnsafeCheckpointError

__all__ = ["CheckpointError", "UnsafeCheckpointError", "load_run_model", "run_checkpoint"]

DATASET_IMAGE_SIZE = 32
"""Side of CIFAR-10 / Shapes-10 images: a run's input size unless it trained with `resize`."""


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


def read_run_config(run_dir: Path) -> dict:
    """A run's config.json as a dict; a damaged one raises CheckpointError saying so."""
    path = run_dir / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CheckpointError(
            f"{path} is not readable JSON ({error}); this run cannot be rebuilt. Pick another run."
        ) from None
    if not isinstance(config, dict):
        raise CheckpointError(
            f"{path} holds a {type(config).__name__}, not a run's settings; this run cannot be "
            "rebuilt. Pick another run."
        )
    return config


def run_checkpoint(run_dir: Path) -> Path | None:
    """The checkpoint a run's network is loaded from: checkpoints/best.pt, else last.pt."""
    for name in ("best.pt", "last.pt"):
        path = run_dir / "checkpoints" / name
        if path.is_file():
            return path
    return None


def load_run_model(ref: str, runs_dir: str | os.PathLike[str]) -> LoadedModel:
    """The trained network of a run (`run_checkpoint`), read with `weights_only=True`: a
    checkpoint holding anything but tensors and plain values raises UnsafeCheckpointError."""
    from core.training import checkpoint as checkpoints

    run_dir = resolve_run_dir(ref, runs_dir)
    checkpoint_path = run_checkpoint(run_dir)
    if checkpoint_path is None:
        raise CheckpointError(
            f"Run {run_dir.name} has no checkpoints/best.pt or last.pt yet: "
            "wait for its first epoch to finish, or pick another run."
        )
    checkpoint = checkpoints.load(checkpoint_path)
    config = read_run_config(run_dir)
    saved = checkpoint.get("config") or {}
    config.update(saved if isinstance(saved, dict) else {})
    classes = _run_classes(run_dir, checkpoint, config)
    architecture = from_config(config, run_dir)
    verify_record(checkpoint.get("architecture"), config, run_dir)
    module = architecture.build(len(classes))
    try:
        module.load_state_dict(checkpoint["model"])
    except (KeyError, RuntimeError) as error:
        raise CheckpointError(
            f"{checkpoint_path} does not fit architecture {architecture.name!r}: {error}"
        ) from None
    preprocess = _run_preprocess(config)
    title = f"run {run_dir.name}: {architecture.name} ({checkpoint_path.name})"
    return LoadedModel(prepare(module), classes, preprocess, title, dataset=config.get("dataset"))


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
