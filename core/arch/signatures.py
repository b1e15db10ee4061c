"""The layers a SPEC may use: PyTorch's parameter names and defaults, argument binding, and the
small checks every layer rule shares (no torch: the table is pure arithmetic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.arch.receptive import AxisStep
from core.arch.spec import LayerSpec, SpecError

REQUIRED = object()
_ACT = (("inplace", False),)
_P = (("p", 0.5), ("inplace", False))
_BN = (
    ("num_features", REQUIRED),
    ("eps", 1e-5),
    ("momentum", 0.1),
    ("affine", True),
    ("track_running_stats", True),
)
_UPSAMPLE = (("size", None), ("scale_factor", None))

SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {
    "Conv2d": (
        ("in_channels", REQUIRED),
        ("out_channels", REQUIRED),
        ("kernel_size", REQUIRED),
        ("stride", 1),
        ("padding", 0),
        ("dilation", 1),
        ("groups", 1),
        ("bias", True),
        ("padding_mode", "zeros"),
    ),
    "ConvTranspose2d": (
        ("in_channels", REQUIRED),
        ("out_channels", REQUIRED),
        ("kernel_size", REQUIRED),
        ("stride", 1),
        ("padding", 0),
        ("output_padding", 0),
        ("groups", 1),
        ("bias", True),
        ("dilation", 1),
        ("padding_mode", "zeros"),
    ),
    "MaxPool2d": (
        ("kernel_size", REQUIRED),
        ("stride", None),
        ("padding", 0),
        ("dilation", 1),
        ("return_indices", False),
        ("ceil_mode", False),
    ),
    "AvgPool2d": (
        ("kernel_size", REQUIRED),
        ("stride", None),
        ("padding", 0),
        ("ceil_mode", False),
        ("count_include_pad", True),
        ("divisor_override", None),
    ),
    "AdaptiveAvgPool2d": (("output_size", REQUIRED),),
    "AdaptiveMaxPool2d": (("output_size", REQUIRED), ("return_indices", False)),
    "Linear": (("in_features", REQUIRED), ("out_features", REQUIRED), ("bias", True)),
    "Flatten": (("start_dim", 1), ("end_dim", -1)),
    "Unflatten": (("dim", REQUIRED), ("unflattened_size", REQUIRED)),
    "BatchNorm2d": _BN,
    "BatchNorm1d": _BN,
    "InstanceNorm2d": (
        ("num_features", REQUIRED),
        ("eps", 1e-5),
        ("momentum", 0.1),
        ("affine", False),
        ("track_running_stats", False),
    ),
    "GroupNorm": (
        ("num_groups", REQUIRED),
        ("num_channels", REQUIRED),
        ("eps", 1e-5),
        ("affine", True),
    ),
    "LayerNorm": (
        ("normalized_shape", REQUIRED),
        ("eps", 1e-5),
        ("elementwise_affine", True),
        ("bias", True),
    ),
    "LocalResponseNorm": (("size", REQUIRED), ("alpha", 1e-4), ("beta", 0.75), ("k", 1.0)),
    "ZeroPad2d": (("padding", REQUIRED),),
    "ConstantPad2d": (("padding", REQUIRED), ("value", REQUIRED)),
    "ReflectionPad2d": (("padding", REQUIRED),),
    "ReplicationPad2d": (("padding", REQUIRED),),
    "Upsample": (
        *_UPSAMPLE,
        ("mode", "nearest"),
        ("align_corners", None),
        ("recompute_scale_factor", None),
    ),
    "UpsamplingNearest2d": _UPSAMPLE,
    "UpsamplingBilinear2d": _UPSAMPLE,
    "Dropout": _P,
    "Dropout1d": _P,
    "Dropout2d": _P,
    "AlphaDropout": _P,
    "ReLU": _ACT,
    "ReLU6": _ACT,
    "SiLU": _ACT,
    "SELU": _ACT,
    "Mish": _ACT,
    "Hardswish": _ACT,
    "LeakyReLU": (("negative_slope", 0.01), ("inplace", False)),
    "ELU": (("alpha", 1.0), ("inplace", False)),
    "GELU": (("approximate", "none"),),
    "PReLU": (("num_parameters", 1), ("init", 0.25)),
    "Hardtanh": (("min_val", -1.0), ("max_val", 1.0), ("inplace", False)),
    "Softplus": (("beta", 1.0), ("threshold", 20.0)),
    "Sigmoid": (),
    "Tanh": (),
    "Identity": (),
    "Softmax": (("dim", None),),
    "LogSoftmax": (("dim", None),),
}
"""Supported layers: PyTorch's parameter names in order, with defaults."""

Shape = tuple[int, ...]  # (C, H, W) for feature maps, (F,) after Flatten


@dataclass(frozen=True)
class LayerResult:
    """One layer applied to an input shape."""

    out_shape: Shape
    weights: int  # weight parameters (BatchNorm: gamma)
    biases: int  # bias parameters (BatchNorm: beta)
    macs: int  # weight multiply-accumulates for one sample
    axes: tuple[AxisStep, AxisStep] | None  # (height, width) geometry; None: flattened/irregular
    dropped: tuple[int, int] = (0, 0)  # (rows, cols) at the end that no window reaches


def bind(layer: LayerSpec) -> dict[str, Any]:
    """The layer's arguments by PyTorch name, defaults filled in; SpecError when they don't bind."""
    signature = SIGNATURES.get(layer.type)
    if signature is None:
        known = ", ".join(sorted([*SIGNATURES, "Sequential", "Residual"]))
        raise SpecError(f"`{layer}`: the calculators do not know `{layer.type}`; known: {known}.")
    names = [name for name, _ in signature]
    if len(layer.args) > len(names):
        raise SpecError(
            f"`{layer}`: {layer.type} takes at most {len(names)} positional arguments "
            f"({', '.join(names) or 'none'})."
        )
    bound = dict(zip(names, layer.args))
    for key, value in layer.kwargs.items():
        if key not in names:
            raise SpecError(
                f"`{layer}`: {layer.type} has no argument `{key}`; it takes "
                f"{', '.join(names) or 'no arguments'}."
            )
        if key in bound:
            raise SpecError(f"`{layer}`: `{key}` is given twice.")
        bound[key] = value
    for name, default in signature:
        if name not in bound:
            if default is REQUIRED:
                raise SpecError(f"`{layer}`: {layer.type} needs `{name}`.")
            bound[name] = default
    return bound


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def pair(layer: LayerSpec, name: str, value: Any, low: int) -> tuple[int, int]:
    if is_int(value):
        value = (value, value)
    if not (
        isinstance(value, tuple) and len(value) == 2 and all(is_int(v) and v >= low for v in value)
    ):
        raise SpecError(f"`{layer}`: `{name}` must be an integer ≥ {low} or a pair of them.")
    return value


def positive(layer: LayerSpec, name: str, value: Any) -> int:
    if not is_int(value) or value < 1:
        raise SpecError(f"`{layer}`: `{name}` must be a positive integer (got {value!r}).")
    return value


def flag(layer: LayerSpec, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"`{layer}`: `{name}` must be True or False (got {value!r}).")
    return value


def fmt(shape: Shape) -> str:
    return "×".join(str(n) for n in shape)


def pointwise(shape: Shape) -> tuple[AxisStep, AxisStep] | None:
    if len(shape) != 3:
        return None
    return AxisStep(shape[1], shape[1]), AxisStep(shape[2], shape[2])


def spatial(layer: LayerSpec, shape: Shape) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise SpecError(
            f"`{layer}`: it needs a C×H×W feature map but receives {fmt(shape)} features "
            "(put it before Flatten())."
        )
    return shape


def dim_index(layer: LayerSpec, name: str, value: Any, shape: Shape) -> int:
    """A tensor dimension of the batched input (N, *shape) as PyTorch accepts it: −n…n−1."""
    ndim = len(shape) + 1
    if not is_int(value) or not -ndim <= value < ndim:
        raise SpecError(
            f"`{layer}`: `{name}`={value!r} is out of range for a {ndim}-dimensional input "
            f"(batch × {fmt(shape)}); use a dimension from {-ndim} to {ndim - 1}."
        )
    return value % ndim
