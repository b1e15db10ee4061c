"""Shared fixtures for the explain tests: tiny seeded models and a run with a checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.models.zoo import build_model

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def small_cnn(seed: int) -> nn.Sequential:
    """A seeded conv net: features (indices 0-4) then a linear head, for formula checks."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(6 * 4 * 4, 5),
    ).eval()


def make_run(
    runs_dir: Path,
    preset: str = "lenet5",
    seed: int = 0,
    name: str = "demo",
    dataset: str = "cifar10",
    classes: tuple[str, ...] = CLASSES,
) -> Path:
    """A run directory with config.json and checkpoints/best.pt as the engine writes them."""
    torch.manual_seed(seed)
    model = build_model(preset, num_classes=10, pretrained=False)
    config = {"preset": preset, "dataset": dataset, "normalize": [CIFAR_MEAN, CIFAR_STD]}
    run_dir = runs_dir / name
    (run_dir / "checkpoints").mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps(config))
    torch.save(
        {"model": model.state_dict(), "config": config, "classes": list(classes)},
        run_dir / "checkpoints" / "best.pt",
    )
    return run_dir


def random_image(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A seeded RGB uint8 (H, W, 3) test image."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
