"""Checkpoints that let a run continue exactly where it stopped: weights, optimizer, RNG state."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.paths import atomic_path

LAST = "last.pt"  # written after every epoch
BEST = "best.pt"  # written when the selection metric improves


def rng_state() -> dict[str, Any]:
    """Every random generator a training step may draw from (dropout, shuffles, init)."""
    state = {
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(),
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what `rng_state` captured."""
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save(path: Path, payload: dict[str, Any]) -> None:
    """torch.save atomically: a crash mid-write leaves the previous checkpoint intact."""
    with atomic_path(path) as temporary:
        torch.save(payload, temporary)


def load(path: Path) -> dict[str, Any]:
    """A checkpoint written by `save` (our own file, so full unpickling is allowed)."""
    return torch.load(path, map_location="cpu", weights_only=False)
