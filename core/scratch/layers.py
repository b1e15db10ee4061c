"""Linear and Conv2d written from exercise A5's equations, without nn.Linear / nn.Conv2d.

Each layer has two forward passes: `loop`, the equations as explicit sums (a Python loop over
output features or output pixels), and `vectorised`, the same sums as one matrix product
(Conv2d first cuts the input into patches with `Tensor.unfold`). Parameters are named
`weight` and `bias` with PyTorch's shapes and initialisation, so `load_state_dict` works in
both directions.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from core.arch.spec import LayerSpec, SpecError, build_module
from core.errors import UserError

VARIANTS = ("loop", "vectorised")
"""The two implementations of every scratch layer: explicit sums, and vectorised patches."""


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise UserError(
            f"Unknown scratch variant {variant!r}: choose one of {', '.join(VARIANTS)}."
        )
    return variant


def _pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise SpecError(f"{name} must be an int or a pair of ints, not {value!r}.")
    return pair  # type: ignore[return-value]


def _init_like_pytorch(weight: torch.Tensor, bias: torch.Tensor | None, fan_in: int) -> None:
    """PyTorch's default init for Linear and Conv2d: Kaiming-uniform weight, uniform bias."""
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        nn.init.uniform_(bias, -bound, bound)


class ScratchLinear(nn.Module):
    """y[s, d] = sum_c W[d, c] x[s, c] + b[d]."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, variant: str = "loop"
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.variant = _check_variant(variant)
        self.weight = nn.Parameter(torch.empty(out_features, in_features))  # (D, C)
        self.register_parameter(
            "bias", nn.Parameter(torch.empty(out_features)) if bias else None
        )  # (D,)
        _init_like_pytorch(self.weight, self.bias, in_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (S, C) -> (S, D)
        if self.variant == "loop":
            return self._forward_loop(x)
        return self._forward_vectorised(x)

    def _forward_loop(self, x: torch.Tensor) -> torch.Tensor:
        columns = []
        for d in range(self.out_features):
            y_d = (x * self.weight[d]).sum(dim=-1)  # (S,)  sum over c of W[d, c] x[s, c]
            if self.bias is not None:
                y_d = y_d + self.bias[d]
            columns.append(y_d)
        return torch.stack(columns, dim=-1)  # (S, D)

    def _forward_vectorised(self, x: torch.Tensor) -> torch.Tensor:
        y = x @ self.weight.T  # (S, D)
        return y + self.bias if self.bias is not None else y

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, variant={self.variant!r}"


class ScratchConv2d(nn.Module):
    """y[s, d, i, j] = sum_c sum_n sum_m x_pad[s, c, i*S + n, j*S + m] W[d, c, n, m] + b[d]."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        variant: str = "loop",
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        self.variant = _check_variant(variant)
        kh, kw = self.kernel_size
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw))  # (D, C, K, K)
        self.register_parameter(
            "bias", nn.Parameter(torch.empty(out_channels)) if bias else None
        )  # (D,)
        _init_like_pytorch(self.weight, self.bias, in_channels * kh * kw)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (S, C, H, W) -> (S, D, H', W')
        ph, pw = self.padding
        x = nn.functional.pad(x, (pw, pw, ph, ph))  # (S, C, H + 2P, W + 2P), zeros
        if self.variant == "loop":
            return self._forward_loop(x)
        return self._forward_vectorised(x)

    def _output_size(self, x: torch.Tensor) -> tuple[int, int]:
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        height, width = x.shape[-2:]
        if height < kh or width < kw:
            raise UserError(
                f"The input ({height}x{width} after padding) is smaller than the "
                f"{kh}x{kw} kernel: use a larger input or more padding."
            )
        return (height - kh) // sh + 1, (width - kw) // sw + 1

    def _forward_loop(self, x: torch.Tensor) -> torch.Tensor:
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        out_h, out_w = self._output_size(x)
        rows = []
        for i in range(out_h):
            row = []
            for j in range(out_w):
                patch = x[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]  # (S, C, K, K)
                # sum over c, n, m of patch[s, c, n, m] * W[d, c, n, m], for every d
                y_ij = (patch.unsqueeze(1) * self.weight).sum(dim=(2, 3, 4))  # (S, D)
                row.append(y_ij)
            rows.append(torch.stack(row, dim=-1))  # (S, D, W')
        y = torch.stack(rows, dim=-2)  # (S, D, H', W')
        return y + self.bias.view(1, -1, 1, 1) if self.bias is not None else y

    def _forward_vectorised(self, x: torch.Tensor) -> torch.Tensor:
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        self._output_size(x)
        patches = x.unfold(2, kh, sh).unfold(3, kw, sw)  # (S, C, H', W', K, K), a view
        y = torch.einsum("schwnm,dcnm->sdhw", patches, self.weight)  # (S, D, H', W')
        return y + self.bias.view(1, -1, 1, 1) if self.bias is not None else y

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, variant={self.variant!r}"
        )


SCRATCH_PRESET = "lenet-8-16"
"""The exercise network the lab rebuilds from scratch layers (DESIGN.md §5, exercise C2)."""


def _scratch_layer(layer: LayerSpec, variant: str) -> nn.Module:
    constructor = {"Linear": ScratchLinear, "Conv2d": ScratchConv2d}[layer.type]
    try:
        return constructor(*layer.args, **layer.kwargs, variant=variant)
    except TypeError as error:
        raise SpecError(f"`{layer}`: {error}") from None


def build_scratch_module(layers: list[LayerSpec], variant: str = "loop") -> nn.Sequential:
    """The SPEC as an nn.Sequential whose Linear and Conv2d layers are the scratch ones, also
    inside `Sequential` and `Residual` blocks (body and shortcut).

    Built by `core.arch.spec.build_module`, so both networks share state_dict keys.
    """
    _check_variant(variant)

    def scratch(layer: LayerSpec) -> nn.Module | None:
        return _scratch_layer(layer, variant) if layer.type in ("Linear", "Conv2d") else None

    return build_module(layers, leaf=scratch)


def set_variant(model: nn.Module, variant: str) -> None:
    """Switch every scratch layer inside `model` to the `loop` or `vectorised` forward pass."""
    _check_variant(variant)
    for module in model.modules():
        if isinstance(module, (ScratchLinear, ScratchConv2d)):
            module.variant = variant
