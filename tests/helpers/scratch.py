"""Shared fixtures of the Scratch lab tests: a run folder with a lenet checkpoint."""

from __future__ import annotations

import json

import torch

from core.arch.spec import build_module
from core.data.datasets import load_dataset
from core.models.zoo import PRESETS

MEAN, STD = (0.5, 0.4, 0.3), (0.25, 0.2, 0.3)
TEST_SIZE = 40


def write_run(runs_dir, name="20260101-000000-lenet", preset="lenet-8-16", seed=7):
    """A run folder as the trainer leaves it: config, start event, checkpoints/best.pt."""
    run_dir = runs_dir / name
    (run_dir / "checkpoints").mkdir(parents=True)
    config = {
        "preset": preset,
        "dataset": "shapes",
        "normalize": [list(MEAN), list(STD)],
        "test_size": TEST_SIZE,
        "epochs": 1,
    }
    (run_dir / "config.json").write_text(json.dumps(config))
    start = {
        "seq": 0,
        "time": 0.0,
        "kind": "start",
        "classes": list(load_dataset("shapes", train_size=1, test_size=1).classes),
    }
    (run_dir / "events.jsonl").write_text(json.dumps(start) + "\n")
    torch.manual_seed(seed)
    model = build_module(PRESETS[preset].layers())
    torch.save({"model": model.state_dict(), "config": config}, run_dir / "checkpoints" / "best.pt")
    return run_dir, model
