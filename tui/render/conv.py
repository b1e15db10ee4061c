"""Rich rendering of a solved convolution example for the terminal (the `cnn-tui conv` output)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from core.convlab.backward import loss_trace
from core.convlab.check import CheckResult, describe
from core.convlab.conv import ConvStep, unread_note
from core.convlab.matrix import Matrix, fmt, fmt_signed
from core.convlab.problem import Solution


def matrix_table(
    matrix: Matrix,
    title: str,
    marked: set[tuple[int, int]] | None = None,
    padded: set[tuple[int, int]] | None = None,
) -> Group:
    """A matrix under its title (the title does not widen the columns); marked cells bold red,
    padding cells dim."""
    table = Table(show_header=False, box=None, padding=(0, 0, 0, 1))
    for _ in matrix[0] if matrix else ():
        table.add_column(justify="right")
    for i, row in enumerate(matrix):
        cells = []
        for j, value in enumerate(row):
            style = (
                "bold red"
                if marked and (i, j) in marked
                else "dim"
                if padded and (i, j) in padded
                else ""
            )
            cells.append(Text(fmt(value), style=style))
        table.add_row(*cells)
    return Group(Text(title, style="italic"), table)


def settings_line(solution: Solution) -> str:
    """The convolution settings in words, e.g. "stride 1 · padding 1 (zeros) · convolution"."""
    config, forward = solution.forward.config, solution.forward
    pads = set(forward.pads)
    padding = (
        f"padding {pads.pop()}"
        if len(pads) == 1
        else "padding {} top, {} bottom, {} left, {} right".format(*forward.pads)
    )
    if any(forward.pads):
        padding += f" ({config.padding_mode})"
    mode = (
        "convolution (kernel flipped)"
        if config.mode == "convolution"
        else "cross-correlation (as nn.Conv2d)"
    )
    parts = [
        f"stride {_pair(config.stride)}",
        padding,
        f"dilation {_pair(config.dilation)}",
        mode,
        "ReLU" if config.activation == "relu" else "no activation",
    ]
    pool = solution.problem.pool
    if pool is not None:
        parts.append(
            f"{pool.kind} pooling {_pair(pool.kernel)}"
            + (f" stride {_pair(pool.stride)}" if pool.stride else "")
        )
    return " · ".join(parts)


def _pair(values: tuple[int, int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"{values[0]},{values[1]}"


def styled_arithmetic(prefix: str, step: ConvStep) -> Text:
    """The step's arithmetic; values that came from padding are italic and underlined."""
    text = Text(prefix)
    for index, term in enumerate(step.terms):
        if index:
            text.append(" + ")
        text.append(fmt_signed(term.x), style="italic underline" if term.padding else "")
        text.append(f"·{fmt_signed(term.w)}")
    text.append(step.after_products())
    return text


def print_report(
    solution: Solution,
    check: CheckResult | None,
    *,
    steps: bool,
    compact: bool = False,
    console: Console | None = None,
) -> None:
    """Inputs, outputs per kernel (and their steps), pooling, gradients, the check."""
    console = console or Console()
    forward = solution.forward
    padding = {
        (i, j)
        for i, row in enumerate(forward.padded[0])
        for j, cell in enumerate(row)
        if cell.padding
    }
    for c, channel in enumerate(forward.padded):
        values = tuple(tuple(cell.value for cell in row) for row in channel)
        label = f"padded input, channel {c + 1}" if len(forward.padded) > 1 else "padded input"
        if not padding:
            label = label.replace("padded input", "input")
        console.print(
            matrix_table(values, f"{label} (padding dim)" if padding else label, padded=padding)
        )
    config = forward.config
    console.print(Text(settings_line(solution), style="dim"))
    note = unread_note(forward)
    if note:
        console.print(Text(note, style="yellow"))
    for k, result in enumerate(forward.results):
        head = f"kernel {k + 1}" if len(forward.results) > 1 else "kernel"
        tables = [matrix_table(m, f"{head} (as typed)") for m in result.kernel]
        if config.mode == "convolution":
            tables += [matrix_table(m, "flipped (as applied)") for m in result.applied]
        tables.append(matrix_table(result.output, f"output (bias {fmt(result.bias)})"))
        if solution.pooled is not None:
            tables.append(matrix_table(solution.pooled[k].output, "pooled"))
        grid = Table.grid(padding=(0, 4))
        grid.add_row(*tables)
        console.print(grid)
        if steps:
            if padding:
                console.print(
                    Text("  (italic underlined values come from the padding)", style="dim")
                )
            for step in result.steps:
                console.print(styled_arithmetic(f"  o[{step.out[0]},{step.out[1]}]: ", step))
            if solution.pooled is not None:
                for step in solution.pooled[k].steps:
                    console.print(f"  p[{step.out[0]},{step.out[1]}]: {step.arithmetic()}")
    if solution.backward is not None:
        _print_backward(solution, console, steps, compact)
    if check is not None:
        style = "bold green" if check.correct else "bold red"
        console.print(Text(describe(check), style=style))


def _print_backward(solution: Solution, console: Console, steps: bool, compact: bool) -> None:
    back = solution.backward
    if back.loss is not None:
        trace = loss_trace(solution.final, solution.problem.target, back.loss)
        text = trace.arithmetic() if steps else f"E = mean((o − y)²) = {fmt(back.loss)}"
        console.print(Text(text, style="bold"))
    for k, grad in enumerate(back.grad_weight):
        suffix = f"{k + 1}" if len(back.grad_weight) > 1 else ""
        parts = [matrix_table(back.grad_final[k], "dE/d(final output)")]
        if solution.pooled is not None:
            parts.append(matrix_table(back.grad_output[k], "dE/do (before pooling)"))
        parts += [matrix_table(m, f"dE/dw{suffix}") for m in grad]
        grid = Table.grid(padding=(0, 4))
        grid.add_row(*parts)
        console.print(Group(grid, Text(f"dE/db{suffix} = {fmt(back.grad_bias[k])}")))
    grid = Table.grid(padding=(0, 4))
    grid.add_row(*[matrix_table(m, "dE/dx") for m in back.grad_input])
    console.print(grid)
    if steps:
        traces = [t for ts in back.final_traces for t in ts]
        traces += [t for ts in back.output_traces for t in ts]
        traces += [t for ts in back.pre_traces for t in ts]
        traces += [t for ts in back.weight_traces for t in ts] + list(back.bias_traces)
        traces += list(back.input_traces)
        for trace in traces:
            console.print(f"  {trace.arithmetic(compact)}", highlight=False)
