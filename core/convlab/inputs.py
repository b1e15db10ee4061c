"""A worked example as the text a student types (screen fields, CLI flags, preset files).

Keeping the typed text, not parsed numbers, means a parameter toggle or a parse error
never loses what was typed; `problem()` parses it all at once and raises UserError.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core.convlab.conv import ACTIVATIONS, MODES, PADDING_MODES, ConvConfig, ConvError
from core.convlab.matrix import MAX_CHANNELS, parse_channels, parse_scalars
from core.convlab.pool import POOL_KINDS, PoolConfig
from core.convlab.problem import Problem


@dataclass(frozen=True)
class LabInputs:
    """Everything that defines a worked example, as text (see README for the syntax)."""

    input: str  # "1 0 2; 3 2 0", channels separated by |
    kernels: tuple[str, ...]  # one matrix (or |-separated channels) per kernel
    biases: str = ""  # "-1" for all kernels, or one number per kernel
    stride: str = "1"  # "2", or "2,1" for (rows, columns)
    padding: str = "0"  # "1", "1,2" (rows, columns), "t,b,l,r", or "same"
    padding_mode: str = "zeros"  # zeros | reflect | replicate | circular
    dilation: str = "1"  # like stride
    mode: str = "correlation"  # correlation (nn.Conv2d) | convolution (kernel flipped)
    activation: str = "none"  # none | relu
    exact_fit: bool = False  # refuse sizes where the windows do not end at the border
    pool: str = "none"  # none | max | avg
    pool_kernel: str = "2"
    pool_stride: str = ""  # empty: the pooling kernel size
    pool_padding: str = "0"
    pool_dilation: str = "1"  # max pooling only
    ceil_mode: bool = False
    target: str = ""  # MSE target for the final output (| between kernels' maps)
    grad_output: str = ""  # or the upstream gradient dE/d(final output)

    def replace(self, **changes) -> LabInputs:
        return dataclasses.replace(self, **changes)

    def conv_config(self) -> ConvConfig:
        _choice(self.padding_mode, PADDING_MODES, "padding mode")
        _choice(self.mode, MODES, "mode")
        _choice(self.activation, ACTIVATIONS, "activation")
        return ConvConfig(
            stride=parse_pair(self.stride, "stride"),
            padding=parse_padding(self.padding),
            padding_mode=self.padding_mode,
            dilation=parse_pair(self.dilation, "dilation"),
            mode=self.mode,
            activation=self.activation,
            exact_fit=self.exact_fit,
        )

    def pool_config(self) -> PoolConfig | None:
        if self.pool == "none":
            return None
        _choice(self.pool, POOL_KINDS, "pooling")
        kernel = parse_pair(self.pool_kernel, "pooling kernel")
        stride = None
        if self.pool_stride.strip():
            stride = parse_pair(self.pool_stride, "pooling stride")
        padding = parse_pair(self.pool_padding, "pooling padding", minimum=0)
        dilation = parse_pair(self.pool_dilation, "pooling dilation")
        return PoolConfig(self.pool, kernel, stride, padding, dilation, self.ceil_mode)

    def problem(self) -> Problem:
        """Parse everything; raises MatrixError / ConvError (both UserError)."""
        if not self.kernels:
            raise ConvError("Give at least one kernel.")
        if len(self.kernels) > MAX_CHANNELS:
            raise ConvError(
                f"{len(self.kernels)} kernels; the Convolution lab works up to {MAX_CHANNELS}."
            )
        x = parse_channels(self.input, name="input")
        kernels = tuple(
            parse_channels(text, name=f"kernel {index + 1}" if len(self.kernels) > 1 else "kernel")
            for index, text in enumerate(self.kernels)
        )
        biases = parse_scalars(self.biases) if self.biases.strip() else ()
        target = parse_channels(self.target, name="target") if self.target.strip() else None
        grad = (
            parse_channels(self.grad_output, name="upstream gradient")
            if self.grad_output.strip()
            else None
        )
        conv = self.conv_config()
        _check_work(x, kernels, conv)
        return Problem(x, kernels, biases, conv, self.pool_config(), target, grad)


MAX_PRODUCTS = 250_000
"""Most multiplications in one worked example (kernels × output cells × kernel cells): each is
exact and traced, about 2 s at this size."""


def _check_work(x, kernels, conv: ConvConfig) -> None:
    height, width = len(x[0]), len(x[0][0]) if x[0] else 0
    k_height, k_width = len(kernels[0][0]), len(kernels[0][0][0]) if kernels[0][0] else 0
    if conv.padding == "same":
        out_h, out_w = height, width
    else:
        top, bottom, left, right = conv.padding
        out_h, out_w = height + top + bottom, width + left + right  # at most one per input cell
    products = len(kernels) * len(x) * k_height * k_width * max(out_h, 0) * max(out_w, 0)
    products //= conv.stride[0] * conv.stride[1]
    if products > MAX_PRODUCTS:
        raise ConvError(
            f"This example takes about {products:,} multiplications; the Convolution lab works "
            f"up to {MAX_PRODUCTS:,} (each is exact and traced). Use a smaller input, kernel, "
            "padding or fewer kernels."
        )


def parse_pair(text: str, name: str, minimum: int = 1) -> tuple[int, int]:
    """ "2" → (2, 2); "2,1" → (2, 1)."""
    values = _ints(text, name, minimum)
    if len(values) == 1:
        return values[0], values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise ConvError(f"The {name} is one number or two (rows,columns), not {text!r}.")


def parse_padding(text: str) -> tuple[int, int, int, int] | str:
    """ "same", "1", "1,2" (rows, columns) or "t,b,l,r"."""
    if text.strip().lower() == "same":
        return "same"
    values = _ints(text, "padding", 0)
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return values[0], values[0], values[1], values[1]
    if len(values) == 4:
        return values[0], values[1], values[2], values[3]
    raise ConvError(
        f"Padding {text!r} is not understood: give 'same', one number, two (rows,columns) or "
        "four (top,bottom,left,right)."
    )


MAX_PARAMETER = 16
"""Largest stride, dilation or padding of a worked example (its padded input is drawn)."""


def _ints(text: str, name: str, minimum: int) -> list[int]:
    parts = [part for part in text.replace(",", " ").split() if part]
    if not parts:
        raise ConvError(f"The {name} is empty: give a whole number.")
    if any(len(part) > 6 for part in parts):
        raise ConvError(f"The {name} must be at most {MAX_PARAMETER}, not {text[:20]!r}….")
    try:
        values = [int(part) for part in parts]
    except ValueError:
        raise ConvError(f"The {name} {text!r} must be whole numbers, e.g. 2 or 2,1.") from None
    if min(values) < minimum:
        raise ConvError(f"The {name} must be at least {minimum}, not {min(values)}.")
    if max(values) > MAX_PARAMETER:
        raise ConvError(
            f"The {name} must be at most {MAX_PARAMETER}, not {max(values)} (a worked example "
            "draws every cell of its padded input)."
        )
    return values


def _choice(value: str, choices: tuple[str, ...], name: str) -> None:
    if value not in choices:
        raise ConvError(f"The {name} {value!r} is unknown: choose {', '.join(choices)}.")
