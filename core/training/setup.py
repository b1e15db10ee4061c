"""The pieces a run is assembled from: device, optimizer and learning-rate schedule."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

from core.training.config import TrainConfig, TrainConfigError

WARMUP_FRACTION = 0.15  # one-cycle: share of all steps spent raising the LR to its peak
WARMUP_START = 0.1  # one-cycle: starting LR as a fraction of the peak
FUSED_DEVICES = ("cpu", "cuda")  # where torch has fused Adam and SGD kernels


def resolve_device(name: str) -> torch.device:
    """`auto` → cuda when available, else cpu; `cuda` without a GPU is a user error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainConfigError(
            "--device cuda, but PyTorch sees no CUDA GPU here; use --device cpu or auto "
            "(or run on a GPU node)."
        )
    return torch.device(name)


def model_memory_format(device: torch.device) -> torch.memory_format:
    """How the network's 4-D weights are stored: channels-last on CPU, where oneDNN's
    convolutions and max-pooling run fastest that way (inputs are converted by the first
    convolution); the default layout elsewhere."""
    return torch.channels_last if device.type == "cpu" else torch.contiguous_format


def make_optimizer(config: TrainConfig, model: nn.Module, device: torch.device):
    """Adam or SGD over the trainable parameters, as one fused kernel per step on CPU and CUDA
    (the same update as the per-parameter loop, fewer passes over memory and less Python)."""
    params = [p for p in model.parameters() if p.requires_grad]
    fused = {"fused": True} if device.type in FUSED_DEVICES else {}
    if config.optimizer == "adam":
        return torch.optim.Adam(
            params, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay, **fused
        )
    return torch.optim.SGD(
        params,
        lr=config.lr,
        momentum=config.momentum,
        nesterov=config.nesterov,
        weight_decay=config.weight_decay,
        **fused,
    )


def lr_factor(schedule: str, step: int, total: int) -> float:
    """Multiplier of the peak LR after `step` of `total` optimizer steps."""
    if schedule == "none" or total <= 0:
        return 1.0
    progress = min(step / total, 1.0)
    if schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * progress))
    if progress < WARMUP_FRACTION:
        return WARMUP_START + (1 - WARMUP_START) * progress / WARMUP_FRACTION
    return max(0.0, (1 - progress) / (1 - WARMUP_FRACTION))


def make_schedule(config: TrainConfig, optimizer, total_steps: int):
    """A per-step LambdaLR following `config.schedule` over `total_steps`."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(config.schedule, step, total_steps)
    )


def run_input_shape(config: TrainConfig) -> tuple[int, int, int]:
    """(C, H, W) of the images the network sees: RGB at the resize size or the native 32."""
    side = config.resize or 32
    return (3, side, side)


def check_architecture(config: TrainConfig, run_dir=None) -> int:
    """A custom network must take the run's images and give one score per class; its
    parameter count. Errors name the student's file and line."""
    from core.data.datasets import class_count
    from core.models.architecture import from_config

    if not config.custom:
        return 0
    arch = from_config(config.to_dict(), run_dir)
    return arch.check(run_input_shape(config), class_count(config.dataset, config.data_dir))


def preflight(config: TrainConfig, run_dir=None) -> TrainConfig:
    """Every check that can fail before a run folder exists: settings, device, data, weights,
    and tensorboardX when the run mirrors to TensorBoard. `run_dir`: the run folder of a run
    being resumed (its Python model file is named relative to it)."""
    from core.data.datasets import check_generated_sizes, load_dataset
    from core.models.zoo import get_preset

    config.validate()
    resolve_device(config.device)
    if config.dataset == "cifar10":
        # read and checked (shapes, dtype, labels, counts, class names) before a run folder exists
        load_dataset(
            "cifar10", config.data_dir, train_size=config.train_size, test_size=config.test_size
        )
    else:
        check_generated_sizes(config.train_size, config.test_size)
    check_architecture(config, run_dir)
    if not config.custom and get_preset(config.preset).spec is None:
        from core.models.weights import resnet18_imagenet_state_dict

        resnet18_imagenet_state_dict(config.weights_file)
    if config.tensorboard_dir:
        from core.runs.tensorboard import summary_writer_class

        summary_writer_class()  # raises TensorBoardMissing with the install command
        folder = Path(config.tensorboard_dir).expanduser().resolve()  # the worker's cwd differs
        config = config.with_changes(tensorboard_dir=str(folder))
    return config
