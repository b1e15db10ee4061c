"""Output sizes of conv / transposed-conv / pooling layers along one axis, and solving for a blank.

Plain integer arithmetic that reproduces PyTorch's rules exactly (``same`` padding's uneven
split, ``ceil_mode``'s last-window rule, ``output_padding``'s validity rule) without torch.
A fit that does not come out even is reported (how many input rows the floor drops) instead of
being silently floored, and every result carries its formula with the numbers filled in.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from core.errors import UserError

Kind = Literal["conv", "transposed", "pool"]
FIELDS = ("in_size", "out_size", "kernel", "stride", "padding")
"""The five values of a single-layer calculation; any one or two may be left blank."""
MAX_SOLUTIONS = 50  # stop listing solutions after this many


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
    formula: str  # the formula with this layer's numbers substituted

    @property
    def exact(self) -> bool:
        return self.dropped == 0


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
    pad_text = f"2·{p}" if layer.pad_after is None else f"{p}+{layer.pad_after}"
    kern_text = f"{k}" if d == 1 else f"{d}·({k}−1)+1"
    terms = f"({in_size} + {pad_text} − {kern_text}) / {s}"
    windows, dropped = reach // s + 1, reach % s
    formula = f"⌊{terms}⌋ + 1 = {_steps(reach, s, reach // s)} + 1 = {windows}"
    if layer.ceil_mode and dropped:
        windows, dropped = -(-reach // s) + 1, 0
        formula = f"⌈{terms}⌉ + 1 = {_steps(reach, s, windows - 1, '⌈⌉')} + 1 = {windows}"
        if (windows - 1) * s >= in_size + p:
            windows -= 1  # PyTorch: the last window must start inside the input or left padding
            dropped = reach % s
            formula = f"⌈{terms}⌉ + 1 − 1 = {windows} (a last window would start in the padding)"
    if windows < 1:
        raise ShapeError(
            f"The padded input ({padded} cells) is smaller than the window "
            f"({layer.span} cells): use a smaller kernel or more padding."
        )
    return Fit(in_size, windows, dropped, formula)


def _steps(reach: int, stride: int, rounded: int, brackets: str = "⌊⌋") -> str:
    """The division in the middle: "27", or "⌊28/3⌋ + 1 = 9" (then " + 1") with a stride."""
    if stride == 1:
        return str(reach)
    return f"{brackets[0]}{reach}/{stride}{brackets[1]} + 1 = {rounded}"


def _transposed(in_size: int, layer: AxisLayer) -> Fit:
    k, s, d, p, a = layer.kernel, layer.stride, layer.dilation, layer.padding, layer.output_padding
    out = (in_size - 1) * s - 2 * p + d * (k - 1) + a + 1
    kern_text = f"{k}" if d == 1 else f"{d}·({k}−1)+1"
    formula = f"({in_size} − 1)·{s} − 2·{p} + {kern_text} + {a} = {out}"
    if a == 0:
        formula = f"({in_size} − 1)·{s} − 2·{p} + {kern_text} = {out}"
    if out < 1:
        raise ShapeError(f"The output would have {out} cells: {formula}. Use less padding.")
    return Fit(in_size, out, 0, formula)


@dataclass(frozen=True)
class Solution:
    """One assignment of the five calculator values that satisfies the layer's formula."""

    in_size: int
    out_size: int
    kernel: int
    stride: int
    padding: int
    fit: Fit  # how out_size follows from the others

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True)
class Solved:
    """The answer of the single-layer calculator: every solution found (exact fits first)."""

    known: dict[str, int]  # the values the user gave
    missing: tuple[str, ...]  # the names left blank
    solutions: tuple[Solution, ...]  # exact fits first, then fits where the floor drops cells
    truncated: bool  # True when more than MAX_SOLUTIONS exist (only the first ones listed)
    note: str  # one sentence: unique, several, none, with the reason

    @property
    def unique(self) -> bool:
        return len(self.solutions) == 1 and not self.truncated


def solve(
    known: dict[str, int | None],
    *,
    dilation: int = 1,
    kind: Kind = "conv",
    ceil_mode: bool = False,
    output_padding: int = 0,
) -> Solved:
    """Fill in the blank values (None) of in/out/kernel/stride/padding; three must be given.

    Padding is searched only up to d*(k-1) (pooling: half the kernel, PyTorch's limit),
    beyond which border outputs would see nothing but padding.
    """
    given = {name: value for name, value in known.items() if value is not None}
    unknown = tuple(name for name in FIELDS if name not in given)
    if len(given) < 3:
        raise ShapeError(
            "Give at least three of input, output, kernel, stride and padding; "
            f"only {len(given)} given."
        )
    if {"in_size", "out_size"} <= set(unknown):
        raise ShapeError(
            "Input and output are both blank, and every input large enough fits: give one of them."
        )
    for name, value in given.items():
        low = 0 if name == "padding" else 1
        if value < low:
            raise ShapeError(f"{name.replace('_', ' ')} must be at least {low} (got {value}).")
    if set(unknown) <= {"out_size"}:  # a plain forward calculation: its error says why
        output_size(
            given["in_size"],
            AxisLayer(
                given["kernel"],
                given["stride"],
                given["padding"],
                dilation,
                kind,
                ceil_mode,
                output_padding,
            ),
        )
    bound = 2 * max(given.values()) + 16
    widest_in = bound
    if "out_size" in given:  # out windows of stride s and span d*(k-1)+1 cover at most this
        widest_in = max(
            bound,
            given["out_size"] * given.get("stride", bound) + dilation * given.get("kernel", bound),
        )
    ranges = {
        "in_size": range(1, widest_in + 1),
        "kernel": range(1, bound + 1),
        "stride": range(1, bound + 1),
        "padding": range(0, bound + 1),
    }
    free = [name for name in unknown if name != "out_size"]
    found: list[Solution] = []
    truncated = False
    for values in itertools.product(*(ranges[name] for name in free[:-1])):
        outer = given | dict(zip(free, values))
        for trial in _inner(outer, free[-1:], ranges):
            layer = AxisLayer(
                trial["kernel"],
                trial["stride"],
                trial["padding"],
                dilation,
                kind,
                ceil_mode,
                output_padding,
            )
            limit = layer.kernel // 2 if kind == "pool" else dilation * (layer.kernel - 1)
            if "padding" in free and layer.padding > limit:
                if free[-1:] == ["padding"]:
                    break
                continue
            try:
                fit = output_size(trial["in_size"], layer)
            except ShapeError:
                if kind == "conv" and free[-1:] in (["stride"], ["kernel"]):
                    break  # a conv whose window does not fit stays broken as these grow
                continue
            if "out_size" in given and fit.out_size != given["out_size"]:
                if _passed(free[-1:], kind, fit.out_size - given["out_size"]):
                    break
                continue
            found.append(
                Solution(
                    trial["in_size"], fit.out_size, layer.kernel, layer.stride, layer.padding, fit
                )
            )
        if len(found) > MAX_SOLUTIONS:
            truncated = True
            del found[MAX_SOLUTIONS:]
            break
    found.sort(key=lambda solution: solution.fit.dropped != 0)
    return Solved(given, unknown, tuple(found), truncated, _note(unknown, found, truncated))


GROWS = {"in_size": 1, "padding": 1, "kernel": -1, "stride": -1}
"""How the output size moves as each value grows (+1 up, -1 down); transposed convs flip
padding, kernel and stride."""


def _inner(outer: dict[str, int], last: list[str], ranges: dict[str, range]):
    """Trials for the innermost unknown, in the order in which the output size moves one way."""
    if not last:
        yield outer
        return
    for value in ranges[last[0]]:
        yield outer | {last[0]: value}


def _passed(last: list[str], kind: Kind, overshoot: int) -> bool:
    """Whether the innermost unknown has moved the output past the target for good."""
    if not last:
        return False
    direction = GROWS[last[0]]
    if kind == "transposed" and last[0] != "in_size":
        direction = -direction
    return direction * overshoot > 0


def _note(unknown: tuple[str, ...], found: list[Solution], truncated: bool) -> str:
    names = " and ".join(name.replace("_", " ") for name in unknown) or "nothing"
    if not found:
        return f"No {names} fits these values."
    exact = sum(solution.fit.exact for solution in found)
    if truncated:
        return f"Many values of {names} fit; the first {len(found)} are listed."
    if len(found) == 1:
        first = found[0]
        dropped = count(first.fit.dropped, "cell")
        tail = "" if first.fit.exact else f" (not exact: {dropped} dropped)"
        return f"One solution for {names}{tail}."
    return f"{len(found)} solutions for {names} ({exact} exact)."
