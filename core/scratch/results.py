"""The results of exercise A5's checks, as plain dataclasses for the lab, the CLI and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_REPEATS = 100_000
"""Most timing repeats (a long timing can be cancelled with x)."""


@dataclass(frozen=True)
class LayerCheck:
    """One scratch layer against PyTorch's on the same random input, per variant."""

    layer: str  # the PyTorch constructor, e.g. "Linear(400, 128)"
    input_shape: tuple[int, ...]  # shape of the random input
    diff_before: dict[str, float]  # variant -> mean |scratch - torch|, independent random inits
    diff_after: dict[str, float]  # variant -> mean |scratch - torch| after copying the state_dict


@dataclass(frozen=True)
class NetworkCheck:
    """The whole network rebuilt from scratch layers, on the same test samples."""

    source: str  # where the weights came from, for people
    labels: tuple[int, ...]  # true class of each sample
    predictions_torch: tuple[int, ...]  # argmax of the PyTorch network
    predictions_scratch: dict[str, tuple[int, ...]]  # variant -> argmax of the scratch network
    logits_diff_before: float  # mean |logits| difference before copying the state_dict (loop)
    logits_diff_after: dict[str, float]  # variant -> mean |logits| difference after copying

    @property
    def samples(self) -> int:
        return len(self.labels)

    @property
    def accuracy_torch(self) -> float:
        """Fraction of samples the PyTorch network classifies correctly."""
        return _fraction_equal(self.predictions_torch, self.labels)

    def accuracy_scratch(self, variant: str) -> float:
        """Fraction of samples the scratch network (this variant) classifies correctly."""
        return _fraction_equal(self.predictions_scratch[variant], self.labels)

    def agreement(self, variant: str) -> float:
        """Fraction of samples on which scratch (this variant) and PyTorch predict the same."""
        return _fraction_equal(self.predictions_scratch[variant], self.predictions_torch)


@dataclass(frozen=True)
class TimingProgress:
    """One repeat of the side-by-side timing is done."""

    done: int  # repeats finished
    total: int  # repeats planned


@dataclass(frozen=True)
class TimingCheck:
    """Inference time of the scratch network per variant and of PyTorch's, side by side."""

    device: str  # where it ran, e.g. "cpu"
    batch: int  # samples per forward pass
    repeats: int  # interleaved measurements per contender; the median is reported
    torch_seconds: float  # median seconds per forward pass, PyTorch
    scratch_seconds: dict[str, float]  # variant -> median seconds per forward pass

    def ratio(self, variant: str) -> float:
        """Scratch time / PyTorch time (how many times slower the own layers are)."""
        return self.scratch_seconds[variant] / self.torch_seconds


@dataclass(frozen=True)
class ScratchReport:
    """Every check of exercise A5, for the CLI's JSON and the lab's summary."""

    linear: LayerCheck
    conv: LayerCheck
    network: NetworkCheck
    timing: TimingCheck

    def to_json(self, variant: str = "loop") -> dict[str, Any]:
        """The keys `cnn-tui scratch --json` promises; top-level numbers are for `variant`."""
        network, timing = self.network, self.timing
        return {
            "variant": variant,
            "source": network.source,
            "samples": network.samples,
            "linear_diff_before": self.linear.diff_before[variant],
            "linear_diff_after": self.linear.diff_after[variant],
            "conv_diff_before": self.conv.diff_before[variant],
            "conv_diff_after": self.conv.diff_after[variant],
            "accuracy_scratch": network.accuracy_scratch(variant),
            "accuracy_torch": network.accuracy_torch,
            "agreement": network.agreement(variant),
            "time_ratio": timing.ratio(variant),
            "device": timing.device,
            "repeats": timing.repeats,
            "torch_seconds": timing.torch_seconds,
            "variants": {
                name: {
                    "linear_diff_before": self.linear.diff_before[name],
                    "linear_diff_after": self.linear.diff_after[name],
                    "conv_diff_before": self.conv.diff_before[name],
                    "conv_diff_after": self.conv.diff_after[name],
                    "accuracy_scratch": network.accuracy_scratch(name),
                    "agreement": network.agreement(name),
                    "logits_diff_after": network.logits_diff_after[name],
                    "seconds": timing.scratch_seconds[name],
                    "time_ratio": timing.ratio(name),
                }
                for name in timing.scratch_seconds
            },
            "labels": list(network.labels),
            "predictions_torch": list(network.predictions_torch),
            "predictions_scratch": list(network.predictions_scratch[variant]),
        }


Step = LayerCheck | NetworkCheck | TimingProgress | TimingCheck


def _fraction_equal(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a) if a else 0.0
