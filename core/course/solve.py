"""Solve each task of a pack (the answer is computed here, never read from the pack) and check
a student's answer against it: Conv tasks through the Conv lab's own check and diagnosis,
calculator and layer-table tasks against the computed number or shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from core.course.conv_options import conv_inputs
from core.course.kinds import KINDS, PackError
from core.course.pack import Pack, Task
from core.course.train_target import has_target, run_verdict, target_text, task_architecture
from core.errors import UserError

CORRECT, WRONG, NOT_ANSWERED = "correct", "wrong", "not answered"
BLANK = "?"  # a calc value given as "?" is solved for
CALC_FIELDS = {"in": "in_size", "out": "out_size", "kernel": "kernel", "stride": "stride"}
CALC_FIELDS["padding"] = "padding"
SUMMARY_TOTALS = ("total_params", "trainable_params", "total_macs", "output_shape")
SUMMARY_LAYER = (
    "output_shape", "params", "weights", "biases", "trainable", "macs", "receptive_field",
)  # fmt: skip
_LAYER_ITEM = re.compile(r"^layers\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True)
class Mark:
    """The verdict on one answer to one task."""

    task: str
    status: str  # correct | wrong | not answered
    points: float
    max_points: float
    diagnosis: str  # what is wrong (the likely mistake), or "" when correct / not answered


@dataclass(frozen=True)
class SolvedTask:
    """A task with its answer computed; `check(text)` judges an answer typed as in the app."""

    task: Task
    answer_text: str  # the right answer, as a student would type it ("" for marked-done kinds)
    judge: Callable[[str], tuple[bool, str]] | None  # None: the student marks it done

    def check(self, answer: Any) -> Mark:
        task = self.task
        text = "" if answer is None else _typed(answer)
        if not text.strip():
            return Mark(task.id, NOT_ANSWERED, 0, task.points, "")
        if self.judge is None:
            done = text.strip().lower() in ("done", "true", "yes")
            status = CORRECT if done else NOT_ANSWERED
            return Mark(task.id, status, task.points if done else 0, task.points, "")
        try:
            correct, diagnosis = self.judge(text)
        except UserError as error:
            correct, diagnosis = False, f"Not readable: {error}"
        if correct:
            return Mark(task.id, CORRECT, task.points, task.points, "")
        return Mark(task.id, WRONG, 0, task.points, diagnosis)


def _typed(answer: Any) -> str:
    if isinstance(answer, bool):
        return "done" if answer else ""
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return str(answer)


def solve_pack(pack: Pack, runs_dir: Path | None = None) -> dict[str, SolvedTask]:
    """Every task solved, by id; an unsolvable task is a PackError naming file, line and id.
    A train task with a target checks the run named in the answer, in `runs_dir`."""
    solved = {}
    for task in pack.tasks:
        try:
            solved[task.id] = solve_task(task, runs_dir)
        except UserError as error:
            raise PackError(
                f"{pack.source}, line {task.line}, task {task.id!r}: cannot be solved: {error}"
            ) from None
    return solved


def solve_task(task: Task, runs_dir: Path | None = None) -> SolvedTask:
    if task.kind == "conv":
        return _conv(task)
    if task.kind == "calc":
        return _calc(task)
    if task.kind == "summary":
        return _summary(task)
    if "answer_for" in task.options:
        raise PackError(f"a {task.kind} task has no answer_for: the student marks it done")
    task_architecture(task)  # a train task's network must build and fit the data
    if has_target(task):
        from core.paths import runs_dir as default_runs_dir

        folder = Path(runs_dir) if runs_dir is not None else default_runs_dir()
        return SolvedTask(task, target_text(task), partial(run_verdict, task, folder))
    return SolvedTask(task, "", None)


def answer_checked(task: Task) -> bool:
    """Whether the task's answer is checked (else the student marks it done)."""
    return KINDS[task.kind].checked or has_target(task)


def conv_problem(task: Task):
    """The Conv lab problem of a conv task, its quantity and kernel index (0-based)."""
    problem = conv_inputs(task.options).problem()
    quantity = task.options.get("answer_for") or ("pooled" if problem.pool else "output")
    kernel = task.options.get("answer_kernel", 1)
    if isinstance(kernel, str) and kernel.strip().isdigit():
        kernel = int(kernel)
    if isinstance(kernel, bool) or not isinstance(kernel, int):
        raise PackError("answer_kernel must be a whole number (1 for the first kernel)")
    return problem, quantity, kernel - 1


def _conv(task: Task) -> SolvedTask:
    from core.convlab.check import check_answer, expected
    from core.convlab.matrix import format_channels, parse_channels
    from core.convlab.problem import solve

    problem, quantity, kernel = conv_problem(task)
    truth = expected(solve(problem), quantity, kernel)

    def judge(text: str) -> tuple[bool, str]:
        result = check_answer(problem, parse_channels(text, name="answer"), quantity, kernel)
        return result.correct, result.diagnosis

    return SolvedTask(task, format_channels(truth), judge)


def calc_solved(options: dict[str, Any]):
    """`cnn-tui calc`'s solution for its options (CLI names: in, out, …): shared by the CLI.

    A value "?" is solved for; a pooling layer's missing padding is PyTorch's default 0; a
    transposed layer's missing output_padding is solved when the output is given."""
    from core.arch.shapes import ShapeError
    from core.arch.solver import solve

    options = dict(options)
    if options.get("pool") and options.get("padding") is None:
        options["padding"] = 0  # PyTorch's default for pooling layers
    for name in ("in", "out", "kernel", "stride", "padding", "dilation", "output_padding"):
        value = options.get(name)
        if value == BLANK:
            options[name] = None
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ShapeError(
                f"{name} must be a whole number (or {BLANK} to solve it), not {value!r}."
            )
    if options.get("transposed") and options.get("pool"):
        raise ShapeError("A layer is --transposed or --pool, not both.")
    if options.get("output_padding") is not None and not options.get("transposed"):
        raise ShapeError("--output-padding only applies to --transposed layers.")
    if options.get("ceil_mode") and not options.get("pool"):
        raise ShapeError("--ceil-mode only applies to --pool layers.")
    kind = "transposed" if options.get("transposed") else "pool" if options.get("pool") else "conv"
    known = {dest: options.get(name) for name, dest in CALC_FIELDS.items()}
    solved = solve(
        known,
        dilation=options.get("dilation") or 1,
        kind=kind,
        ceil_mode=bool(options.get("ceil_mode")),
        output_padding=options.get("output_padding"),
    )
    if not solved.solutions:
        raise ShapeError(f"{solved.note} Check the values, or leave a different one blank.")
    return solved, kind


def _calc(task: Task) -> SolvedTask:
    from core.course.diagnose import calc_diagnosis

    solved, kind = calc_solved(task.options)
    fields = {**CALC_FIELDS, "output_padding": "output_padding"}  # a transposed conv's, too
    missing = [name for name, dest in fields.items() if dest in solved.missing]
    asked = task.options.get("answer_for") or (missing[0] if len(missing) == 1 else None)
    if asked not in missing:
        raise PackError(
            f"answer_for must name the value left out, one of: {', '.join(missing)}"
            if asked
            else f"several values are left out ({', '.join(missing)}): say which with answer_for"
        )
    dest = fields[asked]
    values = sorted({getattr(s, dest) for s in solved.solutions})

    def judge(text: str) -> tuple[bool, str]:
        number = parse_number(text)
        if number in values:
            return True, ""
        return False, calc_diagnosis(task.options, kind, asked, number)

    return SolvedTask(task, " or ".join(map(str, values)), judge)


def parse_number(text: str) -> Fraction:
    from core.convlab.matrix import parse_number as parse

    return parse(text.strip().replace("_", "").replace("\u2009", ""), where="answer")


def parse_shape(text: str) -> tuple[int, ...]:
    parts = [p for p in re.split(r"[\s,×x*()\[\]]+", text.strip()) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise PackError(f"{text!r} is not a shape: write it as C,H,W, e.g. 32,17,17.")
    return tuple(int(p) for p in parts)


def summary_table(options: dict[str, Any]):
    """`cnn-tui summary`'s layer table for its options (spec or preset, input)."""
    from core.arch.spec import SpecError
    from core.arch.table import layer_table
    from core.arch.table import parse_shape as shape_of

    spec, preset = options.get("spec"), options.get("preset")
    if (spec is None) == (preset is None):
        raise SpecError("Give either a SPEC or --preset NAME (not both).")
    shape = shape_of(str(options["input"])) if options.get("input") is not None else None
    if preset is not None:
        from core.models.zoo import preset_table

        return preset_table(str(preset), shape)
    return layer_table(str(spec), shape or (3, 32, 32))


def summary_value(table, asked: str) -> int | tuple[int, ...]:
    """The quantity `asked` ("total_params", "layers[3].output_shape", …) of a layer table."""
    if asked in SUMMARY_TOTALS:
        return table.rows[-1].out_shape if asked == "output_shape" else getattr(table, asked)
    found = _LAYER_ITEM.match(asked)
    if not found or found.group(2) not in SUMMARY_LAYER:
        raise PackError(
            f"answer_for {asked!r}: choose one of {', '.join(SUMMARY_TOTALS)}, or "
            f"layers[N].X with X one of {', '.join(SUMMARY_LAYER)}"
        )
    index, item = int(found.group(1)), found.group(2)
    if index >= len(table.rows):
        raise PackError(f"there is no layers[{index}]: the table has {len(table.rows)} rows")
    row = table.rows[index]
    if item == "receptive_field":
        from core.arch.table import cell_text

        text = cell_text(row, "size")  # "7", "7×5", or "—" where it does not apply
        if not text[0].isdigit():
            raise PackError(f"layers[{index}] ({row.type}) has no receptive field to ask for")
        sides = tuple(int(side) for side in text.split("×"))
        return sides[0] if len(sides) == 1 else sides
    return row.out_shape if item == "output_shape" else getattr(row, item)


def _summary(task: Task) -> SolvedTask:
    return summary_solved(task, summary_table(task.options))


def summary_solved(task: Task, table) -> SolvedTask:
    """A summary task judged against a layer table already built for its options (the
    Calculators' quiz builds the table once for all of its cells)."""
    from core.course.diagnose import summary_diagnosis

    asked = str(task.options.get("answer_for") or "total_params")
    value = summary_value(table, asked)

    def judge(text: str) -> tuple[bool, str]:
        if isinstance(value, tuple):
            answer: Any = parse_shape(text)
        else:
            answer = parse_number(text.replace(",", ""))
        if answer == value:
            return True, ""
        return False, summary_diagnosis(table, asked, answer, value)

    shown = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return SolvedTask(task, shown, judge)


def workspace_of(task: Task) -> str:
    return KINDS[task.kind].workspace
