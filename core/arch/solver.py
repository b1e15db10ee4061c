"""Solving one layer's size formula for its blanks, by arithmetic and bisection, in bounded time.

With the other values fixed, the output size is monotone in each of input, kernel, stride,
padding and output_padding (`direction`), so the values of one blank that give the wanted output
form one interval, found by a galloping search and bisection: a few dozen evaluations even for
a billion-cell input. With two blanks the outer one is walked value by value over the range where
the wanted output is within reach (at most `MAX_OUTER` values) and the inner one is solved as an
interval for each. Nothing is ever enumerated beyond `MAX_SOLUTIONS` listed solutions; how many
solutions there are and the range of each blank are reported instead.
"""

from __future__ import annotations

from core.arch.shapes import AxisLayer, Kind, ShapeError, output_size
from core.arch.solved import FIELDS, LABEL, MAX_SOLUTIONS, Range, Solution, Solved, answer

__all__ = ["FIELDS", "MAX_SOLUTIONS", "Solution", "Solved", "solve"]

MAX_OUTER = 2048  # values of the outer blank tried when two blanks are solved together
MAX_VALUE = 10**12  # the largest value a user may give
CAP = 10**30  # nothing is searched beyond this: a blank that still fits here has no upper end
LOW = {"in_size": 1, "out_size": 1, "kernel": 1, "stride": 1, "padding": 0, "output_padding": 0}


def raw_out(values: dict[str, int], kind: Kind, dilation: int, ceil: bool) -> int:
    """PyTorch's output size without the validity checks (0 or less: no output cell)."""
    n, k, s, p = values["in_size"], values["kernel"], values["stride"], values["padding"]
    if kind == "transposed":
        return (n - 1) * s - 2 * p + dilation * (k - 1) + values.get("output_padding", 0) + 1
    reach = n + 2 * p - dilation * (k - 1) - 1
    if ceil and reach % s:
        windows = -(-reach // s) + 1
        return windows - 1 if (windows - 1) * s >= n + p else windows
    return reach // s + 1


def direction(name: str, kind: Kind) -> int:
    """+1 when the output size grows with `name`, -1 when it shrinks."""
    if kind == "transposed":
        return -1 if name == "padding" else 1
    return {"in_size": 1, "padding": 1, "kernel": -1, "stride": -1}[name]


def _first(holds, low: int, high: int) -> int | None:
    """The smallest x in [low, high] where the monotone predicate `holds` is true (galloping)."""
    if low > high:
        return None
    if holds(low):
        return low
    step, below = 1, low
    while True:
        probe = min(below + step, high)
        if holds(probe):
            break
        if probe == high:
            return None
        below, step = probe, step * 2
    while probe - below > 1:  # holds(probe) and not holds(below)
        middle = (below + probe) // 2
        below, probe = (below, middle) if holds(middle) else (middle, probe)
    return probe


class _Problem:
    """One calculation: the fixed values, the blanks, and the layer kind."""

    def __init__(self, kind: Kind, dilation: int, ceil: bool, blanks: tuple[str, ...]) -> None:
        self.kind, self.dilation, self.ceil, self.blanks = kind, dilation, ceil, blanks

    def out(self, values: dict[str, int]) -> int:
        return raw_out(values, self.kind, self.dilation, self.ceil)

    def bounds(self, name: str, values: dict[str, int]) -> tuple[int, int]:
        """The values `name` may take given the others (those still blank are not constrained).

        Solved padding stays within d·(k−1) (pooling: half the kernel, PyTorch's limit), beyond
        which border outputs would see nothing but padding."""
        low, high, d = LOW[name], CAP, self.dilation
        kernel, padding = values.get("kernel"), values.get("padding")
        if name == "padding" and kernel is not None:
            if self.kind == "pool":
                high = kernel // 2
            elif "padding" in self.blanks:
                high = d * (kernel - 1)
        if name == "kernel" and padding is not None:
            if self.kind == "pool":
                low = max(low, 2 * padding)
            elif "padding" in self.blanks and padding:
                low = max(low, -(-padding // d) + 1)
        if name == "output_padding" and values.get("stride") is not None:
            high = max(values["stride"], d) - 1
        extra = values.get("output_padding", 0)
        if name == "stride" and self.kind == "transposed" and extra >= d:
            low = max(low, extra + 1)
        return low, high

    def _overhang(self, values: dict[str, int]) -> int | None:
        """How far a ceil_mode window overhangs the padded input (None: it fits, or no ceil).

        There the output is 1 cell for a stride larger than the overhang and none for a smaller
        one, so the output grows with the stride instead of shrinking."""
        if not self.ceil or any(values.get(n) is None for n in ("in_size", "kernel", "padding")):
            return None
        reach = values["in_size"] + 2 * values["padding"] - self.dilation * (values["kernel"] - 1)
        return 1 - reach if reach < 1 else None

    def fits(self, values: dict[str, int], low_out, high_out) -> bool:
        """Whether the output of a full assignment lies in [low_out, high_out]."""
        return low_out <= self.out(values) <= high_out

    def level(self, values: dict[str, int], name: str, low_out, high_out) -> Range | None:
        """The interval of `name` whose output lies in [low_out, high_out] (None: empty)."""
        low, high = self.bounds(name, values)
        overhang = self._overhang(values) if name == "stride" else None
        if overhang is not None:  # ceil_mode, window wider than the padded input
            if not low_out <= 1 <= high_out:
                return None
            return max(low, overhang + 1), None  # every stride beyond the overhang gives 1 cell
        sign = direction(name, self.kind)
        least, most = (low_out, high_out) if sign > 0 else (-high_out, -low_out)

        def scaled(x: int) -> int:
            return sign * self.out(values | {name: x})

        first = _first(lambda x: scaled(x) >= least, low, high)
        if first is None:
            return None
        beyond = _first(lambda x: scaled(x) > most, first, high)
        last = high if beyond is None else beyond - 1
        if last < first:
            return None
        return first, (None if last >= CAP else last)


def solve(
    known: dict[str, int | None],
    *,
    dilation: int = 1,
    kind: Kind = "conv",
    ceil_mode: bool = False,
    output_padding: int | None = 0,
) -> Solved:
    """Fill in the blank values (None) of in/out/kernel/stride/padding; three must be given.

    A transposed conv's `output_padding=None` is solved too when the output is given and at
    most one other value is blank (otherwise it is PyTorch's default, 0).
    """
    given = {name: known[name] for name in FIELDS if known.get(name) is not None}
    unknown = tuple(name for name in FIELDS if name not in given)
    _validate(given, unknown, dilation)
    ceil = ceil_mode and kind == "pool"
    free_extra = kind == "transposed" and output_padding is None
    free_extra = free_extra and "out_size" in given and len(unknown) <= 1
    values = dict(given)
    if not free_extra:
        values["output_padding"] = output_padding or 0
    blanks = tuple(n for n in unknown if n != "out_size") + (
        ("output_padding",) if free_extra else ()
    )
    problem = _Problem(kind, dilation, ceil, blanks)
    if set(unknown) <= {"out_size"} and not free_extra:  # a forward calculation: its error says why
        output_size(given["in_size"], _layer(values, problem))
    if "out_size" not in given:
        return _forward(problem, values, unknown, blanks)
    missing = unknown + (("output_padding",) if free_extra else ())
    if len(blanks) <= 1:
        return _one_blank(problem, values, blanks, missing)
    return _two_blanks(problem, values, blanks, missing)


def _validate(given: dict[str, int], unknown: tuple[str, ...], dilation: int) -> None:
    if len(given) < 3:
        raise ShapeError(
            "Give at least three of input, output, kernel, stride and padding; "
            f"only {len(given)} given."
        )
    if {"in_size", "out_size"} <= set(unknown):
        raise ShapeError(
            "Input and output are both blank, and every input large enough fits: give one of them."
        )
    if dilation < 1:
        raise ShapeError(f"dilation must be at least 1 (got {dilation}).")
    for name, value in given.items() | {("dilation", dilation)}:
        low = LOW.get(name, 1)
        if not low <= value <= MAX_VALUE:
            raise ShapeError(
                f"{name.replace('_', ' ')} must be between {low} and {MAX_VALUE:,} (got {value})."
            )


def _layer(values: dict[str, int], problem: _Problem) -> AxisLayer:
    return AxisLayer(
        values["kernel"],
        values["stride"],
        values["padding"],
        problem.dilation,
        problem.kind,
        problem.ceil,
        values.get("output_padding", 0),
    )


def _solution(problem: _Problem, values: dict[str, int]) -> Solution:
    fit = output_size(values["in_size"], _layer(values, problem))
    return Solution(
        values["in_size"],
        fit.out_size,
        values["kernel"],
        values["stride"],
        values["padding"],
        fit,
        values.get("output_padding", 0),
    )


def _candidates(span: Range) -> list[int]:
    """Values of an interval worth listing: its first ones and its last ones (exact fits sit at
    an end of a level interval)."""
    low, high = span
    top = low + MAX_SOLUTIONS if high is None else min(high, low + MAX_SOLUTIONS)
    ends = [] if high is None else list(range(max(top + 1, high - 2), high + 1))
    return list(range(low, top + 1)) + ends


def _size(span: Range) -> int | None:
    return None if span[1] is None else span[1] - span[0] + 1


def _forward(problem, values, unknown, blanks) -> Solved:
    """The output is blank: it follows from the others; one more blank ranges over all values
    for which the layer has an output."""
    if not blanks:
        only = _solution(problem, values)
        return answer(values, unknown, [only], 1, {"out_size": (only.out_size, only.out_size)})
    name = blanks[0]
    span = problem.level(values, name, 1, float("inf"))
    if span is None:
        return answer(values, unknown, [], 0, {})
    picked = [x for x in _candidates(span) if problem.fits(values | {name: x}, 1, CAP)]
    found = [_solution(problem, values | {name: x}) for x in picked]
    ends = [problem.out(values | {name: x}) for x in (span[0], span[1] or CAP)]
    outs: Range = (min(ends), max(ends))
    if span[1] is None and direction(name, problem.kind) > 0:
        outs = (outs[0], None)
    if name == "stride" and problem._overhang(values) is not None:
        outs = (1, 1)
    return answer(values, unknown, found, _size(span), {name: span, "out_size": outs})


def _one_blank(problem, values, blanks, missing) -> Solved:
    target = values["out_size"]
    if not blanks:
        found = [_solution(problem, values)]
        if found[0].out_size != target:
            return answer(values, missing, [], 0, {}, got=found[0].out_size)
        return answer(values, missing, found, 1, {})
    name = blanks[0]
    span = problem.level(values, name, target, target)
    if span is None:
        return answer(values, missing, [], 0, {})
    picked = [x for x in _candidates(span) if problem.fits(values | {name: x}, target, target)]
    found = [_solution(problem, values | {name: x}) for x in picked]
    return answer(values, missing, found, _size(span), {name: span})


def _two_blanks(problem, values, blanks, missing) -> Solved:
    outer, inner = _order(problem, values, blanks)
    start, stop = _reach(problem, values, outer, inner)
    target, total = values["out_size"], 0
    found: list[Solution] = []
    seen: dict[str, list[int]] = {outer: [], inner: []}
    inner_top: list[int | None] = []
    x, tried = start, 0
    endless = stop is None or stop - start >= MAX_OUTER  # the walk cannot finish: list, then stop
    while (stop is None or x <= stop) and tried < MAX_OUTER:
        if endless and len(found) >= MAX_SOLUTIONS:
            break
        fixed = values | {outer: x}
        span = problem.level(fixed, inner, target, target)
        if span is not None:
            seen[outer].append(x)
            seen[inner].append(span[0])
            inner_top.append(span[1])
            size = _size(span)
            total = None if total is None or size is None else total + size
            if len(found) < 4 * MAX_SOLUTIONS:
                found += [
                    _solution(problem, fixed | {inner: y})
                    for y in _candidates(span)[:8]
                    if problem.fits(fixed | {inner: y}, target, target)
                ]
        x, tried = x + 1, tried + 1
    complete = stop is not None and x > stop
    if not seen[outer]:
        searched = "" if complete else f"{LABEL.get(outer, outer)} {start}…{x - 1}"
        return answer(values, missing, [], 0, {}, searched=searched)
    tops = [top for top in inner_top if top is not None]
    least = min(seen[inner])
    if not complete and problem.ceil and (outer, inner) == ("in_size", "stride"):
        least = LOW["stride"]  # beyond the walk an input fits the window exactly: stride 1 does
    ranges = {
        outer: (seen[outer][0], seen[outer][-1] if complete else None),
        inner: (least, max(tops) if complete and len(tops) == len(inner_top) else None),
    }
    searched = "" if complete else f"{LABEL.get(outer, outer)} {start}…{x - 1}"
    return answer(values, missing, found, total if complete else None, ranges, searched=searched)


def _order(problem: _Problem, values: dict[str, int], blanks) -> tuple[str, str]:
    """(outer, inner): the inner blank is solved as an interval for each value of the outer one.
    Kernel and padding bound each other, so padding is walked from 0; output_padding is always
    the inner one; otherwise the blank with the narrower range of reach is walked."""
    if "output_padding" in blanks:
        return next(n for n in blanks if n != "output_padding"), "output_padding"
    if problem.ceil and "stride" in blanks:  # not monotone there: solved by `level`, which knows
        return next(n for n in blanks if n != "stride"), "stride"
    if set(blanks) == {"kernel", "padding"}:
        return "padding", "kernel"
    first, second = blanks
    widths = {}
    for outer, inner in ((first, second), (second, first)):
        start, stop = _reach(problem, values, outer, inner)
        widths[outer] = CAP if stop is None else stop - start
    return (first, second) if widths[first] <= widths[second] else (second, first)


def _reach(problem: _Problem, values, outer: str, inner: str) -> tuple[int, int | None]:
    """The values of `outer` for which the output at the inner blank's two bounds brackets the
    wanted output (outside them no inner value can reach it). For kernel/padding, whose bounds
    depend on each other, the whole range of the outer blank."""
    low, high = problem.bounds(outer, values)
    if {outer, inner} == {"kernel", "padding"}:
        return low, None if high >= CAP else high
    target, grows = values["out_size"], direction(inner, problem.kind) > 0

    def extreme(x: int, large: bool) -> int:
        fixed = values | {outer: x}
        y_low, y_high = problem.bounds(inner, fixed)
        out = problem.out(fixed | {inner: y_high if grows == large else y_low})
        if problem.ceil and inner == "stride" and large:
            return max(out, 1)  # ceil_mode: a large enough stride always leaves one window
        return out

    if direction(outer, problem.kind) > 0:  # both extremes grow with the outer value
        start = _first(lambda x: extreme(x, True) >= target, low, high)
        beyond = _first(lambda x: extreme(x, False) > target, low, high)
    else:
        start = _first(lambda x: extreme(x, False) <= target, low, high)
        beyond = _first(lambda x: extreme(x, True) < target, low, high)
    if start is None:
        return 1, 0  # nothing to walk
    stop = high if beyond is None else beyond - 1
    return start, None if stop >= CAP else stop
