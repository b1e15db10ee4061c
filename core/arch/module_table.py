"""The layer table of a built module (ResNet-18, a student's Python file): shapes from hooks.

Needs torch (imported by the caller's module); used where there is no SPEC. Receptive fields
are followed only for the presets' torchvision ResNets (`core.arch.module_fields`): a student's
file may branch in ways a chain of calls cannot follow. The forward pass runs on PyTorch's meta
device (shapes only, no memory, no arithmetic), so a huge `--input` costs nothing; a network
whose forward needs real numbers falls back to a real pass at small sizes only. The SPEC
networks go through `core.arch.table`, which needs no torch.
"""

from __future__ import annotations

import copy
import math

from core.arch.module_fields import call_fields
from core.arch.table import LayerTable, Row
from core.errors import UserError

REAL_PASS_LIMIT = 3 * 512 * 512
"""Largest input (values) a network whose forward fails on the meta device is run on for real."""


def module_table(model, input_shape: tuple[int, int, int], fields: bool = False) -> LayerTable:
    """Run one zero image through `model` and tabulate every leaf module in call order;
    `fields`: follow the receptive field along the calls (torchvision ResNets, see
    `core.arch.module_fields`), else leave the column empty."""
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
        _forward_shapes(model, input_shape, calls)
    finally:
        for handle in handles:
            handle.remove()
    found = call_fields(calls, input_shape) if fields else None
    rows = []
    for index, (name, module, shape) in enumerate(calls):
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
                found[index] if found else None,
            )
        )
    return LayerTable(tuple(input_shape), tuple(rows), tuple(None for _ in rows))


def _forward_shapes(model, input_shape, calls) -> None:
    """One forward pass for the hooks: on the meta device, else (small inputs) for real."""
    import torch

    was_training = model.training
    model.eval()
    try:
        meta = copy.deepcopy(model).to("meta")  # the hooks come along (same `calls` list)
        try:
            with torch.no_grad():
                meta(torch.zeros(1, *input_shape, device="meta"))  # (1, C, H, W): shapes only
            return
        except Exception:  # noqa: BLE001 - e.g. .item() in forward: needs real numbers
            calls.clear()
        if math.prod(input_shape) > REAL_PASS_LIMIT:
            raise UserError(
                f"This network's forward pass needs real numbers, and an input of "
                f"{'×'.join(map(str, input_shape))} is too large to run; use a smaller --input."
            )
        with torch.no_grad():
            model(torch.zeros(1, *input_shape))  # (1, C, H, W)
    finally:
        model.train(was_training)


def _macs(module, out_shape: tuple[int, ...]) -> int:
    from torch import nn

    if isinstance(module, nn.Conv2d):
        taps = module.kernel_size[0] * module.kernel_size[1]
        return math.prod(out_shape) * (module.in_channels // module.groups) * taps
    if isinstance(module, nn.Linear):
        return math.prod(out_shape) * module.in_features
    return 0
