"""The state of one training run: data splits, model, optimizer, loaders and checkpoints.

`core.training.fit.fit` drives it; this module assembles it from a TrainConfig and saves or restores
everything an exact resume needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from core.data.datasets import Dataset, ImageSplit, load_dataset
from core.models.architecture import arch_record, from_config, verify_record
from core.training import checkpoint
from core.training.config import TrainConfig, TrainConfigError
from core.training.setup import (
    make_optimizer,
    make_schedule,
    model_memory_format,
    resolve_device,
)


@dataclass
class Splits:
    """The images a run trains, validates and tests on."""

    dataset: Dataset
    train: ImageSplit
    val: ImageSplit | None
    test: ImageSplit


def load_splits(config: TrainConfig) -> Splits:
    """Load the dataset and hold out a seeded validation split from the training images."""
    dataset = load_dataset(
        config.dataset, config.data_dir, train_size=config.train_size, test_size=config.test_size
    )
    train, val = dataset.train, None
    if config.val_split > 0:
        order = np.random.default_rng(config.seed).permutation(len(train))
        n_val = max(1, round(len(train) * config.val_split))
        if n_val >= len(train):
            raise TrainConfigError(
                f"A validation split of {config.val_split} leaves no training images."
            )
        val_index, train_index = np.sort(order[:n_val]), np.sort(order[n_val:])
        val = ImageSplit(train.images[val_index], train.labels[val_index])
        train = ImageSplit(train.images[train_index], train.labels[train_index])
    return Splits(dataset, train, val, dataset.test)


class TrainState:
    """The mutable state of one fit: model, optimizer, loaders and progress counters."""

    def __init__(self, config: TrainConfig, run_dir: Path | None):
        from core.data.pipeline import Augment, make_loader

        self.config = config
        self.run_dir = run_dir
        self.device = resolve_device(config.device)
        torch.manual_seed(config.seed)
        np.random.seed(config.seed % 2**32)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        self.splits = load_splits(config)
        classes = len(self.splits.dataset.classes)
        self.architecture = from_config(config.to_dict(), run_dir)
        self.arch_record = arch_record(config.to_dict(), run_dir)  # what checkpoints prove
        self.model = self.architecture.build(
            classes,
            pretrained=True,
            weights_file=config.weights_file,
            freeze_bn=config.freeze_bn,
        ).to(self.device, memory_format=model_memory_format(self.device))
        common = dict(
            batch_size=config.batch_size,
            normalize=config.normalize,
            device=self.device,
            seed=config.seed,
            resize=config.resize,
        )
        plain = Augment()  # evaluation sees the images as they are
        self.train_loader = make_loader(
            config.pipeline,
            self.splits.train,
            augment=config.augment_spec(),
            shuffle=True,
            **common,
        )
        self.val_loader = None
        if self.splits.val is not None:
            self.val_loader = make_loader(
                config.pipeline, self.splits.val, augment=plain, shuffle=False, **common
            )
        self.test_loader = make_loader(
            config.pipeline, self.splits.test, augment=plain, shuffle=False, **common
        )
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = make_optimizer(config, self.model, self.device)
        self.steps_per_epoch = len(self.train_loader)
        self.schedule = make_schedule(config, self.optimizer, self.steps_per_epoch * config.epochs)
        self.epoch = 0  # last finished epoch
        self.global_step = 0  # optimizer steps taken
        self.best = -math.inf  # best selection metric so far
        self.bad_epochs = 0  # epochs since the validation loss last improved
        self.best_val_loss = math.inf
        self.history: list[dict[str, Any]] = []  # epoch events so far
        self.partial: dict[str, Any] | None = None  # progress of an epoch stopped mid-way
        self.partial_step = 0  # step of the last mid-epoch stop (for messages)
        self.saved_rng: dict[str, Any] | None = None  # RNG state to apply when training resumes

    def checkpoint_dir(self) -> Path | None:
        return self.run_dir / "checkpoints" if self.run_dir else None

    def restore(self) -> bool:
        """Continue from checkpoints/last.pt when there is one; True when resumed. An unsafe
        last.pt raises UnsafeCheckpointError (nothing in it runs)."""
        folder = self.checkpoint_dir()
        if folder is None or not (folder / checkpoint.LAST).is_file():
            return False
        payload = checkpoint.load(folder / checkpoint.LAST)
        verify_record(payload.get("architecture"), self.config.to_dict(), self.run_dir)
        self.model.load_state_dict(payload["model"])
        self.optimizer.load_state_dict(payload["optimizer"])
        self.schedule.load_state_dict(payload["schedule"])
        self.epoch = payload["epoch"]
        self.global_step = payload["global_step"]
        self.best = payload["best"]
        self.best_val_loss = payload["best_val_loss"]
        self.bad_epochs = payload["bad_epochs"]
        self.history = payload["history"]
        self.partial = payload.get("partial")
        self.saved_rng = payload["rng"]
        return True

    def take_partial(self, epoch: int) -> dict[str, Any] | None:
        """The saved progress of `epoch` if it was stopped mid-way (consumed once)."""
        partial, self.partial = self.partial, None
        return partial if partial and partial["epoch"] == epoch else None

    def apply_saved_rng(self) -> None:
        """Put the random generators where the checkpoint left them (once, when training
        resumes), so dropout and augmentation draw exactly what an uninterrupted run would."""
        if self.saved_rng is not None:
            checkpoint.set_rng_state(self.saved_rng)
            self.saved_rng = None

    def save_partial(self, progress: dict[str, Any]) -> None:
        """Checkpoint in the middle of an epoch (on a stop request) as last.pt."""
        self.partial_step = progress["step"]
        folder = self.checkpoint_dir()
        if folder is not None:
            checkpoint.save(folder / checkpoint.LAST, {**self._payload(), "partial": progress})

    def save(self, improved: bool) -> list[str]:
        """Checkpoint after a finished epoch: last.pt, and best.pt when `improved`."""
        folder = self.checkpoint_dir()
        if folder is None:
            return []
        payload = self._payload()
        checkpoint.save(folder / checkpoint.LAST, payload)
        written = [checkpoint.LAST]
        if improved:
            checkpoint.save(folder / checkpoint.BEST, payload)
            written.append(checkpoint.BEST)
        return written

    def _payload(self) -> dict[str, Any]:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "epoch": self.epoch,
            "global_step": self.global_step,
            "best": self.best,
            "best_val_loss": self.best_val_loss,
            "bad_epochs": self.bad_epochs,
            "history": self.history,
            "config": self.config.to_dict(),
            "architecture": self.arch_record,
            "classes": list(self.splits.dataset.classes),
            "rng": checkpoint.rng_state(),
            "partial": None,
        }

    def start_event(self) -> dict[str, Any]:
        """The `start` event: device, versions, data sizes, classes, where training resumes."""
        splits, device = self.splits, self.device
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
        params = sum(p.numel() for p in self.model.parameters())
        trainable = sum(p.numel() for p in self.model.parameters() if p.requires_grad)
        return {
            "kind": "start",
            "device": str(device),
            "device_name": name,
            "torch": torch.__version__,
            "preset": self.config.model_name,
            "architecture": self.architecture.name,
            "dataset": splits.dataset.name,
            "dataset_title": splits.dataset.title,
            "synthetic": splits.dataset.synthetic,
            "classes": list(splits.dataset.classes),
            "train_size": len(splits.train),
            "val_size": len(splits.val) if splits.val else 0,
            "test_size": len(splits.test),
            "epochs": self.config.epochs,
            "steps_per_epoch": self.steps_per_epoch,
            "parameters": params,
            "trainable_parameters": trainable,
            "resumed_from_epoch": self.epoch,
            "resumed_from_step": self.partial["step"] if self.partial else 0,
        }
