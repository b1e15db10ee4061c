"""What the Convolution lab shows at a step: matrices with highlights, and the arithmetic line.

Pure functions of (solution, view, kernel, cursor), so the screen only moves the cursor
and the tests can check the pictures without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from core.convlab.backward import loss_trace
from core.convlab.check import CheckResult
from core.convlab.conv import kernel_index
from core.convlab.matrix import Matrix, fmt, shape
from core.convlab.problem import Solution
from tui.render.conv import styled_arithmetic
from tui.widgets.matrix import MatrixPicture

VIEW_TITLES = {
    "forward": "forward: conv → bias → activation",
    "pool": "pooling",
    "grad_loss": "backward: E and dE/do",
    "grad_act": "backward through the activation: dE/dz",
    "grad_pool": "backward through pooling: dE/da",
    "grad_weight": "backward: dE/dw",
    "grad_input": "backward: dE/dx",
}
HISTORY = 8
"""Earlier steps listed under the current one on tall terminals."""


@dataclass(frozen=True)
class Stage:
    """Everything the stage area shows for one step."""

    pictures: tuple[MatrixPicture, ...]
    arithmetic: str | Text  # the current cell's full computation
    where: str  # e.g. "step 3/20 · o[0,2] · kernel 1/3"
    grid: tuple[int, int]  # (rows, cols) of the cells being stepped through, for ↑/↓
    history: tuple[str, ...]  # the arithmetic of the steps before this one, latest last


def available_views(solution: Solution) -> tuple[str, ...]:
    views = ["forward"]
    if solution.pooled is not None:
        views.append("pool")
    if solution.backward is not None:
        views.append("grad_loss")
        views += ["grad_pool"] if solution.pooled is not None else []
        views += ["grad_act"] if solution.forward.config.activation != "none" else []
        views += [
            "grad_weight",
            "grad_input",
        ]
    return tuple(views)


def step_grid(solution: Solution, view: str, kernel: int) -> tuple[int, int]:
    """Rows × columns of the cells a view steps through (channels stacked as rows)."""
    if view == "forward":
        return solution.forward.out_shape
    if view == "pool":
        return shape(solution.pooled[kernel].output)
    if view == "grad_loss":
        return shape(solution.final[kernel])
    if view in ("grad_pool", "grad_act"):
        return solution.forward.out_shape
    if view == "grad_weight":
        k_rows, k_cols = shape(solution.problem.kernels[kernel][0])
        return len(solution.problem.kernels[kernel]) * k_rows, k_cols
    rows, cols = shape(solution.problem.x[0])
    return len(solution.problem.x) * rows, cols


def stage(
    solution: Solution,
    view: str,
    kernel: int,
    cursor: int,
    check: CheckResult | None = None,
    wide: bool = False,
    compact: bool = False,
) -> Stage:
    """The pictures and text of one step; `wide` adds the other kernels' maps beside,
    `compact` leaves the zero terms out of gradient sums."""
    grid = step_grid(solution, view, kernel)
    cursor = max(0, min(cursor, grid[0] * grid[1] - 1))
    build = {
        "forward": _forward,
        "pool": _pool,
        "grad_loss": _grad_loss,
        "grad_act": _grad_act,
        "grad_pool": _grad_pool,
        "grad_weight": _grad_weight,
        "grad_input": _grad_input,
    }[view]
    pictures, arithmetic, label = build(solution, kernel, cursor, check, compact)
    if wide and view == "forward":
        pictures += _other_kernels(solution, kernel, cursor)
    kernels = len(solution.forward.results)
    where = f"step {cursor + 1}/{grid[0] * grid[1]} · {label}"
    if kernels > 1:
        where += f" · kernel {kernel + 1}/{kernels}"
    history = tuple(
        str(build(solution, kernel, step, None, compact)[1]).splitlines()[-1]  # E once only
        for step in range(max(0, cursor - HISTORY), cursor)
    )
    return Stage(tuple(pictures), arithmetic, where, grid, history)


def _after(matrix: Matrix, upto: int) -> frozenset[tuple[int, int]]:
    """Cells after the cursor (row-major): not computed yet."""
    rows, cols = shape(matrix)
    return frozenset((i, j) for i in range(rows) for j in range(cols) if i * cols + j > upto)


def _wrong(check: CheckResult | None, quantities: tuple[str, ...], channel: int = 0):
    if check is None or check.correct or check.quantity not in quantities:
        return frozenset()
    return frozenset(
        cell[-2:] for cell in check.wrong_cells if len(cell) == 2 or cell[0] == channel
    )


def _padded_pictures(solution: Solution, windows: dict[int, frozenset]) -> list[MatrixPicture]:
    forward = solution.forward
    pictures = []
    for c, channel in enumerate(forward.padded):
        values = tuple(tuple(cell.value for cell in row) for row in channel)
        padding = frozenset(
            (i, j) for i, row in enumerate(channel) for j, cell in enumerate(row) if cell.padding
        )
        title = "padded input" if any(forward.pads) else "input"
        if len(forward.padded) > 1:
            title += f" c{c + 1}"
        pictures.append(MatrixPicture(title, values, windows.get(c, frozenset()), padding))
    return pictures


def _kernel_pictures(solution: Solution, kernel: int) -> list[MatrixPicture]:
    result = solution.forward.results[kernel]
    flipped = solution.forward.config.mode == "convolution"
    name = f"kernel {kernel + 1}" if len(solution.forward.results) > 1 else "kernel"
    title = f"{name} flipped" if flipped else name
    return [
        MatrixPicture(title + (f" c{c + 1}" if len(result.applied) > 1 else ""), m)
        for c, m in enumerate(result.applied)
    ]


def _forward(solution: Solution, kernel: int, cursor: int, check, compact=False):
    result = solution.forward.results[kernel]
    step = result.steps[cursor]
    windows: dict[int, set] = {}
    for term in step.terms:
        windows.setdefault(term.channel, set()).add((term.row, term.col))
    pictures = _padded_pictures(solution, {c: frozenset(w) for c, w in windows.items()})
    pictures += _kernel_pictures(solution, kernel)
    quantity = "pre-activation" if check and check.quantity == "pre_activation" else "output"
    pictures.append(
        MatrixPicture(
            f"{quantity} (bias {fmt(result.bias)})",
            result.output,
            current=step.out,
            wrong=_wrong(check, ("output", "pre_activation")),
            hidden=_after(result.output, cursor),
        )
    )
    i, j = step.out
    return pictures, styled_arithmetic(f"o[{i},{j}] = ", step), f"o[{i},{j}]"


def _other_kernels(solution: Solution, kernel: int, cursor: int) -> list[MatrixPicture]:
    """The same step for every other kernel, so patterns across filters show (A1 c)."""
    pictures = []
    for k, result in enumerate(solution.forward.results):
        if k != kernel:
            pictures += _kernel_pictures(solution, k)
            pictures.append(
                MatrixPicture(
                    f"output {k + 1}",
                    result.output,
                    current=result.steps[cursor].out,
                    hidden=_after(result.output, cursor),
                )
            )
    return pictures


def _pool(solution: Solution, kernel: int, cursor: int, check, compact=False):
    pooled = solution.pooled[kernel]
    step = pooled.steps[cursor]
    conv_out = solution.forward.results[kernel].output
    cells = frozenset((r, c) for r, c, _ in step.cells)
    marked = frozenset([step.argmax]) if step.argmax else frozenset()
    pictures = [
        MatrixPicture("conv output", conv_out, cells, marked=marked),
        MatrixPicture(
            f"{solution.problem.pool.kind} pooled",
            pooled.output,
            current=step.out,
            wrong=_wrong(check, ("pooled",)),
            hidden=_after(pooled.output, cursor),
        ),
    ]
    i, j = step.out
    return pictures, f"p[{i},{j}] = {step.arithmetic()}", f"p[{i},{j}]"


def _grad_loss(solution: Solution, kernel: int, cursor: int, check, compact=False):
    """A4: E = mean((o − y)²) with its terms, then dE/do = 2(o − y)/N cell by cell."""
    back, final = solution.backward, solution.final[kernel]
    cell = divmod(cursor, len(final[0]))
    grad = back.grad_final[kernel]
    pictures = [MatrixPicture("o (final output)", final, current=cell)]
    target = solution.problem.target
    if target is None:  # the upstream gradient was typed: nothing to derive
        pictures.append(MatrixPicture("dE/do (given)", grad, current=cell))
        return (
            pictures,
            f"dE/do[{cell[0]},{cell[1]}] = {fmt(grad[cell[0]][cell[1]])} (given)",
            (f"o[{cell[0]},{cell[1]}]"),
        )
    pictures.append(MatrixPicture("y (target)", target[kernel], current=cell))
    pictures.append(MatrixPicture("dE/do", grad, current=cell, hidden=_after(grad, cursor)))
    loss = loss_trace(solution.final, target, back.loss).arithmetic()
    text = f"{loss}\n{back.final_traces[kernel][cursor].arithmetic()}"
    return pictures, text, f"o[{cell[0]},{cell[1]}]"


def _grad_act(solution: Solution, kernel: int, cursor: int, check, compact=False):
    """A4: dE/dz = dE/da · ReLU'(z), the chain through the activation."""
    back, result = solution.backward, solution.forward.results[kernel]
    cell = divmod(cursor, len(result.output[0]))
    grad = back.grad_pre[kernel]
    pictures = [
        MatrixPicture("z (pre-act.)", result.pre_activation, current=cell),
        MatrixPicture("dE/da", back.grad_output[kernel], current=cell),
        MatrixPicture("dE/dz", grad, current=cell, hidden=_after(grad, cursor)),
    ]
    return pictures, back.pre_traces[kernel][cursor].arithmetic(), f"z[{cell[0]},{cell[1]}]"


def _grad_pool(solution: Solution, kernel: int, cursor: int, check, compact=False):
    """A4: each pooled gradient goes to its window's argmax (max) or is spread (avg)."""
    back, pooled = solution.backward, solution.pooled[kernel]
    conv_out = solution.forward.results[kernel].output
    cols = len(conv_out[0])
    cell = divmod(cursor, cols)
    senders = frozenset(
        step.out
        for step in pooled.steps
        if (step.argmax == cell)
        or (step.argmax is None and any((r, c) == cell for r, c, _ in step.cells))
    )
    argmaxes = frozenset(step.argmax for step in pooled.steps if step.argmax is not None)
    grad = back.grad_output[kernel]
    pictures = [
        MatrixPicture("conv output", conv_out, marked=argmaxes, current=cell),
        MatrixPicture("dE/dp (pooled)", back.grad_final[kernel], senders),
        MatrixPicture("dE/da", grad, current=cell, hidden=_after(grad, cursor)),
    ]
    trace = back.output_traces[kernel][cursor]
    return pictures, trace.arithmetic(), f"a[{cell[0]},{cell[1]}]"


def _grad_weight(solution: Solution, kernel: int, cursor: int, check, compact=False):
    back, config = solution.backward, solution.forward.config
    result = solution.forward.results[kernel]
    k_rows, k_cols = shape(result.kernel[0])
    channel, rest = divmod(cursor, k_rows * k_cols)
    s, t = divmod(rest, k_cols)
    a, b = kernel_index(config.mode, (k_rows, k_cols), s, t)
    out_rows, out_cols = solution.forward.out_shape
    window = frozenset(
        (
            i * config.stride[0] + a * config.dilation[0],
            j * config.stride[1] + b * config.dilation[1],
        )
        for i in range(out_rows)
        for j in range(out_cols)
    )
    pictures = _padded_pictures(solution, {channel: window})
    pictures += _loss_pictures(solution, kernel)
    grad = back.grad_weight[kernel][channel]
    title = "dE/dw" + (f" c{channel + 1}" if len(result.kernel) > 1 else "")
    pictures.append(
        MatrixPicture(
            title,
            grad,
            current=(s, t),
            hidden=_after(grad, rest),
            wrong=_wrong(check, ("grad_weight",), channel),
        )
    )
    return pictures, back.weight_traces[kernel][cursor].arithmetic(compact), f"w[{s},{t}]"


def _grad_input(solution: Solution, kernel: int, cursor: int, check, compact=False):
    back = solution.backward
    rows, cols = shape(solution.problem.x[0])
    channel, rest = divmod(cursor, rows * cols)
    r, c = divmod(rest, cols)
    result = solution.forward.results[kernel]
    padded = solution.forward.padded[channel]
    touching = frozenset(
        step.out
        for step in result.steps
        for term in step.terms
        if term.channel == channel and padded[term.row][term.col].source == (r, c)
    )
    pictures = _loss_pictures(solution, kernel)
    pictures[-1] = MatrixPicture(pictures[-1].title, pictures[-1].values, touching)
    pictures += _kernel_pictures(solution, kernel)
    title = "dE/dx" + (f" c{channel + 1}" if len(solution.problem.x) > 1 else "")
    grad = back.grad_input[channel]
    pictures.append(
        MatrixPicture(
            title,
            grad,
            current=(r, c),
            hidden=_after(grad, rest),
            wrong=_wrong(check, ("grad_input",), channel),
        )
    )
    return pictures, back.input_traces[cursor].arithmetic(compact), f"x[{r},{c}]"


def _loss_pictures(solution: Solution, kernel: int) -> list[MatrixPicture]:
    """dE/dz, the gradient both dE/dw and dE/dx are summed from (dE/dp has its own view)."""
    return [MatrixPicture("dE/dz (pre-act.)", solution.backward.grad_pre[kernel])]
