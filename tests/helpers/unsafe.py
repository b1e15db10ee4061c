"""Booby-trapped files: pickles whose unpickling would create a marker file."""

from __future__ import annotations

import pickle
from pathlib import Path

import torch


class CreatesFile:
    """Unpickling this calls open(path, "w"), which creates `path`: proof that code ran."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def plant_checkpoints(run_dir: Path, marker: Path) -> None:
    """best.pt in torch's zip format and last.pt as a bare pickle, both booby-trapped."""
    folder = run_dir / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"model": CreatesFile(marker), "epoch": 1}, folder / "best.pt")
    with open(folder / "last.pt", "wb") as stream:
        pickle.dump({"model": CreatesFile(marker), "epoch": 1}, stream, protocol=2)


def plant_cifar(data_dir: Path, marker: Path) -> Path:
    """A cifar-10-batches-py folder whose every batch file is a booby-trapped pickle."""
    folder = data_dir / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("batches.meta", *(f"data_batch_{i}" for i in range(1, 6)), "test_batch"):
        with open(folder / name, "wb") as stream:
            pickle.dump({"data": CreatesFile(marker), "labels": [0]}, stream, protocol=2)
    return folder
