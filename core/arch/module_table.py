"""The layer table of a built module (ResNet-18 has no SPEC): shapes from forward hooks.

Needs torch (imported by the caller's module); used for presets built from torchvision, where
branches and skip connections rule out a receptive-field column. The SPEC presets go through
`core.arch.table`, which needs no torch.
"""

from __future__ import annotations

import math

from core.arch.table import LayerTable, Row


def module_table(model, input_shape: tuple[int, int, int]) -> LayerTable:
    """Run one zero image through `model` and tabulate every leaf module in call order."""
    import torch

    calls: list[tuple[str, object, tuple[int, ...]]] = []
    leaves = [
        (name, module) for name, module in model.named_modules() if not list(module.children())
    ]
    handles = [
        module.register_forward_hook(
            lambda module, inputs, output, name=name: calls.append(
                (name, module, tuple(output.shape[1:]))
            )
        )
        for name, module in leaves
    ]
    try:
        with torch.no_grad():
            model.eval()
            model(torch.zeros(1, *input_shape))  # (1, C, H, W)
    finally:
        for handle in handles:
            handle.remove()
    rows = []
    for name, module, shape in calls:
        weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)
        params = [p for p in (weight, bias) if isinstance(p, torch.nn.Parameter)]
        rows.append(
            Row(
                name,
                type(module).__name__,
                repr(module),
                shape,
                weight.numel() if isinstance(weight, torch.nn.Parameter) else 0,
                bias.numel() if isinstance(bias, torch.nn.Parameter) else 0,
                sum(p.numel() for p in params if p.requires_grad),
                _macs(module, shape),
                None,
            )
        )
    return LayerTable(tuple(input_shape), tuple(rows), tuple(None for _ in rows))


def _macs(module, out_shape: tuple[int, ...]) -> int:
    from torch import nn

    if isinstance(module, nn.Conv2d):
        taps = module.kernel_size[0] * module.kernel_size[1]
        return math.prod(out_shape) * (module.in_channels // module.groups) * taps
    if isinstance(module, nn.Linear):
        return math.prod(out_shape) * module.in_features
    return 0
