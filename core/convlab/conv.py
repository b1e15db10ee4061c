"""Exact convolution forward pass with a trace per output cell, for checking work by hand.

Numbers are Fractions, so integer exercises stay integers and nothing is rounded. The
trace of each output cell holds the input window (with which cells are padding and what
the padding mode put there), the products, the sum, the bias as added and the activation.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.arch.shapes import same_padding
from core.convlab.matrix import Matrix, Tensor3, fmt, fmt_signed, shape
from core.errors import UserError

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
MODES = ("correlation", "convolution")
ACTIVATIONS = ("none", "relu")


class ConvError(UserError):
    """A convolution that cannot be computed as configured; the message says how to fix it."""


@dataclass(frozen=True)
class ConvConfig:
    """How the kernel slides over the input (defaults: what nn.Conv2d does with no options)."""

    stride: tuple[int, int] = (1, 1)  # (rows, columns) between window starts
    padding: tuple[int, int, int, int] | str = (0, 0, 0, 0)  # (top, bottom, left, right) or "same"
    padding_mode: str = "zeros"  # zeros | reflect | replicate | circular
    dilation: tuple[int, int] = (1, 1)  # spacing of kernel taps
    mode: str = "correlation"  # correlation (nn.Conv2d) | convolution (kernel flipped)
    activation: str = "none"  # none | relu
    exact_fit: bool = False  # refuse sizes where the last window does not end at the border


@dataclass(frozen=True)
class PadCell:
    """One cell of the padded input: its value and where it came from."""

    value: Fraction
    source: tuple[int, int] | None  # (row, col) in the unpadded input; None for a zero pad
    padding: bool  # True outside the original input


@dataclass(frozen=True)
class Term:
    """One product of a window: input value times kernel weight."""

    channel: int
    row: int  # in padded coordinates
    col: int
    kernel_row: int  # index into the kernel as the user typed it (before any flip)
    kernel_col: int
    x: Fraction
    w: Fraction
    padding: bool  # the x value was put there by the padding mode
    source: tuple[int, int] | None  # input cell the x value copies; None for a zero pad

    @property
    def product(self) -> Fraction:
        return self.x * self.w


@dataclass(frozen=True)
class ConvStep:
    """Everything needed to show how one output cell was computed."""

    out: tuple[int, int]  # (i, j) in the output
    terms: tuple[Term, ...]
    total: Fraction  # sum of the products
    bias: Fraction
    pre_activation: Fraction  # total + bias
    output: Fraction  # after the activation
    activation: str

    def arithmetic(self) -> str:
        """E.g. "1·1 + 0·0 + 0·0 + 1·1 = 2;  2 + (−1) = 1;  ReLU(1) = 1"."""
        products = " + ".join(f"{fmt_signed(t.x)}·{fmt_signed(t.w)}" for t in self.terms)
        return products + self.after_products()

    def after_products(self) -> str:
        """The arithmetic after the products: " = 2;  2 + (−1) = 1;  ReLU(1) = 1"."""
        text = f" = {fmt(self.total)};  {fmt(self.total)} + {fmt_signed(self.bias)}"
        text += f" = {fmt(self.pre_activation)}"
        if self.activation == "relu":
            text += f";  ReLU({fmt(self.pre_activation)}) = {fmt(self.output)}"
        return text


@dataclass(frozen=True)
class KernelResult:
    """One kernel's output map and the trace of every cell, row by row."""

    kernel: Tensor3  # as typed, (C, kH, kW)
    applied: Tensor3  # as slid over the input (flipped in convolution mode)
    bias: Fraction
    pre_activation: Matrix
    output: Matrix
    steps: tuple[ConvStep, ...]


@dataclass(frozen=True)
class ConvForward:
    """The padded input shared by all kernels and each kernel's result."""

    config: ConvConfig
    pads: tuple[int, int, int, int]  # resolved (top, bottom, left, right)
    padded: tuple[tuple[tuple[PadCell, ...], ...], ...]  # (C, H + pads, W + pads)
    results: tuple[KernelResult, ...]

    @property
    def out_shape(self) -> tuple[int, int]:
        return shape(self.results[0].output)


def resolve_padding(config: ConvConfig, kernel_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right); "same" splits d·(k−1) like PyTorch (extra on bottom/right)."""
    if config.padding == "same":
        (top, bottom), (left, right) = (
            same_padding(k, d) for k, d in zip(kernel_size, config.dilation)
        )
        return top, bottom, left, right
    if isinstance(config.padding, str):
        raise ConvError(f"Padding {config.padding!r} is unknown: give a number or 'same'.")
    if any(p < 0 for p in config.padding):
        raise ConvError("Padding cannot be negative.")
    return config.padding


def pad_index(index: int, size: int, mode: str) -> int | None:
    """Which original row/column a padded index copies (None: a zero pad)."""
    if 0 <= index < size:
        return index
    if mode == "zeros":
        return None
    if mode == "replicate":
        return min(max(index, 0), size - 1)
    if mode == "circular":
        return index % size
    return -index if index < 0 else 2 * (size - 1) - index  # reflect


def pad_channel(channel: Matrix, pads: tuple[int, int, int, int], mode: str):
    """The channel with its padding, each cell knowing its source (see PadCell)."""
    rows, cols = shape(channel)
    top, bottom, left, right = pads
    _check_pad(mode, rows, (top, bottom), "rows")
    _check_pad(mode, cols, (left, right), "columns")
    grid = []
    for r in range(-top, rows + bottom):
        line = []
        for c in range(-left, cols + right):
            source_r, source_c = pad_index(r, rows, mode), pad_index(c, cols, mode)
            inside = 0 <= r < rows and 0 <= c < cols
            if source_r is None or source_c is None:
                line.append(PadCell(Fraction(0), None, True))
            else:
                line.append(PadCell(channel[source_r][source_c], (source_r, source_c), not inside))
        grid.append(tuple(line))
    return tuple(grid)


def _check_pad(mode: str, size: int, pads: tuple[int, int], axis: str) -> None:
    largest = max(pads)
    if mode == "reflect" and largest >= size:
        raise ConvError(
            f"Reflect padding of {largest} needs more than {largest} {axis} (the input has "
            f"{size}); reflection never repeats the border. Use less padding or another mode."
        )
    if mode == "circular" and largest > size:
        raise ConvError(
            f"Circular padding of {largest} wraps past the {size} {axis} of the input; "
            "use at most the input size."
        )
    if mode not in PADDING_MODES:
        raise ConvError(f"Padding mode {mode!r} is unknown: choose {', '.join(PADDING_MODES)}.")


def output_size(
    size: int,
    pad_total: int,
    kernel: int,
    stride: int,
    dilation: int,
    exact_fit: bool = False,
    axis: str = "rows",
) -> int:
    """floor((n + p − d·(k−1) − 1) / s) + 1, refusing sizes that leave no window."""
    span = dilation * (kernel - 1) + 1
    room = size + pad_total - span
    if room < 0:
        raise ConvError(
            f"The kernel spans {span} {axis} but the padded input has only {size + pad_total}: "
            "use a smaller kernel or dilation, or more padding."
        )
    if exact_fit and room % stride:
        raise ConvError(
            f"Along the {axis}, ({size} + {pad_total} − {span}) / {stride} = {room}/{stride} is "
            "not a whole number, so the windows do not fit exactly; change stride or padding."
        )
    return room // stride + 1


def conv_forward(
    x: Tensor3,
    kernels: tuple[Tensor3, ...],
    biases: tuple[Fraction, ...],
    config: ConvConfig = ConvConfig(),
) -> ConvForward:
    """Slide every kernel over the padded input; one bias per kernel (or one for all)."""
    kernel_size = _validate(x, kernels, config)
    biases = _broadcast_biases(biases, len(kernels))
    pads = resolve_padding(config, kernel_size)
    padded = tuple(pad_channel(channel, pads, config.padding_mode) for channel in x)
    rows, cols = shape(x[0])
    out_rows = output_size(
        rows,
        pads[0] + pads[1],
        kernel_size[0],
        config.stride[0],
        config.dilation[0],
        config.exact_fit,
        "rows",
    )
    out_cols = output_size(
        cols,
        pads[2] + pads[3],
        kernel_size[1],
        config.stride[1],
        config.dilation[1],
        config.exact_fit,
        "columns",
    )
    results = tuple(
        _apply_kernel(padded, kernel, bias, config, (out_rows, out_cols))
        for kernel, bias in zip(kernels, biases)
    )
    return ConvForward(config, pads, padded, results)


def applied_kernel(kernel: Tensor3, mode: str) -> Tensor3:
    """The kernel as slid: unchanged for correlation, rotated 180° for convolution."""
    if mode == "correlation":
        return kernel
    if mode != "convolution":
        raise ConvError(f"Mode {mode!r} is unknown: choose correlation or convolution.")
    return tuple(tuple(tuple(reversed(row)) for row in reversed(channel)) for channel in kernel)


def kernel_index(mode: str, kernel_size: tuple[int, int], row: int, col: int) -> tuple[int, int]:
    """A typed kernel cell's place in the kernel as slid (and back); convolution rotates 180°."""
    if mode == "convolution":
        return kernel_size[0] - 1 - row, kernel_size[1] - 1 - col
    return row, col


def _apply_kernel(
    padded, kernel: Tensor3, bias: Fraction, config: ConvConfig, out_shape: tuple[int, int]
) -> KernelResult:
    applied = applied_kernel(kernel, config.mode)
    k_rows, k_cols = shape(kernel[0])
    steps, pre_rows, out_rows = [], [], []
    for i in range(out_shape[0]):
        pre_row, out_row = [], []
        for j in range(out_shape[1]):
            terms = []
            for c, channel in enumerate(padded):
                for a in range(k_rows):
                    for b in range(k_cols):
                        r = i * config.stride[0] + a * config.dilation[0]
                        col = j * config.stride[1] + b * config.dilation[1]
                        cell = channel[r][col]
                        typed = kernel_index(config.mode, (k_rows, k_cols), a, b)
                        terms.append(
                            Term(
                                c,
                                r,
                                col,
                                typed[0],
                                typed[1],
                                cell.value,
                                applied[c][a][b],
                                cell.padding,
                                cell.source,
                            )
                        )
            total = sum((t.product for t in terms), Fraction(0))
            pre = total + bias
            out = max(pre, Fraction(0)) if config.activation == "relu" else pre
            steps.append(ConvStep((i, j), tuple(terms), total, bias, pre, out, config.activation))
            pre_row.append(pre)
            out_row.append(out)
        pre_rows.append(tuple(pre_row))
        out_rows.append(tuple(out_row))
    return KernelResult(kernel, applied, bias, tuple(pre_rows), tuple(out_rows), tuple(steps))


def _validate(x: Tensor3, kernels: tuple[Tensor3, ...], config: ConvConfig) -> tuple[int, int]:
    if not kernels:
        raise ConvError("Give at least one kernel.")
    if config.activation not in ACTIVATIONS:
        raise ConvError(f"Activation {config.activation!r} is unknown: choose none or relu.")
    if config.mode not in MODES:
        raise ConvError(f"Mode {config.mode!r} is unknown: choose correlation or convolution.")
    if min(config.stride) < 1 or min(config.dilation) < 1:
        raise ConvError("Stride and dilation must be whole numbers of at least 1.")
    sizes = {shape(channel) for kernel in kernels for channel in kernel}
    if len(sizes) > 1:
        raise ConvError("All kernels must have the same size; give kernels of one size.")
    for index, kernel in enumerate(kernels):
        if len(kernel) != len(x):
            raise ConvError(
                f"Kernel {index + 1} has {len(kernel)} channel(s) but the input has {len(x)}: "
                "a kernel needs one matrix per input channel (separate channels with |)."
            )
    return sizes.pop()


def _broadcast_biases(biases: tuple[Fraction, ...], count: int) -> tuple[Fraction, ...]:
    if not biases:
        return (Fraction(0),) * count
    if len(biases) == 1:
        return tuple(biases) * count
    if len(biases) != count:
        raise ConvError(
            f"There are {count} kernels but {len(biases)} biases: give one bias per kernel "
            "(or one for all)."
        )
    return tuple(biases)


def unread(forward: ConvForward) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Input rows and columns that no window reads (the floor of the size formula drops them,
    or a stride larger than the window steps over them)."""
    top, _, left, _ = forward.pads
    rows, cols = len(forward.padded[0]) - sum(forward.pads[:2]), len(forward.padded[0][0])
    cols -= sum(forward.pads[2:])
    cells = {
        (term.row - top, term.col - left) for s in forward.results[0].steps for term in s.terms
    }
    inside = [(r, c) for r, c in cells if 0 <= r < rows and 0 <= c < cols]  # not padding
    read_rows = {r for r, _ in inside}
    read_cols = {c for _, c in inside}
    return (
        tuple(r for r in range(rows) if r not in read_rows),
        tuple(c for c in range(cols) if c not in read_cols),
    )


def unread_note(forward: ConvForward) -> str:
    """One sentence per axis saying which input rows/columns the stride drops, and why."""
    notes = []
    kernel = shape(forward.results[0].kernel[0])
    sizes = (len(forward.padded[0]), len(forward.padded[0][0]))
    for axis, (name, skipped) in enumerate(zip(("row", "column"), unread(forward))):
        if not skipped:
            continue
        stride, dilation = forward.config.stride[axis], forward.config.dilation[axis]
        pad = sum(forward.pads[2 * axis : 2 * axis + 2])
        span = dilation * (kernel[axis] - 1) + 1
        room = sizes[axis] - span
        listed = ", ".join(map(str, skipped))
        why = []
        if room % stride:
            why.append(
                f"({sizes[axis] - pad} + {pad} − {span}) / {stride} = {fmt(Fraction(room, stride))}"
                " is not a whole number, so the floor leaves the last windows out"
            )
        if stride > span:
            why.append(f"the stride {stride} is larger than the {span}-wide window")
        if not why:
            why.append("the windows over them read only padding")
        notes.append(
            f"Stride {stride} drops input {name}{'s' if len(skipped) > 1 else ''} {listed}: "
            f"no window reads {'them' if len(skipped) > 1 else 'it'} ({'; '.join(why)})."
        )
    return " ".join(notes)
