"""Shape rules of the layers around the convolutions: padding, normalisation, resampling,
dropout, activations, Flatten/Unflatten. Each refuses the arguments PyTorch refuses, with a
message that says what would fit; none counts MACs (see `core.arch.layers`)."""

from __future__ import annotations

import math
from typing import Any

from core.arch.receptive import AxisStep
from core.arch.shapes import AxisLayer
from core.arch.signatures import (
    LayerResult,
    Shape,
    dim_index,
    flag,
    fmt,
    is_int,
    is_number,
    pointwise,
    positive,
    spatial,
)
from core.arch.spec import LayerSpec, SpecError

PADS = ("ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d")
UPSAMPLES = ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")
DROPOUTS = ("Dropout", "Dropout1d", "Dropout2d", "AlphaDropout")
UPSAMPLE_MODES = ("nearest", "nearest-exact", "bilinear", "bicubic", "area")
INTERPOLATING = ("bilinear", "bicubic")


def apply_misc(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    """The rule of every layer that is not a conv, pool, Linear or BatchNorm."""
    kind = layer.type
    if kind in PADS:
        return _pad(layer, args, shape)
    if kind in UPSAMPLES:
        return _upsample(layer, args, shape)
    if kind in DROPOUTS:
        return _dropout(layer, args, shape)
    if kind in ("GroupNorm", "InstanceNorm2d", "LayerNorm", "LocalResponseNorm"):
        return _norm(layer, args, shape)
    if kind == "Flatten":
        return _flatten(layer, args, shape)
    if kind == "Unflatten":
        return _unflatten(layer, args, shape)
    return _activation(layer, args, shape)


def _same(shape: Shape, weights: int = 0, biases: int = 0) -> LayerResult:
    return LayerResult(shape, weights, biases, 0, pointwise(shape))


def _pad(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    channels, height, width = spatial(layer, shape)
    value = args["padding"]
    if is_int(value):
        value = (value,) * 4
    elif isinstance(value, tuple) and len(value) == 2:
        value = (*value, 0, 0)
    if not (isinstance(value, tuple) and len(value) == 4 and all(map(is_int, value))):
        raise SpecError(
            f"`{layer}`: padding must be an integer or (left, right, top, bottom) integers."
        )
    if min(value) < 0:
        raise SpecError(f"`{layer}`: negative padding crops the map; the table needs padding ≥ 0.")
    left, right, top, bottom = value
    if layer.type == "ConstantPad2d" and not is_number(args["value"]):
        raise SpecError(f"`{layer}`: value must be a number (got {args['value']!r}).")
    if layer.type == "ReflectionPad2d" and (
        max(top, bottom) >= height or max(left, right) >= width
    ):
        raise SpecError(
            f"`{layer}`: reflection padding must be smaller than the map it pads "
            f"({height}×{width}); use at most {height - 1} rows and {width - 1} columns."
        )
    steps = (
        AxisStep(height, height + top + bottom, AxisLayer(1, 1, top, pad_after=bottom)),
        AxisStep(width, width + left + right, AxisLayer(1, 1, left, pad_after=right)),
    )
    return LayerResult((channels, steps[0].out_size, steps[1].out_size), 0, 0, 0, steps)


def _upsample(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    channels, height, width = spatial(layer, shape)
    size, scale = args["size"], args["scale_factor"]
    mode = args.get("mode", "bilinear" if layer.type == "UpsamplingBilinear2d" else "nearest")
    if mode not in UPSAMPLE_MODES:
        raise SpecError(
            f"`{layer}`: mode {mode!r} does not resample a C×H×W map; "
            f"use one of {', '.join(UPSAMPLE_MODES)}."
        )
    corners = args.get("align_corners")
    if corners is not None and (not isinstance(corners, bool) or mode not in INTERPOLATING):
        raise SpecError(
            f"`{layer}`: align_corners is True/False and only for mode 'bilinear' or 'bicubic'."
        )
    if (size is None) == (scale is None):
        raise SpecError(f"`{layer}`: give exactly one of size and scale_factor.")
    if size is not None:
        sizes = (size, size) if is_int(size) else size
        if not (isinstance(sizes, tuple) and len(sizes) == 2 and all(map(is_int, sizes))):
            raise SpecError(f"`{layer}`: size must be an integer or a pair of them.")
        out = tuple(positive(layer, "size", s) for s in sizes)
    else:
        scales = (scale, scale) if is_number(scale) else scale
        if not (
            isinstance(scales, tuple)
            and len(scales) == 2
            and all(is_number(s) and s > 0 for s in scales)
        ):
            raise SpecError(f"`{layer}`: scale_factor must be a positive number or a pair.")
        out = (math.floor(height * float(scales[0])), math.floor(width * float(scales[1])))
        if min(out) < 1:
            raise SpecError(f"`{layer}`: it would shrink {height}×{width} to {fmt(out)}.")
    return LayerResult((channels, *out), 0, 0, 0, None)  # no evenly spaced windows: no RF


def _probability(layer: LayerSpec, value: Any) -> None:
    if not is_number(value) or not 0 <= value <= 1:
        raise SpecError(f"`{layer}`: the dropout probability p must be between 0 and 1.")


def _dropout(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    _probability(layer, args["p"])
    flag(layer, "inplace", args["inplace"])
    if layer.type == "Dropout1d" and len(shape) > 2:
        raise SpecError(
            f"`{layer}`: Dropout1d takes (N, C, L) or (N, F) inputs but receives a "
            f"{fmt(shape)} map — use Dropout2d here."
        )
    return _same(shape)


def _norm(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    kind = layer.type
    if kind == "LocalResponseNorm":
        positive(layer, "size", args["size"])
        if len(shape) < 2:
            raise SpecError(f"`{layer}`: it needs a C×H×W map but receives {fmt(shape)} features.")
        return _same(shape)
    if kind == "LayerNorm":
        normalized = args["normalized_shape"]
        normalized = (normalized,) if is_int(normalized) else normalized
        if not isinstance(normalized, tuple) or not all(map(is_int, normalized)):
            raise SpecError(f"`{layer}`: normalized_shape must be an integer or a tuple of them.")
        if tuple(shape[len(shape) - len(normalized) :]) != normalized or len(normalized) > len(
            shape
        ):
            tail = shape[-1] if len(shape) == 1 else shape
            raise SpecError(
                f"`{layer}`: normalized_shape must be the last sizes of its input {fmt(shape)}, "
                f"e.g. LayerNorm({tail!r})."
            )
        affine = flag(layer, "elementwise_affine", args["elementwise_affine"])
        count = math.prod(normalized) if affine else 0
        return _same(shape, count, count if affine and args["bias"] else 0)
    if kind == "GroupNorm":
        groups = positive(layer, "num_groups", args["num_groups"])
        channels = positive(layer, "num_channels", args["num_channels"])
        if channels % groups:
            raise SpecError(
                f"`{layer}`: num_channels ({channels}) must be divisible by num_groups ({groups})."
            )
        if shape[0] != channels:
            raise SpecError(
                f"`{layer}`: its input has {shape[0]} channels — use "
                f"GroupNorm({groups if shape[0] % groups == 0 else 1}, {shape[0]})."
            )
        if channels // groups * math.prod(shape[1:]) == 1:
            raise SpecError(
                f"`{layer}`: each group holds a single value of its input {fmt(shape)}, which "
                "PyTorch refuses (nothing to normalise); use fewer groups or a larger input."
            )
        count = channels if flag(layer, "affine", args["affine"]) else 0
        return _same(shape, count, count)
    features = positive(layer, "num_features", args["num_features"])  # InstanceNorm2d
    spatial(layer, shape)
    if shape[0] != features:
        raise SpecError(
            f"`{layer}`: its input has {shape[0]} channels — use InstanceNorm2d({shape[0]})."
        )
    count = features if flag(layer, "affine", args["affine"]) else 0
    return _same(shape, count, count)


def _flatten(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    start = dim_index(layer, "start_dim", args["start_dim"], shape)
    end = dim_index(layer, "end_dim", args["end_dim"], shape)
    if start == 0:
        raise SpecError(f"`{layer}`: start_dim 0 would merge the images of a batch; use 1.")
    if end < start:
        raise SpecError(f"`{layer}`: end_dim comes before start_dim.")
    dims = list(shape)
    out = (*dims[: start - 1], math.prod(dims[start - 1 : end]), *dims[end:])
    return LayerResult(tuple(out), 0, 0, 0, pointwise(tuple(out)) if out == shape else None)


def _unflatten(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    dim = dim_index(layer, "dim", args["dim"], shape)
    sizes = args["unflattened_size"]
    if dim == 0:
        raise SpecError(f"`{layer}`: dim 0 is the batch; unflatten dimension 1 or later.")
    if not (isinstance(sizes, tuple) and sizes and all(map(is_int, sizes))):
        raise SpecError(
            f"`{layer}`: unflattened_size must be a tuple of integers, e.g. (16, 5, 5)."
        )
    known = math.prod(s for s in sizes if s != -1)
    total = shape[dim - 1]
    if sizes.count(-1) > 1 or any(s < 1 and s != -1 for s in sizes) or not known:
        raise SpecError(f"`{layer}`: sizes must be positive, with at most one -1.")
    if (-1 in sizes and total % known) or (-1 not in sizes and known != total):
        raise SpecError(
            f"`{layer}`: {fmt(sizes)} does not hold the {total} values of dimension {dim}."
        )
    filled = tuple(total // known if s == -1 else s for s in sizes)
    out = (*shape[: dim - 1], *filled, *shape[dim:])
    return LayerResult(out, 0, 0, 0, None)


def _activation(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    kind = layer.type
    if "inplace" in args:
        flag(layer, "inplace", args["inplace"])
    if kind in ("Softmax", "LogSoftmax") and args["dim"] is not None:
        dim_index(layer, "dim", args["dim"], shape)
    if kind == "GELU" and args["approximate"] not in ("none", "tanh"):
        raise SpecError(f"`{layer}`: approximate must be 'none' or 'tanh'.")
    if kind == "Hardtanh":
        low, high = args["min_val"], args["max_val"]
        if not (is_number(low) and is_number(high) and high > low):
            raise SpecError(f"`{layer}`: max_val must be a number greater than min_val.")
    for name in ("negative_slope", "alpha", "beta", "threshold", "init"):
        if name in args and not is_number(args[name]):
            raise SpecError(f"`{layer}`: `{name}` must be a number (got {args[name]!r}).")
    if kind == "PReLU":
        count = positive(layer, "num_parameters", args["num_parameters"])
        if count not in (1, shape[0]):
            raise SpecError(
                f"`{layer}`: num_parameters must be 1 or the {shape[0]} channels of its input "
                f"— use PReLU({shape[0]})."
            )
        return _same(shape, count)
    return _same(shape)
