"""Exercise A5's checks: scratch layers and a scratch network against PyTorch, and timed.

`iter_checks` yields one result per step (so a screen can show them as they come) and
`run_checks` collects them into a `ScratchReport`. Both networks always see the same input.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator

import torch
from torch import nn

from core.arch.spec import LayerSpec
from core.scratch.layers import (
    VARIANTS,
    ScratchConv2d,
    ScratchLinear,
    build_scratch_module,
    set_variant,
)
from core.scratch.results import (
    LayerCheck,
    NetworkCheck,
    ScratchReport,
    Step,
    TimingCheck,
    TimingProgress,
)

LINEAR_LAYER = (400, 128)  # (in_features, out_features): the first FC layer of lenet-8-16
CONV_LAYER = (3, 8, 5)  # (in_channels, out_channels, kernel): the first conv of lenet-8-16
MIN_TIMED_SECONDS = 0.01  # each timed measurement calls the model until it lasts this long


def _mean_abs(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a - b).abs().mean().item()


def check_layer(
    torch_layer: nn.Module, scratch_layer: nn.Module, x: torch.Tensor, name: str
) -> LayerCheck:
    """Mean |difference| per variant before and after loading PyTorch's state_dict."""
    before, after = {}, {}
    with torch.inference_mode():
        expected = torch_layer(x)
        for variant in VARIANTS:
            scratch_layer.variant = variant
            before[variant] = _mean_abs(scratch_layer(x), expected)
        scratch_layer.load_state_dict(torch_layer.state_dict())
        for variant in VARIANTS:
            scratch_layer.variant = variant
            after[variant] = _mean_abs(scratch_layer(x), expected)
    return LayerCheck(name, tuple(x.shape), before, after)


def check_linear(samples: int, generator: torch.Generator) -> LayerCheck:
    """Step 1: Linear(400, 128) on a random (samples, 400) input."""
    torch.manual_seed(int(torch.randint(2**31, (1,), generator=generator)))
    in_features, out_features = LINEAR_LAYER
    x = torch.randn(samples, in_features, generator=generator)  # (S, C)
    return check_layer(
        nn.Linear(in_features, out_features),
        ScratchLinear(in_features, out_features),
        x,
        f"Linear({in_features}, {out_features})",
    )


def check_conv(samples: int, generator: torch.Generator) -> LayerCheck:
    """Step 2: Conv2d(3, 8, 5) on a random (samples, 3, 32, 32) input."""
    torch.manual_seed(int(torch.randint(2**31, (1,), generator=generator)))
    in_channels, out_channels, kernel = CONV_LAYER
    x = torch.randn(samples, in_channels, 32, 32, generator=generator)  # (S, C, H, W)
    return check_layer(
        nn.Conv2d(in_channels, out_channels, kernel),
        ScratchConv2d(in_channels, out_channels, kernel),
        x,
        f"Conv2d({in_channels}, {out_channels}, {kernel})",
    )


def check_network(
    torch_model: nn.Module,
    scratch_model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    source: str,
) -> NetworkCheck:
    """Step 3: predictions of both networks on the same images, before/after the weight copy."""
    torch_model.eval()
    scratch_model.eval()
    with torch.inference_mode():
        expected = torch_model(images)  # (S, classes)
        set_variant(scratch_model, "loop")
        diff_before = _mean_abs(scratch_model(images), expected)
        scratch_model.load_state_dict(torch_model.state_dict())
        predictions, diff_after = {}, {}
        for variant in VARIANTS:
            set_variant(scratch_model, variant)
            logits = scratch_model(images)  # (S, classes)
            predictions[variant] = tuple(logits.argmax(dim=1).tolist())
            diff_after[variant] = _mean_abs(logits, expected)
    return NetworkCheck(
        source=source,
        labels=tuple(labels.tolist()),
        predictions_torch=tuple(expected.argmax(dim=1).tolist()),
        predictions_scratch=predictions,
        logits_diff_before=diff_before,
        logits_diff_after=diff_after,
    )


def _timed_call(model: nn.Module, images: torch.Tensor) -> Callable[[], float]:
    """A function returning the seconds of one forward pass (synchronising a GPU)."""
    synchronize = torch.cuda.synchronize if images.device.type == "cuda" else (lambda: None)

    def call() -> float:
        synchronize()
        start = time.perf_counter()
        model(images)
        synchronize()
        return time.perf_counter() - start

    return call


def iter_timing(
    torch_model: nn.Module, scratch_model: nn.Module, images: torch.Tensor, repeats: int
) -> Iterator[TimingProgress | TimingCheck]:
    """Step 4: interleaved timing, each repeat measures every contender once; medians."""
    contenders = {"torch": torch_model} | {variant: scratch_model for variant in VARIANTS}
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    with torch.inference_mode():
        calls, inner = {}, {}
        for name, model in contenders.items():
            if name in VARIANTS:
                set_variant(model, name)
            calls[name] = _timed_call(model, images)
            warm = calls[name]()  # first call pays for allocations; not measured
            inner[name] = max(1, math.ceil(MIN_TIMED_SECONDS / max(warm, 1e-6)))
        for repeat in range(repeats):
            for name, model in contenders.items():
                if name in VARIANTS:
                    set_variant(model, name)
                total = sum(calls[name]() for _ in range(inner[name]))
                seconds[name].append(total / inner[name])
            yield TimingProgress(repeat + 1, repeats)
    yield TimingCheck(
        device=str(images.device),
        batch=images.shape[0],
        repeats=repeats,
        torch_seconds=statistics.median(seconds["torch"]),
        scratch_seconds={variant: statistics.median(seconds[variant]) for variant in VARIANTS},
    )


def iter_checks(
    torch_model: nn.Module,
    layers: list[LayerSpec],
    images: torch.Tensor,
    labels: torch.Tensor,
    source: str,
    *,
    seed: int = 0,
    repeats: int = 5,
) -> Iterator[Step]:
    """Every A5 check in order: Linear, Conv2d, the network, then the timing.

    `torch_model` holds the weights to compare against (a trained run or a seeded model) and
    `layers` is its SPEC; the scratch network is built from it with its own random init.
    """
    device = images.device
    generator = torch.Generator().manual_seed(seed)
    samples = images.shape[0]
    yield check_linear(samples, generator)
    yield check_conv(samples, generator)
    torch.manual_seed(seed + 1)
    scratch_model = build_scratch_module(layers).to(device)
    torch_model = torch_model.to(device)
    yield check_network(torch_model, scratch_model, images, labels, source)
    yield from iter_timing(torch_model, scratch_model, images, repeats)


def run_checks(
    torch_model: nn.Module,
    layers: list[LayerSpec],
    images: torch.Tensor,
    labels: torch.Tensor,
    source: str,
    *,
    seed: int = 0,
    repeats: int = 5,
    on_step: Callable[[Step], None] | None = None,
) -> ScratchReport:
    """`iter_checks` collected into one report; `on_step` sees each step as it finishes."""
    layer_checks: list[LayerCheck] = []
    network = timing = None
    for step in iter_checks(
        torch_model, layers, images, labels, source, seed=seed, repeats=repeats
    ):
        if on_step is not None:
            on_step(step)
        if isinstance(step, LayerCheck):
            layer_checks.append(step)
        elif isinstance(step, NetworkCheck):
            network = step
        elif isinstance(step, TimingCheck):
            timing = step
    linear, conv = layer_checks
    assert network is not None and timing is not None
    return ScratchReport(linear, conv, network, timing)
