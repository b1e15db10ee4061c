"""Training as a generator of events: `fit(config)` yields what the worker appends to events.jsonl.

Event kinds (DESIGN.md §3; the writer adds `seq` and `time`): `start`, `step` (throttled to a
few per second; `step` counts within the epoch, `global_step` across epochs), `eval` (every
`eval_every` steps; `step` = global step), `epoch` (`step` = global step), `checkpoint`,
`system` and `end`. Losses stay on the device between step events, so the fast path makes no
per-step host round trip.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from core import checkpoint
from core.datasets import Dataset, ImageSplit, load_dataset
from core.models import build_model
from core.runs import epoch_events, read_events
from core.train_config import TrainConfig, TrainConfigError
from core.train_setup import make_optimizer, make_schedule, resolve_device

STEP_EVENT_SECONDS = 0.25  # at most ~4 step events per second


class NonFiniteLoss(Exception):
    """The loss became NaN or infinite: training cannot recover by itself."""


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
            raise TrainConfigError(f"A validation split of {config.val_split} leaves no training images.")
        val_index, train_index = np.sort(order[:n_val]), np.sort(order[n_val:])
        val = ImageSplit(train.images[val_index], train.labels[val_index])
        train = ImageSplit(train.images[train_index], train.labels[train_index])
    return Splits(dataset, train, val, dataset.test)


def evaluate(model: nn.Module, loader, criterion) -> tuple[float, float]:
    """Mean loss and accuracy (fraction) of `model` over `loader`, in eval mode."""
    model.eval()
    device = next(model.parameters()).device
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    count = 0
    with torch.inference_mode():
        for images, labels in loader:  # (B, 3, H, W), (B,)
            logits = model(images)  # (B, classes)
            loss_sum += criterion(logits, labels) * len(labels)
            correct += (logits.argmax(1) == labels).sum()
            count += len(labels)
    return loss_sum.item() / max(count, 1), correct.item() / max(count, 1)


class _Run:
    """The mutable state of one fit: model, optimizer, loaders and progress counters."""

    def __init__(self, config: TrainConfig, run_dir: Path | None):
        from core.pipeline import Augment, make_loader

        self.config = config
        self.run_dir = run_dir
        self.device = resolve_device(config.device)
        torch.manual_seed(config.seed)
        np.random.seed(config.seed % 2**32)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        self.splits = load_splits(config)
        classes = len(self.splits.dataset.classes)
        self.model = build_model(
            config.preset, num_classes=classes, weights_file=config.weights_file
        ).to(self.device)
        common = dict(
            batch_size=config.batch_size, normalize=config.normalize, device=self.device,
            seed=config.seed, resize=config.resize,
        )
        plain = Augment()  # evaluation sees the images as they are
        self.train_loader = make_loader(
            config.pipeline, self.splits.train, augment=config.augment_spec(), shuffle=True, **common
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

    def checkpoint_dir(self) -> Path | None:
        return self.run_dir / "checkpoints" if self.run_dir else None

    def restore(self) -> bool:
        """Continue from checkpoints/last.pt when there is one; True when resumed."""
        folder = self.checkpoint_dir()
        if folder is None or not (folder / checkpoint.LAST).is_file():
            return False
        payload = checkpoint.load(folder / checkpoint.LAST)
        self.model.load_state_dict(payload["model"])
        self.optimizer.load_state_dict(payload["optimizer"])
        self.schedule.load_state_dict(payload["schedule"])
        self.epoch = payload["epoch"]
        self.global_step = payload["global_step"]
        self.best = payload["best"]
        self.best_val_loss = payload["best_val_loss"]
        self.bad_epochs = payload["bad_epochs"]
        self.history = payload["history"]
        checkpoint.set_rng_state(payload["rng"])
        return True

    def save(self, improved: bool) -> list[str]:
        folder = self.checkpoint_dir()
        if folder is None:
            return []
        payload = {
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
            "classes": list(self.splits.dataset.classes),
            "rng": checkpoint.rng_state(),
        }
        checkpoint.save(folder / checkpoint.LAST, payload)
        written = [checkpoint.LAST]
        if improved:
            checkpoint.save(folder / checkpoint.BEST, payload)
            written.append(checkpoint.BEST)
        return written

    def start_event(self, resumed_from: int) -> dict[str, Any]:
        splits, device = self.splits, self.device
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
        params = sum(p.numel() for p in self.model.parameters())
        trainable = sum(p.numel() for p in self.model.parameters() if p.requires_grad)
        return {
            "kind": "start", "device": str(device), "device_name": name,
            "torch": torch.__version__, "preset": self.config.preset,
            "dataset": splits.dataset.name, "dataset_title": splits.dataset.title,
            "synthetic": splits.dataset.synthetic, "classes": list(splits.dataset.classes),
            "train_size": len(splits.train), "val_size": len(splits.val) if splits.val else 0,
            "test_size": len(splits.test), "epochs": self.config.epochs,
            "steps_per_epoch": self.steps_per_epoch, "parameters": params,
            "trainable_parameters": trainable, "resumed_from_epoch": resumed_from,
        }


def _lr(run: _Run) -> float:
    return float(run.optimizer.param_groups[0]["lr"])


def _check_finite(value: float, where: str) -> float:
    if not math.isfinite(value):
        raise NonFiniteLoss(
            f"The loss became {value} {where}. Lower the learning rate (--lr) or add "
            "normalisation, then start a new run."
        )
    return value


def _train_epoch(run: _Run, epoch: int, stop: Callable[[], bool]) -> Iterator[dict[str, Any]]:
    """One pass over the training split; yields step/eval events, returns (loss, acc) or None
    when stopped."""
    model, device = run.model, run.device
    run.train_loader.set_epoch(epoch)
    model.train()
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    window = torch.zeros((), device=device)  # loss summed since the last step event
    window_steps = window_images = count = 0
    last_time = time.perf_counter()
    for step, (images, labels) in enumerate(run.train_loader, start=1):  # (B,3,H,W), (B,)
        if stop():
            return None
        logits = model(images)  # (B, classes)
        loss = run.criterion(logits, labels)
        run.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        run.optimizer.step()
        run.schedule.step()
        run.global_step += 1
        detached = loss.detach()
        loss_sum += detached * len(labels)
        window += detached
        correct += (logits.detach().argmax(1) == labels).sum()
        count += len(labels)
        window_steps += 1
        window_images += len(labels)
        now = time.perf_counter()
        if now - last_time >= STEP_EVENT_SECONDS or step == run.steps_per_epoch:
            mean = _check_finite(window.item() / window_steps, f"at epoch {epoch}, step {step}")
            yield {
                "kind": "step", "epoch": epoch, "step": step,
                "steps_per_epoch": run.steps_per_epoch, "global_step": run.global_step,
                "loss": mean, "lr": _lr(run), "images_per_s": window_images / (now - last_time),
            }
            window.zero_()
            window_steps = window_images = 0
            last_time = now
        if run.config.eval_every and run.global_step % run.config.eval_every == 0:
            yield _eval_event(run, epoch)
            model.train()
    train_loss = _check_finite(loss_sum.item() / max(count, 1), f"in epoch {epoch}")
    return train_loss, correct.item() / max(count, 1)


def _eval_event(run: _Run, epoch: int) -> dict[str, Any]:
    split, loader = ("val", run.val_loader) if run.val_loader else ("test", run.test_loader)
    loss, acc = evaluate(run.model, loader, run.criterion)
    return {
        "kind": "eval", "epoch": epoch, "step": run.global_step, "split": split,
        f"{split}_loss": loss, f"{split}_acc": acc,
    }


def _system_event(run: _Run) -> dict[str, Any] | None:
    if run.device.type != "cuda":
        return None
    event = {
        "kind": "system",
        "gpu_memory_mb": torch.cuda.memory_allocated(run.device) / 2**20,
        "gpu_max_memory_mb": torch.cuda.max_memory_allocated(run.device) / 2**20,
    }
    try:
        event["gpu_utilization"] = torch.cuda.utilization(run.device)
    except Exception:  # needs pynvml, which is optional
        pass
    return event


def fit(
    config: TrainConfig,
    run_dir: Path | str | None = None,
    resume: bool = True,
    stop: Callable[[], bool] | None = None,
) -> Iterator[dict[str, Any]]:
    """Train `config`, yielding events; with `run_dir`, checkpoint there and (when `resume`)
    continue from its last checkpoint. `stop()` is polled every step. Ends with an `end`
    event (finished, stopped, or failed on a non-finite loss); other errors propagate."""
    config.validate()
    run = _Run(config, Path(run_dir) if run_dir else None)
    resumed = resume and run.restore()
    yield run.start_event(run.epoch if resumed else 0)
    if resumed:
        logged = {event["epoch"] for event in epoch_events(read_events(run.run_dir))}
        yield from (event for event in run.history if event["epoch"] not in logged)
    stop = stop or (lambda: False)
    try:
        for epoch in range(run.epoch + 1, config.epochs + 1):
            started = time.perf_counter()
            result = yield from _train_epoch(run, epoch, stop)
            if result is None:
                yield _stopped(run, epoch)
                return
            event = _finish_epoch(run, epoch, result, time.perf_counter() - started)
            improved = _update_selection(run, event)
            written = run.save(improved)
            yield event
            if written:
                yield {"kind": "checkpoint", "epoch": epoch, "files": written}
            system = _system_event(run)
            if system:
                yield system
            if config.early_stop and run.bad_epochs >= config.early_stop:
                yield {"kind": "end", "status": "finished", "message": (
                    f"Early stop after epoch {epoch}: the validation loss has not improved "
                    f"for {run.bad_epochs} epochs.")}
                return
    except NonFiniteLoss as error:
        yield {"kind": "end", "status": "failed", "message": str(error)}
        return
    yield {"kind": "end", "status": "finished", "message": f"Trained {config.epochs} epochs."}


def _finish_epoch(run: _Run, epoch: int, result: tuple[float, float], seconds: float) -> dict:
    train_loss, train_acc = result
    val_loss = val_acc = None
    if run.val_loader is not None:
        val_loss, val_acc = evaluate(run.model, run.val_loader, run.criterion)
    test_loss, test_acc = evaluate(run.model, run.test_loader, run.criterion)
    run.epoch = epoch
    return {
        "kind": "epoch", "epoch": epoch, "step": run.global_step,
        "train_loss": train_loss, "train_acc": train_acc, "val_loss": val_loss,
        "val_acc": val_acc, "test_loss": test_loss, "test_acc": test_acc,
        "lr": _lr(run), "seconds": seconds,
        "images_per_s": len(run.splits.train) / max(seconds, 1e-9),
    }


def _update_selection(run: _Run, event: dict[str, Any]) -> bool:
    """Track best-by-validation (test accuracy when there is no validation split) and early
    stopping; returns whether this epoch is the best so far."""
    metric = event["val_acc"] if event["val_acc"] is not None else event["test_acc"]
    improved = metric > run.best
    run.best = max(run.best, metric)
    if event["val_loss"] is not None:
        if event["val_loss"] < run.best_val_loss:
            run.best_val_loss, run.bad_epochs = event["val_loss"], 0
        else:
            run.bad_epochs += 1
    run.history.append(event)
    return improved


def _stopped(run: _Run, epoch: int) -> dict[str, Any]:
    kept = f"the last checkpoint is epoch {run.epoch}" if run.epoch else "no epoch had finished"
    return {
        "kind": "end", "status": "stopped",
        "message": f"Stopped during epoch {epoch}; {kept}. `cnn-tui runs resume` repeats epoch {epoch}.",
    }
