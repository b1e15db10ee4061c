"""Output sizes of conv / transposed-conv / pooling layers along one axis, with their formulas.

Plain integer arithmetic that reproduces PyTorch's rules exactly (``same`` padding's uneven
split, ``ceil_mode``'s last-window rule, ``output_padding``'s validity rule) without torch.
A fit that does not come out even is reported (how many input rows the floor drops) instead of
being silently floored, and every result carries its formula with the numbers filled in:
every segment between two "=" of a formula evaluates, as printed, to the result. Solving for
blanks is `core.arch.solver`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.errors import UserError

Kind = Literal["conv", "transposed", "pool"]


class ShapeError(UserError):
    """A layer that cannot produce an output of at least one cell, or an invalid setting."""


@dataclass(frozen=True)
class AxisLayer:
    """One layer's geometry along one axis (height or width)."""

    kernel: int  # kernel (window) size in cells
    stride: int = 1  # step between windows, in input cells
    padding: int = 0  # zeros added before the first cell (and after the last, unless pad_after)
    dilation: int = 1  # spacing between kernel taps
    kind: Kind = "conv"
    ceil_mode: bool = False  # pooling only: round the window count up (PyTorch's rule)
    output_padding: int = 0  # transposed conv only: extra cells added on one side
    pad_after: int | None = None  # padding after the last cell when it differs ("same", even k)

    @property
    def span(self) -> int:
        """Cells one window covers, dilation included: d*(k-1) + 1."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def total_padding(self) -> int:
        after = self.padding if self.pad_after is None else self.pad_after
        return self.padding + after


@dataclass(frozen=True)
class Fit:
    """The output size along one axis and how it was obtained."""

    in_size: int  # input cells
    out_size: int  # output cells
    dropped: int  # input (+padding) cells at the end that no window reaches; 0 = exact fit
    formula: str  # the formula with this layer's numbers; each "=" segment evaluates as printed
    note: str = ""  # why the formula has an extra step (ceil_mode's last-window rule), or ""
    ceil_mode: bool = False  # rounded up (pooling's ceil_mode) rather than down

    @property
    def exact(self) -> bool:
        return self.dropped == 0

    def drop_note(self) -> str:
        """What the uneven fit leaves out, in words ("" for an exact fit)."""
        if self.exact:
            return ""
        cells = count(self.dropped, "cell")
        if self.ceil_mode:
            return (
                f"not exact: the last {cells} of the padded input are in no window "
                "(ceil_mode counts a partial last window only when it starts inside the input "
                "or the left padding)"
            )
        return f"not exact: the floor drops {cells} at the end of the padded input"


def count(n: int, noun: str) -> str:
    """ "1 cell", "2 cells"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def same_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """PyTorch's padding="same" split: total d*(k-1), the extra cell of an odd total goes after."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def _check(layer: AxisLayer) -> None:
    if layer.kernel < 1 or layer.stride < 1 or layer.dilation < 1:
        raise ShapeError("Kernel, stride and dilation must be at least 1.")
    if layer.padding < 0 or layer.output_padding < 0:
        raise ShapeError("Padding must be 0 or more.")
    if layer.kind == "pool" and 2 * layer.padding > layer.kernel:
        raise ShapeError(
            f"Pooling padding {layer.padding} is more than half the kernel ({layer.kernel}); "
            f"PyTorch allows at most {layer.kernel // 2}."
        )
    if layer.kind == "transposed" and layer.output_padding >= max(layer.stride, layer.dilation):
        raise ShapeError(
            f"output_padding {layer.output_padding} must be smaller than the stride "
            f"({layer.stride}) or the dilation ({layer.dilation}); use at most "
            f"{max(layer.stride, layer.dilation) - 1}."
        )


def output_size(in_size: int, layer: AxisLayer) -> Fit:
    """The output size of `layer` for `in_size` input cells, exactly as PyTorch computes it."""
    _check(layer)
    if in_size < 1:
        raise ShapeError(f"The input size must be at least 1 (got {in_size}).")
    if layer.kind == "transposed":
        return _transposed(in_size, layer)
    k, s, d, p = layer.kernel, layer.stride, layer.dilation, layer.padding
    padded = in_size + layer.total_padding
    reach = padded - layer.span  # room for the window to move (negative: it does not fit)
    pad_text = f"2·{p}" if layer.pad_after is None else f"{p} + {layer.pad_after}"
    terms = f"({in_size} + {pad_text} − {_span_text(k, d)}) / {s}"
    windows, dropped = reach // s + 1, reach % s
    formula = f"⌊{terms}⌋ + 1{_steps(reach, s, reach // s)} + 1 = {windows}"
    note = ""
    if layer.ceil_mode and dropped:
        up = -(-reach // s)
        windows, dropped = up + 1, 0
        formula = f"⌈{terms}⌉ + 1{_steps(reach, s, up, '⌈⌉')} + 1 = {windows}"
        if (windows - 1) * s >= in_size + p:
            windows -= 1  # PyTorch: the last window must start inside the input or left padding
            dropped = reach % s
            formula = f"⌈{terms}⌉ + 1 − 1{_steps(reach, s, up, '⌈⌉', ' − 1')} + 1 − 1 = {windows}"
            note = (
                "one less than the ceiling: the last window would start in the right padding, "
                "and PyTorch does not count such a window"
            )
    if windows < 1:
        raise ShapeError(
            f"The padded input ({padded} cells) is smaller than the window "
            f"({layer.span} cells): use a smaller kernel or more padding."
        )
    return Fit(in_size, windows, dropped, formula, note, layer.ceil_mode)


def _span_text(kernel: int, dilation: int) -> str:
    """The window's span as printed: "5", or "(2·(3 − 1) + 1)" with a dilation."""
    return str(kernel) if dilation == 1 else f"({dilation}·({kernel} − 1) + 1)"


def _number(value: int) -> str:
    return f"−{-value}" if value < 0 else str(value)


def _steps(reach: int, stride: int, rounded: int, brackets: str = "⌊⌋", tail: str = "") -> str:
    """The middle of the chain: " = 27" (stride 1), or " = ⌊28/3⌋ + 1 = 9" then " + 1 = …".

    Every segment between two "=" evaluates, as printed, to the same number."""
    if stride == 1:
        return f" = {_number(reach)}"
    return f" = {brackets[0]}{_number(reach)}/{stride}{brackets[1]} + 1{tail} = {rounded}"


def _transposed(in_size: int, layer: AxisLayer) -> Fit:
    k, s, d, p, a = layer.kernel, layer.stride, layer.dilation, layer.padding, layer.output_padding
    out = (in_size - 1) * s - 2 * p + d * (k - 1) + a + 1
    extra = f" + {a}" if a else ""
    formula = f"({in_size} − 1)·{s} − 2·{p} + {_span_text(k, d)}{extra} = {_number(out)}"
    if out < 1:
        raise ShapeError(f"The output would have {out} cells: {formula}. Use less padding.")
    return Fit(in_size, out, 0, formula)
