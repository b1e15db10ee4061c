"""Training as a generator of events: `fit(config)` yields what the worker appends to events.jsonl.

Event kinds (DESIGN.md §3; the writer adds `seq` and `time`): `start`, `step` (throttled to a
few per second; `step` counts within the epoch, `global_step` across epochs), `eval` (every
`eval_every` steps; `step` = global step), `epoch` (`step` = global step; with the test split's
`per_class_acc` and `confusion` matrix, rows = true class), `checkpoint`,
`system` and `end`. Losses stay on the device between step events, so the fast path makes no
per-step host round trip.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core.runs.events import EventTail
from core.training.config import TrainConfig
from core.training.state import TrainState
from core.training.step import EpochMeter, train_step

STEP_EVENT_SECONDS = 0.25  # at most ~4 step events per second


class NonFiniteLoss(Exception):
    """The loss became NaN or infinite: training cannot recover by itself."""


def evaluate(model: nn.Module, loader, criterion) -> tuple[float, float]:
    """Mean loss and accuracy (fraction) of `model` over `loader`, in eval mode."""
    loss, acc, _ = evaluate_split(model, loader, criterion)
    return loss, acc


def evaluate_split(
    model: nn.Module, loader, criterion, num_classes: int = 0
) -> tuple[float, float, list[list[int]] | None]:
    """Mean loss, accuracy and (with `num_classes`) the confusion matrix of `model` over
    `loader` in eval mode: rows are true classes, columns predictions. Everything accumulates
    on the device (the matrix as a bincount of true * C + predicted): one host sync at the end."""
    model.eval()
    device = next(model.parameters()).device
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    cells = torch.zeros(num_classes * num_classes, device=device, dtype=torch.long)
    count = 0
    with torch.inference_mode():
        for images, labels in loader:  # (B, 3, H, W), (B,)
            logits = model(images)  # (B, classes)
            predicted = logits.argmax(1)  # (B,)
            loss_sum += criterion(logits, labels) * len(labels)
            correct += (predicted == labels).sum()
            if num_classes:
                cells += torch.bincount(
                    labels * num_classes + predicted, minlength=num_classes * num_classes
                )
            count += len(labels)
    confusion = cells.view(num_classes, num_classes).tolist() if num_classes else None
    return loss_sum.item() / max(count, 1), correct.item() / max(count, 1), confusion


def per_class_accuracy(confusion: list[list[int]]) -> list[float | None]:
    """Each class's accuracy (diagonal over row sum) from a confusion matrix; None for a class
    with no example in the split."""
    return [row[index] / sum(row) if sum(row) else None for index, row in enumerate(confusion)]


def _lr(run: TrainState) -> float:
    return float(run.optimizer.param_groups[0]["lr"])


def _check_finite(value: float, where: str) -> float:
    if not math.isfinite(value):
        raise NonFiniteLoss(
            f"The loss became {value} {where}. Lower the learning rate (--lr) or add "
            "normalisation, then start a new run."
        )
    return value


def train_epoch(run: TrainState, epoch: int, stop: Callable[[], bool]) -> Iterator[dict[str, Any]]:
    """One pass over the training split (continuing a stopped one where it left off); yields
    step/eval events, returns (loss, acc, seconds), or None after a stop mid-epoch."""
    run.train_loader.set_epoch(epoch)
    done = run.take_partial(epoch) or {
        "step": 0,
        "loss_sum": 0.0,
        "correct": 0,
        "count": 0,
        "seconds": 0.0,
    }
    meter = EpochMeter(run.device, done["loss_sum"], done["correct"], done["count"])
    batches = iter(run.train_loader)
    for _ in range(done["step"]):
        next(batches)  # same batches as before the stop; their updates are in the checkpoint
    run.apply_saved_rng()
    run.model.train()
    started = last_time = time.perf_counter()
    for step, (images, labels) in enumerate(batches, start=done["step"] + 1):  # (B,3,H,W), (B,)
        train_step(run, images, labels, meter)
        now = time.perf_counter()
        if now - last_time >= STEP_EVENT_SECONDS or step == run.steps_per_epoch:
            mean, images_seen = meter.take_window()
            yield {
                "kind": "step",
                "epoch": epoch,
                "step": step,
                "steps_per_epoch": run.steps_per_epoch,
                "global_step": run.global_step,
                "loss": _check_finite(mean, f"at epoch {epoch}, step {step}"),
                "lr": _lr(run),
                "images_per_s": images_seen / (now - last_time),
            }
            last_time = now
        if run.config.eval_every and run.global_step % run.config.eval_every == 0:
            yield _eval_event(run, epoch)
            run.model.train()
        if step < run.steps_per_epoch and stop():
            run.save_partial(
                {
                    "epoch": epoch,
                    "step": step,
                    "loss_sum": meter.loss_sum.item(),
                    "correct": meter.correct.item(),
                    "count": meter.count,
                    "seconds": done["seconds"] + time.perf_counter() - started,
                }
            )
            return None
    count = max(meter.count, 1)
    train_loss = _check_finite(meter.loss_sum.item() / count, f"in epoch {epoch}")
    seconds = done["seconds"] + time.perf_counter() - started
    return train_loss, meter.correct.item() / count, seconds


def _eval_event(run: TrainState, epoch: int) -> dict[str, Any]:
    split, loader = ("val", run.val_loader) if run.val_loader else ("test", run.test_loader)
    loss, acc = evaluate(run.model, loader, run.criterion)
    return {
        "kind": "eval",
        "epoch": epoch,
        "step": run.global_step,
        "split": split,
        f"{split}_loss": loss,
        f"{split}_acc": acc,
    }


def _system_event(run: TrainState) -> dict[str, Any] | None:
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
    run = TrainState(config, Path(run_dir) if run_dir else None)
    resumed = resume and run.restore()
    yield run.start_event()
    if resumed and run_dir is not None:
        log = EventTail(Path(run_dir) / "events.jsonl").follow()  # streamed, never held whole
        logged = {event["epoch"] for event in log if event["kind"] == "epoch"}
        yield from (event for event in run.history if event["epoch"] not in logged)
    stop = stop or (lambda: False)
    if _early_stop(run):  # the worker died between deciding to stop early and saying so
        yield _early_stop(run)
        return
    try:
        for epoch in range(run.epoch + 1, config.epochs + 1):
            if stop():
                yield _stopped(run, None)
                return
            result = yield from train_epoch(run, epoch, stop)
            if result is None:
                yield _stopped(run, epoch)
                return
            event = _finish_epoch(run, epoch, result)
            improved = _update_selection(run, event)
            written = run.save(improved)
            yield event
            if written:
                yield {"kind": "checkpoint", "epoch": epoch, "files": written}
            system = _system_event(run)
            if system:
                yield system
            if _early_stop(run):
                yield _early_stop(run)
                return
    except NonFiniteLoss as error:
        yield {"kind": "end", "status": "failed", "message": str(error)}
        return
    yield {"kind": "end", "status": "finished", "message": f"Trained {config.epochs} epochs."}


def _finish_epoch(run: TrainState, epoch: int, result: tuple[float, float, float]) -> dict:
    train_loss, train_acc, seconds = result
    val_loss = val_acc = None
    if run.val_loader is not None:
        val_loss, val_acc = evaluate(run.model, run.val_loader, run.criterion)
    classes = len(run.splits.dataset.classes)
    test_loss, test_acc, confusion = evaluate_split(
        run.model, run.test_loader, run.criterion, classes
    )
    run.epoch = epoch
    return {
        "kind": "epoch",
        "epoch": epoch,
        "step": run.global_step,
        "train_loss": train_loss,
        "train_acc": train_acc,
        "val_loss": val_loss,
        "val_acc": val_acc,
        "test_loss": test_loss,
        "test_acc": test_acc,
        "lr": _lr(run),
        "seconds": seconds,
        "images_per_s": len(run.splits.train) / max(seconds, 1e-9),
        "per_class_split": "test",
        "per_class_acc": per_class_accuracy(confusion),
        "confusion": confusion,
    }


def _update_selection(run: TrainState, event: dict[str, Any]) -> bool:
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


def _early_stop(run: TrainState) -> dict[str, Any] | None:
    """The `end` event of early stopping, when the patience has run out."""
    patience = run.config.early_stop
    if not patience or run.bad_epochs < patience:
        return None
    return {
        "kind": "end",
        "status": "finished",
        "message": (
            f"Early stop after epoch {run.epoch}: the validation loss has not improved for "
            f"{run.bad_epochs} epochs."
        ),
    }


def _stopped(run: TrainState, epoch: int | None) -> dict[str, Any]:
    """The `end` event of a stop: mid-epoch (a checkpoint at that step) or between epochs."""
    if epoch is not None:
        where = f"at step {run.partial_step}/{run.steps_per_epoch} of epoch {epoch}"
    elif run.epoch:
        where = f"after epoch {run.epoch}"
    else:
        where = "before the first step"
    saved = "; the checkpoint is saved there" if run.run_dir else ""
    return {
        "kind": "end",
        "status": "stopped",
        "message": f"Stopped {where}{saved}. `cnn-tui runs resume` continues from it.",
    }
