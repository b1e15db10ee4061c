"""Check a student's answer and name the mistake by recomputing under each common error.

Each hypothesis re-solves the problem with one mistake made (bias subtracted, kernel
flipped, ReLU forgotten, wrong stride, ...). A hypothesis that reproduces every cell of the
answer explains it fully; otherwise the one that reproduces most wrong cells is reported.

A cell typed with d decimals ("7.33") counts as right when it is the exact value rounded to
d decimals, either way within half a unit of the last digit; a fraction or an integer must
be exact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from core.convlab.conv import PADDING_MODES, ConvError, resolve_padding
from core.convlab.matrix import MINUS, Tensor3, TypedDecimal, fmt, shape, transpose
from core.convlab.pool import pool_forward
from core.convlab.problem import Problem, Solution, solve

QUANTITIES = ("output", "pre_activation", "pooled", "grad_weight", "grad_bias", "grad_input")
FORWARD = ("output", "pre_activation", "pooled")


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer."""

    quantity: str
    correct: bool
    wrong_cells: tuple[tuple[int, ...], ...]  # (i, j), or (c, i, j) for several channels
    explained_by: tuple[str, ...]  # hypotheses that reproduce the whole answer
    diagnosis: str  # one or two sentences for the student
    expected: Tensor3


def expected(solution: Solution, quantity: str, kernel: int = 0) -> Tensor3:
    """The correct maps for a quantity (one kernel's; all input channels for grad_input)."""
    if quantity not in QUANTITIES:
        raise ConvError(f"Cannot check {quantity!r}: choose one of {', '.join(QUANTITIES)}.")
    if not 0 <= kernel < len(solution.forward.results):
        raise ConvError(
            f"There is no kernel {kernel + 1}; there are "
            f"{len(solution.forward.results)}: choose 1 to "
            f"{len(solution.forward.results)}."
        )
    if quantity in ("output", "pre_activation"):
        return (getattr(solution.forward.results[kernel], quantity),)
    if quantity == "pooled":
        if solution.pooled is None:
            raise ConvError("There is no pooled output to check: switch pooling on first.")
        return (solution.pooled[kernel].output,)
    back = solution.backward
    if back is None:
        raise ConvError("There are no gradients to check: give a target (MSE) or dE/do first.")
    if quantity == "grad_weight":
        return back.grad_weight[kernel]
    if quantity == "grad_bias":
        return (((back.grad_bias[kernel],),),)
    return back.grad_input


def check_answer(
    problem: Problem, answer: Tensor3, quantity: str = "output", kernel: int = 0
) -> CheckResult:
    """Compare an answer with the right one and look for the mistake that explains it."""
    truth = expected(solve(problem), quantity, kernel)
    name = quantity.replace("_", " ")
    if _same_shape(answer, truth):
        wrong = _wrong_cells(answer, truth)
        if not wrong:
            verdict = f"Correct: every cell of the {name} matches{_rounding_note(answer, truth)}."
            return CheckResult(quantity, True, (), (), verdict, truth)
    else:
        wrong = ()
    matches, partial = [], []
    for label, make in _hypotheses(problem, quantity, kernel, truth):
        try:
            candidate = make()
        except (ConvError, ZeroDivisionError):
            continue
        if not _same_shape(answer, candidate) or candidate == truth:
            continue
        if not _wrong_cells(answer, candidate):
            matches.append(label)
        elif wrong:
            fixed = sum(1 for cell in wrong if agrees(_at(answer, cell), _at(candidate, cell)))
            if fixed:
                partial.append((fixed, label))
    diagnosis = _diagnosis(answer, truth, wrong, matches, partial, name)
    if not wrong:
        wrong = _all_cells(answer) if not _same_shape(answer, truth) else ()
    return CheckResult(
        quantity, False, _cells_for_output(wrong, answer), tuple(matches), diagnosis, truth
    )


def cell_mistakes(
    problem: Problem, quantity: str, kernel: int, cell: tuple[int, int, int], typed: Fraction
) -> tuple[str, ...]:
    """The common mistakes (the same hypotheses as `check_answer`) that give `typed` at one
    cell (channel, row, column) where the right value differs: quiz mode's diagnosis."""
    truth = expected(solve(problem), quantity, kernel)
    if agrees(typed, _at(truth, cell)):
        return ()
    found = []
    for label, make in _hypotheses(problem, quantity, kernel, truth):
        try:
            candidate = make()
        except (ConvError, ZeroDivisionError):
            continue
        if not _same_shape(candidate, truth) or _at(candidate, cell) == _at(truth, cell):
            continue
        if agrees(typed, _at(candidate, cell)):
            found.append(label)
    return tuple(found)


def _diagnosis(answer, truth, wrong, matches, partial, name) -> str:
    if not _same_shape(answer, truth):
        got = " | ".join("{}×{}".format(*shape(m)) for m in answer)
        want = " | ".join("{}×{}".format(*shape(m)) for m in truth)
        head = f"The {name} should be {want}, your answer is {got}."
    else:
        head = f"{len(wrong)} of {sum(len(m) * len(m[0]) for m in truth)} cells are wrong."
    if matches:
        return f"{head} Your answer is exactly what you get with: {'; '.join(matches)}."
    if partial:
        fixed, label = max(partial)
        return (
            f"{head} No single common mistake explains all of it; '{label}' explains "
            f"{fixed} of the wrong cells."
        )
    return f"{head} None of the common mistakes explains it: step through the wrong cells."


def _hypotheses(problem: Problem, quantity: str, kernel: int, truth: Tensor3):
    """(label, thunk computing the answer under that mistake), most telling first."""

    def redo(**changes) -> Callable[[], Tensor3]:
        conv = dataclasses.replace(problem.conv, **changes)
        return lambda: expected(solve(dataclasses.replace(problem, conv=conv)), quantity, kernel)

    yield "the output transposed", lambda: tuple(transpose(m) for m in truth)
    if quantity in FORWARD:
        yield from _forward_hypotheses(problem, quantity, kernel, redo)
    else:
        yield from _gradient_hypotheses(problem, quantity, truth, redo)


def _forward_hypotheses(problem: Problem, quantity: str, kernel: int, redo):
    conv = problem.conv
    if any(b != 0 for b in problem.biases):
        negated = dataclasses.replace(problem, biases=tuple(-b for b in problem.biases))
        yield (
            "the bias subtracted instead of added",
            lambda: expected(solve(negated), quantity, kernel),
        )
        unbiased = dataclasses.replace(problem, biases=())
        yield "the bias left out", lambda: expected(solve(unbiased), quantity, kernel)
    other = "correlation" if conv.mode == "convolution" else "convolution"
    flip = (
        "the kernel not flipped (cross-correlation instead of convolution)"
        if conv.mode == "convolution"
        else "the kernel flipped (convolution instead of cross-correlation)"
    )
    yield flip, redo(mode=other)
    if conv.activation == "relu" and quantity != "pre_activation":
        yield "ReLU forgotten", redo(activation="none")
        yield "ReLU applied before adding the bias", lambda: _relu_early(problem, quantity, kernel)
    if conv.activation == "none" and quantity != "pre_activation":
        yield "ReLU applied although there is none", redo(activation="relu")
    for stride in (1, 2, 3):
        if (stride, stride) != conv.stride:
            yield f"stride {stride} instead of {_pair(conv.stride)}", redo(stride=(stride, stride))
    k_rows, k_cols = shape(problem.kernels[0][0])
    pads = resolve_padding(conv, (k_rows, k_cols))
    for pad in range(max(k_rows, k_cols)):
        if (pad,) * 4 != pads:
            yield f"padding {pad} instead of {_pads(pads)}", redo(padding=(pad,) * 4)
    for mode in PADDING_MODES:
        if mode != conv.padding_mode and any(pads):
            yield f"{mode} padding instead of {conv.padding_mode}", redo(padding_mode=mode)
    if quantity == "pooled" and problem.pool is not None:
        kind = "avg" if problem.pool.kind == "max" else "max"
        pooled = dataclasses.replace(problem, pool=dataclasses.replace(problem.pool, kind=kind))
        yield (
            f"{kind} pooling instead of {problem.pool.kind}",
            lambda: expected(solve(pooled), quantity, kernel),
        )


def _gradient_hypotheses(problem: Problem, quantity: str, truth: Tensor3, redo):
    def scaled(factor: Fraction) -> Callable[[], Tensor3]:
        return lambda: tuple(tuple(tuple(v * factor for v in row) for row in m) for m in truth)

    yield "the sign flipped (o − y and y − o swapped)", scaled(Fraction(-1))
    yield "the factor 2 of the square's derivative forgotten", scaled(Fraction(1, 2))
    if problem.target is not None:
        count = sum(len(m) * len(m[0]) for m in problem.target)
        yield (
            f"the 1/{count} of the mean forgotten (a sum instead of a mean)",
            scaled(Fraction(count)),
        )
    if quantity == "grad_weight":
        yield (
            "the gradient flipped like the kernel",
            lambda: tuple(tuple(tuple(reversed(row)) for row in reversed(m)) for m in truth),
        )
    for stride in (1, 2, 3):
        if (stride, stride) != problem.conv.stride:
            yield (
                f"stride {stride} instead of {_pair(problem.conv.stride)}",
                redo(stride=(stride, stride)),
            )


def _relu_early(problem: Problem, quantity: str, kernel: int) -> Tensor3:
    """ReLU(w·x) + b: the activation taken before the bias."""
    conv = dataclasses.replace(problem.conv, activation="relu")
    unbiased = dataclasses.replace(problem, biases=(), conv=conv, pool=None)
    result = solve(unbiased).forward.results[kernel]
    bias = solve(problem).forward.results[kernel].bias
    maps = tuple(tuple(v + bias for v in row) for row in result.output)
    if quantity == "pooled":
        return (pool_forward(maps, problem.pool).output,)
    return (maps,)


def _pair(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))


def _pads(pads: tuple[int, int, int, int]) -> str:
    return str(pads[0]) if len(set(pads)) == 1 else "/".join(map(str, pads))


def _same_shape(a: Tensor3, b: Tensor3) -> bool:
    return len(a) == len(b) and all(shape(x) == shape(y) for x, y in zip(a, b))


def _wrong_cells(answer: Tensor3, truth: Tensor3) -> tuple[tuple[int, int, int], ...]:
    return tuple(
        (c, i, j)
        for c, (mine, right) in enumerate(zip(answer, truth))
        for i, (row_a, row_t) in enumerate(zip(mine, right))
        for j, (a, t) in enumerate(zip(row_a, row_t))
        if not agrees(a, t)
    )


def agrees(typed: Fraction, exact: Fraction) -> bool:
    """Equal, or typed with d ≥ 1 decimals and within half a unit of the last one."""
    if typed == exact:
        return True
    return (
        isinstance(typed, TypedDecimal)
        and typed.places > 0
        and abs(typed - exact) <= typed.tolerance()
    )


def _rounding_note(answer: Tensor3, truth: Tensor3, listed: int = 6) -> str:
    """The verdict's tail for the cells that are not exact: ", rounded as typed: 7.33 ≈ 22/3"."""
    pairs = [
        f"{_typed(a)} ≈ {fmt(t)}"
        for mine, right in zip(answer, truth)
        for row_a, row_t in zip(mine, right)
        for a, t in zip(row_a, row_t)
        if a != t
    ]
    if not pairs:
        return ""
    more = f" and {len(pairs) - listed} more" if len(pairs) > listed else ""
    return f", rounded as typed: {', '.join(pairs[:listed])}{more}"


def _typed(value: TypedDecimal) -> str:
    """The value as typed, "−0.89" (exact: a typed decimal has no more places than typed)."""
    units = abs(value.numerator) * 10**value.places // value.denominator
    whole, part = divmod(units, 10**value.places)
    return f"{MINUS if value < 0 else ''}{whole}.{part:0{value.places}d}"


def _all_cells(answer: Tensor3) -> tuple[tuple[int, int, int], ...]:
    return tuple(
        (c, i, j) for c, m in enumerate(answer) for i in range(len(m)) for j in range(len(m[0]))
    )


def _at(maps: Tensor3, cell: tuple[int, int, int]) -> Fraction:
    c, i, j = cell
    return maps[c][i][j]


def _cells_for_output(cells, answer: Tensor3) -> tuple[tuple[int, ...], ...]:
    """(i, j) for one map, (c, i, j) for several."""
    return tuple(cell[1:] if len(answer) == 1 else cell for cell in cells)


def describe(result: CheckResult) -> str:
    """One line for a status bar: verdict, a few wrong cells, diagnosis."""
    if result.correct:
        return result.diagnosis
    first = ", ".join(f"({', '.join(map(str, c))})" for c in result.wrong_cells[:4])
    extra = len(result.wrong_cells) - 4
    more = f" and {extra} more" if extra > 0 else ""
    return f"Wrong cells: {first}{more}. {result.diagnosis}"
