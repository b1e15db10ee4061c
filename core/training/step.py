"""One optimisation step and its on-device bookkeeping: the code every training step runs.

`core.training.fit` calls `train_step` for each batch of an epoch and `bench/train_speed.py` times
the same function, so the benchmarked step is the one users get. The epoch's loss and accuracy
sums stay on the device (`EpochMeter`): a step issues no host synchronisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

if TYPE_CHECKING:
    from core.training.state import TrainState


class EpochMeter:
    """Running sums of one epoch on the device, plus the window since the last step event."""

    def __init__(
        self, device: torch.device, loss_sum: float = 0.0, correct: int = 0, count: int = 0
    ) -> None:
        self.loss_sum = torch.tensor(loss_sum, device=device)  # float32 sum of loss × images
        self.correct = torch.tensor(correct, device=device, dtype=torch.long)  # right answers
        self.count = count  # images seen this epoch
        self.window = torch.zeros((), device=device)  # loss summed since the last step event
        self.window_steps = 0  # steps since the last step event
        self.window_images = 0  # images since the last step event

    def add(self, loss: Tensor, logits: Tensor, labels: Tensor) -> None:
        """Count one step's detached mean loss () and logits (B, classes) for labels (B,)."""
        batch = len(labels)
        self.loss_sum.add_(loss, alpha=batch)
        self.window.add_(loss)
        self.correct.add_((logits.argmax(1) == labels).sum())
        self.count += batch
        self.window_steps += 1
        self.window_images += batch

    def take_window(self) -> tuple[float, int]:
        """(mean loss, images) since the last call — one host sync — and start a new window."""
        mean = self.window.item() / max(self.window_steps, 1)
        images = self.window_images
        self.window.zero_()
        self.window_steps = self.window_images = 0
        return mean, images


def train_step(run: TrainState, images: Tensor, labels: Tensor, meter: EpochMeter) -> None:
    """Forward, backward, update and LR schedule on one batch (B, 3, H, W), (B,) of `run`;
    counts it in `meter`."""
    logits = run.model(images)  # (B, classes)
    loss = run.criterion(logits, labels)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    run.optimizer.step()
    run.schedule.step()
    run.global_step += 1
    meter.add(loss.detach(), logits.detach(), labels)
