"""Markup for the Calculators screen: the solved layer, table cells and the receptive-field grid."""

from __future__ import annotations

import math

from textual.markup import escape

from core.arch.receptive import Region
from core.arch.solver import Solved
from core.arch.table import LayerTable, cell_text, shape_text
from core.course.calc_quiz import CalcQuiz

GENERAL = {
    "conv": "out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1",
    "pool": "out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 "
    "(⌈…⌉ with ceil_mode)",
    "transposed": "out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1",
}
"""The formula each layer kind follows, before numbers are put in."""

LABELS = {
    "in_size": "in",
    "out_size": "out",
    "kernel": "kernel",
    "stride": "stride",
    "padding": "padding",
}
MAX_LISTED = 12  # solutions listed on screen; the rest are counted


def solved_markup(
    solved: Solved, kind: str, dilation: int = 1, quiz: CalcQuiz | None = None
) -> str:
    """The answer of the single-layer calculator, with the user's numbers in the formula; in
    quiz mode (`quiz` with values still to answer) the solved values show "?" and nothing
    that gives them away (formula with numbers, notes, the list of solutions) is shown."""
    lines = [f"[$text-muted]{GENERAL[kind]}[/]", ""]
    if not solved.solutions:
        return "\n".join(lines + [f"[$text-error]{escape(solved.note)}[/]"])
    if quiz is not None and quiz.items:
        if not quiz.done:
            return "\n".join(lines + quiz_lines(solved, kind, dilation, quiz))
        lines.insert(0, f"[b]Quiz done:[/b] {escape(quiz.score())}")
    lines.append(f"[b]{escape(solved.note)}[/b]")
    if solved.unique:
        best = solved.solutions[0]
        shown = dict(LABELS, dilation="dilation")
        if kind == "transposed":
            shown["output_padding"] = "output_padding"
        values = "   ".join(
            f"[b $accent]{label} = {_value(best, name, dilation)}[/]"
            if name in solved.missing
            else f"{label} = {_value(best, name, dilation)}"
            for name, label in shown.items()
        )
        lines += [values, f"out = {best.fit.formula}"]
        if best.fit.note:
            lines.append(f"[$text-muted]({escape(best.fit.note)})[/]")
        if not best.fit.exact:
            lines.append(f"[$text-warning]{escape(best.fit.drop_note())}.[/]")
        return "\n".join(lines)
    for solution in solved.solutions[:MAX_LISTED]:
        picked = ", ".join(
            f"{LABELS.get(n, n)} = {_value(solution, n, dilation)}" for n in solved.missing
        )
        tail = "" if solution.fit.exact else f"  [$text-warning](drops {solution.fit.dropped})[/]"
        lines.append(f"• {picked}:  out = {solution.fit.formula}{tail}")
    hidden = len(solved.solutions) - MAX_LISTED
    if solved.truncated:
        lines.append("[$text-muted]… and more (the note above counts them)[/]")
    elif hidden > 0:
        lines.append(f"[$text-muted]… and {hidden} more[/]")
    return "\n".join(lines)


def _value(solution, name: str, dilation: int) -> int:
    return dilation if name == "dilation" else getattr(solution, name)


QUIZ_NAMES = {"in_size": "in", "out_size": "out"}
"""The solver's field names as the quiz (and `cnn-tui calc`) names them."""


def quiz_lines(solved: Solved, kind: str, dilation: int, quiz: CalcQuiz) -> list[str]:
    """The values line with the solved ones hidden ("?") or marked ✓ / ✗ / (revealed)."""
    asked = [quiz.labels[key] for key in quiz.keys]
    several = "" if solved.unique else " (several values fit: any one that fits is right)"
    lines = [f"[b]Quiz: solve for {escape(', '.join(asked))}{several}.[/b]"]
    shown = dict(LABELS, dilation="dilation")
    if kind == "transposed":
        shown["output_padding"] = "output_padding"
    best = solved.solutions[0]
    values = []
    for name, label in shown.items():
        key = QUIZ_NAMES.get(name, name)
        if name not in solved.missing:
            values.append(f"{label} = {_value(best, name, dilation)}")
            continue
        state = quiz.state(key) if key in quiz.items else "hidden"
        typed = escape(quiz.entries.get(key, ""))
        if state == "revealed":
            values.append(f"[b]{label} = {escape(quiz.answer(key))} (revealed)[/b]")
        elif state == "right":
            values.append(f"[b $success]{label} = {typed} ✓[/]")
        else:
            wrong = f" [$text-error]✗ {typed}[/]" if state == "wrong" else ""
            values.append(f"[b]{label} = ?[/b]{wrong}")
    lines.append("   ".join(values))
    lines.append(f"Score: {escape(quiz.score())}")
    lines.append("[$text-muted]The formula with your numbers shows once every value is in.[/]")
    return lines


COLUMNS = (
    "layer",
    "type",
    "output",
    "params",
    "weights",
    "biases",
    "trainable",
    "RF",
    "jump",
    "MACs",
)


COLUMN_KEYS = dict(zip(COLUMNS[2:], ("output_shape", "params", "weights", "biases")))
COLUMN_KEYS.update(trainable="trainable", RF="receptive_field", jump="jump", MACs="macs")
"""The table's columns as the quiz (and a summary task's answer_for) names them."""


def table_cells(table: LayerTable, quiz: CalcQuiz | None = None) -> list[tuple[str, ...]]:
    """DataTable rows (in COLUMNS order): one per layer, then the totals; in quiz mode a value
    to answer shows "?" (✗ and the last entry when it was wrong), an answered one ✓, a
    revealed one *, and a number that would give a hidden one away "·"."""
    rows = _plain_cells(table)
    if quiz is None:
        return rows
    count = len(table.rows)
    # each column as wide as its widest value (and mark) from the start: no answer widens it
    widths = [
        max(len(cells[x]) for cells in rows) + (len(" ✓") if name in MARKED else 0)
        for x, name in enumerate(COLUMNS)
    ]
    return [
        tuple(
            _quiz_cell(
                quiz, index if index < count else None, COLUMN_KEYS.get(name), text, count
            ).ljust(width)[: max(width, len(text))]
            for name, text, width in zip(COLUMNS, cells, widths)
        )
        for index, cells in enumerate(rows)
    ]


MARKED = ("output", "params", "RF", "MACs")
"""Columns whose cells are quiz values (marked ✓, ✗ or *)."""


def _quiz_cell(quiz: CalcQuiz, row: int | None, column: str | None, text: str, count: int):
    if column is None or not text or text == "—":
        return text
    key = quiz.table_key(row, column, count)
    if key is None:
        return "·" if quiz.concealed(row, column, count) else text
    typed = quiz.entries.get(key, "")
    return {
        "hidden": "?",
        "wrong": f"? ✗{typed}",
        "right": f"{text} ✓",
        "revealed": f"{text} *",
    }[quiz.state(key)]


def _plain_cells(table: LayerTable) -> list[tuple[str, ...]]:
    rows = [
        (
            row.name,
            row.source,
            shape_text(row.out_shape),
            f"{row.params:,}",
            f"{row.weights:,}",
            f"{row.biases:,}",
            f"{row.trainable:,}",
            cell_text(row, "size"),
            cell_text(row, "jump"),
            f"{row.macs:,}",
        )
        for row in table.rows
    ]
    rows.append(
        (
            "total",
            "",
            "",
            f"{table.total_params:,}",
            f"{sum(row.weights for row in table.rows):,}",
            f"{sum(row.biases for row in table.rows):,}",
            f"{table.trainable_params:,}",
            "",
            "",
            f"{table.total_macs:,}",
        )
    )
    return rows


def table_status(table: LayerTable, quiz: CalcQuiz | None = None) -> str:
    """Totals above the table, and the layers whose windows do not fit evenly; in quiz mode
    the totals and the receptive-field sum only once nothing they give away is hidden."""
    if quiz is not None and (quiz.hides("params") or quiz.hides("shape")):
        lines = [
            f"[b]Quiz:[/b] {escape(quiz.score())}. ? to answer (a or Enter on the cell), "
            "· hidden until then, ✓ right, ✗ wrong, * revealed."
        ]
    else:
        lines = [
            f"[b]{table.total_params:,}[/b] parameters, [b]{table.trainable_params:,}[/b] "
            f"trainable ({table.total_params - table.trainable_params:,} frozen), "
            f"{table.total_macs:,} MACs per image (Conv/Linear weights only)"
        ]
        if quiz is not None:
            lines.append(f"[b]Quiz:[/b] {escape(quiz.score())}")
    lines += [f"[$text-warning]not exact: {escape(note)}[/]" for note in table.notes()]
    closed = None if quiz is not None and quiz.hides("field") else field_sum(table)
    if closed:
        lines.append(closed)
    return "\n".join(lines)


def field_sum(table: LayerTable) -> str | None:
    """B5's general formula for the last layer with a receptive field, with its numbers:
    RF = 1 + Σ (kᵢ − 1)·dᵢ·(s₁·…·sᵢ₋₁) over the window layers (height axis)."""
    rows = [i for i, row in enumerate(table.rows) if row.field is not None]
    if not rows:
        return None
    terms, jump = [], 1
    for step in table.steps[: rows[-1] + 1]:
        if step is None:  # a residual block or resampling: no single chain of windows
            return None
        layer = step[0].layer
        if step[0].adaptive:
            return None
        if layer is None:
            continue
        dil = "" if layer.dilation == 1 else f"·{layer.dilation}"
        terms.append(f"({layer.kernel}−1){dil}·{jump}")
        jump *= layer.stride
    if not terms:
        return None
    size = table.rows[rows[-1]].field[0].size
    return (
        f"[$text-muted]RF after layer {table.rows[rows[-1]].name} = 1 + Σ (kᵢ − 1)·dᵢ·"
        f"(s₁·…·sᵢ₋₁) = 1 + {' + '.join(terms)} = [b]{size}[/b][/]"
    )


def field_formula(table: LayerTable, row_index: int) -> str | None:
    """The receptive-field recurrence for one layer with its numbers, or None if it has none."""
    row, step = table.rows[row_index], table.steps[row_index]
    if row.field is None or step is None:
        return None
    before = table.rows[row_index - 1].field if row_index else None
    size, jump = (before[0].size, before[0].jump) if before else (1, 1)
    layer = step[0].layer
    if layer is None and not step[0].adaptive:
        return f"pointwise layer: RF stays {row.field[0].size}, jump stays {row.field[0].jump}"
    kernel, stride, dilation = (
        (layer.kernel, layer.stride, layer.dilation)
        if layer
        else (step[0].in_size // step[0].out_size, step[0].in_size // step[0].out_size, 1)
    )
    dil = "" if dilation == 1 else f"·{dilation}"
    return (
        f"RF = r + (k − 1)·d·j = {size} + ({kernel} − 1){dil}·{jump} = {row.field[0].size};"
        f"  jump = j·s = {jump}·{stride} = {row.field[0].jump}  (height axis)"
    )


def region_summary(
    table: LayerTable, row_index: int, cell: tuple[int, int], region: tuple[Region, Region]
) -> str:
    """One paragraph: which input rows/cols the chosen cell sees and how much is padding."""
    row = table.rows[row_index]
    parts = [
        f"Layer [b]{row.name}[/b] {escape(row.source)} → {shape_text(row.out_shape)}, "
        f"cell (y={cell[0]}, x={cell[1]}):"
    ]
    for axis, name in ((0, "rows"), (1, "cols")):
        found = region[axis]
        inside = found.inside
        seen = "nothing but padding" if inside is None else f"input {name} {inside[0]}…{inside[1]}"
        parts.append(
            f"{name} {found.start}…{found.end} ({found.size} wide, "
            f"{found.padding_cells} in padding): {seen}"
        )
    if row.field is not None:
        parts.append(f"receptive field {cell_text(row, 'size')}, jump {cell_text(row, 'jump')}")
    formula = field_formula(table, row_index)
    if formula:
        parts.append(formula)
    return "\n".join(parts)


def grid_markup(region: tuple[Region, Region], max_cells: int = 72) -> str:
    """The input grid with the chosen cell's field: █ read, ▒ skipped (dilation), ░ padding.

    Small grids use two characters per cell (square-ish); grids larger than `max_cells` are
    shown in blocks of cells.
    """
    rows, cols = region
    top, bottom = min(rows.start, 0), max(rows.end, rows.input_size - 1)
    left, right = min(cols.start, 0), max(cols.end, cols.input_size - 1)
    scale = max(1, math.ceil(max(bottom - top + 1, right - left + 1) / max_cells))
    width = 2 if (right - left + 1) // scale <= 36 else 1
    lines = []
    for y0 in range(top, bottom + 1, scale):
        cells = []
        for x0 in range(left, right + 1, scale):
            ys, xs = range(y0, min(y0 + scale, bottom + 1)), range(x0, min(x0 + scale, right + 1))
            cells.append(_block(rows, cols, ys, xs, width))
        lines.append("".join(cells))
    legend = (
        "[$accent]█[/] read  [$secondary]▒[/] in the field, not read (dilation)  "
        "[$warning]░[/] padding  [$text-muted]·[/] input outside the field"
    )
    if scale > 1:
        legend += f"  (one mark = {scale}×{scale} cells)"
    return "\n".join(lines + ["", legend])


def _block(rows: Region, cols: Region, ys: range, xs: range, width: int) -> str:
    in_field = any(rows.start <= y <= rows.end for y in ys) and any(
        cols.start <= x <= cols.end for x in xs
    )
    on_input = any(0 <= y < rows.input_size for y in ys) and any(
        0 <= x < cols.input_size for x in xs
    )
    if any(y in rows.cells for y in ys) and any(x in cols.cells for x in xs):
        return f"[$accent]{'█' * width}[/]"
    if in_field and not on_input:
        return f"[$warning]{'░' * width}[/]"
    if in_field:
        return f"[$secondary]{'▒' * width}[/]"
    if not on_input:
        return " " * width
    return f"[$text-muted]{'·' * width}[/]"
