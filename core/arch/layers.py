"""What each supported layer does to a shape: argument binding, validation, params and MACs.

Arguments are bound to PyTorch's own parameter names and defaults (so `Conv2d(3, 6, 5)` and
`Conv2d(in_channels=3, out_channels=6, kernel_size=5)` are the same layer), and a layer that
does not fit the shape arriving at it, or has an argument PyTorch refuses, is rejected with a
message that says what would fit. MACs count weight multiply-accumulates of Conv/Linear layers
only: bias additions, normalisation, pooling, resampling and activations count 0 (the
convention of torch.utils.flop_counter, halved). The other layers' rules are in `layers_misc`.
"""

from __future__ import annotations

import math
from typing import Any

from core.arch.layers_misc import apply_misc
from core.arch.receptive import AxisStep
from core.arch.shapes import AxisLayer, ShapeError, output_size, same_padding
from core.arch.signatures import SIGNATURES, LayerResult, Shape, bind, flag, fmt, pointwise, spatial
from core.arch.signatures import pair as _pair
from core.arch.signatures import positive as _count
from core.arch.spec import LayerSpec, SpecError

__all__ = ["SIGNATURES", "LayerResult", "Shape", "apply", "bind"]
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def apply(layer: LayerSpec, shape: Shape) -> LayerResult:
    """Apply one (non-Sequential) layer to an input shape without batch dimension."""
    args = bind(layer)
    kind = layer.type
    if kind in ("Conv2d", "ConvTranspose2d"):
        return _conv(layer, args, shape)
    if kind in ("MaxPool2d", "AvgPool2d"):
        return _pool(layer, args, shape)
    if kind.startswith("Adaptive"):
        return _adaptive(layer, args, shape)
    if kind == "Linear":
        return _linear(layer, args, shape)
    if kind.startswith("BatchNorm"):
        return _batchnorm(layer, args, shape)
    return apply_misc(layer, args, shape)


def _axis_fit(layer: LayerSpec, size: int, axis: AxisLayer, which: str):
    try:
        return output_size(size, axis)
    except ShapeError as error:
        raise SpecError(f"`{layer}` ({which}): {error}") from None


def _conv(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    channels, height, width = spatial(layer, shape)
    c_in = _count(layer, "in_channels", args["in_channels"])
    c_out = _count(layer, "out_channels", args["out_channels"])
    groups = _count(layer, "groups", args["groups"])
    if c_in != channels:
        fixed = layer.source.replace(f"({args['in_channels']}", f"({channels}", 1)
        hint = f" — use {fixed}" if fixed != layer.source else f" — set in_channels={channels}"
        raise SpecError(f"`{layer}`: its input has {channels} channels{hint}.")
    flag(layer, "bias", args["bias"])
    if args["padding_mode"] not in PADDING_MODES:
        raise SpecError(f"`{layer}`: padding_mode must be one of {', '.join(PADDING_MODES)}.")
    if layer.type == "ConvTranspose2d" and args["padding_mode"] != "zeros":
        raise SpecError(f"`{layer}`: ConvTranspose2d only supports padding_mode='zeros'.")
    if c_in % groups or c_out % groups:
        raise SpecError(f"`{layer}`: in_channels and out_channels must be divisible by groups.")
    kernel = _pair(layer, "kernel_size", args["kernel_size"], 1)
    stride = _pair(layer, "stride", args["stride"], 1)
    dilation = _pair(layer, "dilation", args["dilation"], 1)
    transposed = layer.type == "ConvTranspose2d"
    padding, after = _conv_padding(layer, args["padding"], kernel, stride, dilation, transposed)
    extra = _pair(layer, "output_padding", args.get("output_padding", 0), 0)
    steps, dropped = [], []
    for i, (size, which) in enumerate(((height, "height"), (width, "width"))):
        axis = AxisLayer(
            kernel[i],
            stride[i],
            padding[i],
            dilation[i],
            "transposed" if transposed else "conv",
            output_padding=extra[i],
            pad_after=after[i],
        )
        fit = _axis_fit(layer, size, axis, which)
        steps.append(AxisStep(size, fit.out_size, axis))
        dropped.append(fit.dropped)
    out_h, out_w = steps[0].out_size, steps[1].out_size
    taps = kernel[0] * kernel[1]
    weights = c_in * (c_out // groups) * taps
    biases = c_out if args["bias"] else 0
    if transposed:
        macs = height * width * c_in * (c_out // groups) * taps
    else:
        macs = out_h * out_w * c_out * (c_in // groups) * taps
    return LayerResult((c_out, out_h, out_w), weights, biases, macs, tuple(steps), tuple(dropped))


def _conv_padding(layer, value, kernel, stride, dilation, transposed):
    if isinstance(value, str) and not transposed:
        if value == "valid":
            return (0, 0), (None, None)
        if value == "same":
            if stride != (1, 1):
                raise SpecError(
                    f"`{layer}`: padding='same' needs stride 1 (PyTorch rejects strided 'same'); "
                    "give the padding as a number instead."
                )
            splits = [same_padding(k, d) for k, d in zip(kernel, dilation)]
            return tuple(s[0] for s in splits), tuple(s[1] for s in splits)
        raise SpecError(f"`{layer}`: padding must be a number, a pair, 'same' or 'valid'.")
    return _pair(layer, "padding", value, 0), (None, None)


def _pool(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    channels, height, width = spatial(layer, shape)
    if args.get("return_indices"):
        raise SpecError(
            f"`{layer}`: return_indices=True returns a tuple, which cannot be "
            "stacked; leave it False."
        )
    kernel = _pair(layer, "kernel_size", args["kernel_size"], 1)
    stride = kernel if args["stride"] is None else _pair(layer, "stride", args["stride"], 1)
    padding = _pair(layer, "padding", args["padding"], 0)
    dilation = _pair(layer, "dilation", args.get("dilation", 1), 1)
    steps, dropped = [], []
    for i, (size, which) in enumerate(((height, "height"), (width, "width"))):
        axis = AxisLayer(kernel[i], stride[i], padding[i], dilation[i], "pool", args["ceil_mode"])
        fit = _axis_fit(layer, size, axis, which)
        steps.append(AxisStep(size, fit.out_size, axis))
        dropped.append(fit.dropped)
    out = (channels, steps[0].out_size, steps[1].out_size)
    return LayerResult(out, 0, 0, 0, tuple(steps), tuple(dropped))


def _adaptive(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    channels, height, width = spatial(layer, shape)
    target = args["output_size"]
    if not isinstance(target, tuple):
        target = (target, target)
    if len(target) != 2:
        raise SpecError(f"`{layer}`: output_size must be a number or a pair.")
    sizes = tuple(
        size if want is None else _count(layer, "output_size", want)
        for size, want in zip((height, width), target)
    )
    steps = tuple(AxisStep(size, out, adaptive=True) for size, out in zip((height, width), sizes))
    return LayerResult((channels, *sizes), 0, 0, 0, steps)


def _linear(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    f_in = _count(layer, "in_features", args["in_features"])
    f_out = _count(layer, "out_features", args["out_features"])
    if shape[-1] != f_in:
        if len(shape) == 1:
            raise SpecError(
                f"`{layer}`: the flattened input has {shape[0]} features — use "
                f"Linear({shape[0]}, {f_out})."
            )
        raise SpecError(
            f"`{layer}`: it receives a {fmt(shape)} feature map — add Flatten() before it "
            f"and use Linear({math.prod(shape)}, {f_out})."
        )
    out = (*shape[:-1], f_out)
    biases = f_out if args["bias"] else 0
    macs = math.prod(shape[:-1]) * f_in * f_out
    return LayerResult(out, f_in * f_out, biases, macs, None)


def _batchnorm(layer: LayerSpec, args: dict[str, Any], shape: Shape) -> LayerResult:
    features = _count(layer, "num_features", args["num_features"])
    want_dims = (3,) if layer.type == "BatchNorm2d" else (1, 2)
    if len(shape) not in want_dims:
        other = "BatchNorm1d" if want_dims == (3,) else "BatchNorm2d"
        raise SpecError(f"`{layer}`: it receives {fmt(shape)} — use {other} here.")
    if shape[0] != features:
        raise SpecError(
            f"`{layer}`: its input has {shape[0]} channels — use {layer.type}({shape[0]})."
        )
    affine = features if flag(layer, "affine", args["affine"]) else 0
    return LayerResult(shape, affine, affine, 0, pointwise(shape))
