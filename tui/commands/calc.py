"""`cnn-tui calc`: one layer's output size, or the kernel / stride / padding / input that fits."""

from __future__ import annotations

import argparse
import json

NAME = "calc"
HELP = "solve one layer's size formula: output size, padding, kernel, stride or input size"

VALUE_FLAGS = (
    ("in_size", "--in", "input size along one axis (cells)"),
    ("out_size", "--out", "output size along the same axis"),
    ("kernel", "--kernel", "kernel (window) size"),
    ("stride", "--stride", "stride"),
    ("padding", "--padding", "zero padding on each side"),
)


BLANK = "?"  # a value flag given as "?" is solved for (as in core.course.solve)


def _value(text: str) -> int | str:
    if text.strip() == BLANK:
        return BLANK
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number (or ? to solve it)"
        ) from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Give at least three of --in, --out, --kernel, --stride, --padding; the missing ones are "
        "solved (many solutions are counted, their ranges given and the first ones listed). "
        "With --pool a missing --padding is PyTorch's default 0 (--padding ? solves it); with "
        "--transposed a missing --output-padding is solved when --out is given. "
        "Example: cnn-tui calc --in 32 --out 32 --kernel 5 --stride 1  → padding 2."
    )
    for dest, flag, text in VALUE_FLAGS:
        parser.add_argument(flag, dest=dest, type=_value, metavar="N", help=text + " (? solves)")
    parser.add_argument(
        "--dilation", type=int, default=1, metavar="D", help="spacing of kernel taps (default: 1)"
    )
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--transposed", action="store_true", help="a ConvTranspose2d layer")
    kind.add_argument("--pool", action="store_true", help="a MaxPool2d / AvgPool2d layer")
    parser.add_argument(
        "--output-padding",
        type=_value,
        default=None,
        metavar="A",
        help="ConvTranspose2d output_padding (needs --transposed; default: solved when --out is "
        "given, else 0)",
    )
    parser.add_argument(
        "--ceil-mode", action="store_true", help="pooling with ceil_mode=True (needs --pool)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from core.course.solve import calc_solved

    options = {flag.lstrip("-"): getattr(args, dest) for dest, flag, _ in VALUE_FLAGS}
    options |= {
        name: getattr(args, name)
        for name in ("dilation", "transposed", "pool", "output_padding", "ceil_mode")
    }
    solved, kind = calc_solved(options)  # the same solving as a course pack's calc task
    best = solved.solutions[0]
    if args.json:
        print(
            json.dumps(
                {
                    **best.as_dict(),
                    "dilation": args.dilation,
                    "kind": kind,
                    "output_padding": best.output_padding,
                    "ceil_mode": args.ceil_mode,
                    "formula": best.fit.formula,
                    "formula_note": best.fit.note,
                    "exact": best.fit.exact,
                    "dropped": best.fit.dropped,
                    "solved_for": list(solved.missing),
                    "unique": solved.unique,
                    "note": solved.note,
                    "total": solved.total,
                    "ranges": {name: list(span) for name, span in solved.ranges.items()},
                    "solutions": [
                        s.as_dict() | {"output_padding": s.output_padding, "exact": s.fit.exact}
                        for s in solved.solutions
                    ],
                }
            )
        )
        return 0
    _print(solved, kind, args.dilation)
    return 0


def _print(solved, kind: str, dilation: int) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from core.arch.solver import FIELDS

    console = Console()
    best = solved.solutions[0]
    label = {"conv": "Conv2d", "transposed": "ConvTranspose2d", "pool": "pooling"}[kind]
    console.print(f"[b]{label}[/b]: {escape(solved.note)}")
    if solved.unique:
        names = FIELDS + ("dilation",) + (("output_padding",) if kind == "transposed" else ())
        for name in names:
            mark = "  [b]← solved[/b]" if name in solved.missing else ""
            value = dilation if name == "dilation" else getattr(best, name)
            console.print(f"  {name.replace('_', ' '):>14} = {value}{mark}")
        console.print(f"  out = {best.fit.formula}")
        if best.fit.note:
            console.print(f"  ({best.fit.note})")
        if not best.fit.exact:
            console.print(f"  [yellow]{escape(best.fit.drop_note())}[/yellow]")
        return
    extra = ("output_padding",) if kind == "transposed" else ()
    table = Table("in", "out", "kernel", "stride", "padding", *extra, "formula", "exact")
    for solution in solved.solutions:
        table.add_row(
            *(str(v) for v in solution.as_dict().values()),
            *((str(solution.output_padding),) if extra else ()),
            solution.fit.formula,
            "yes" if solution.fit.exact else f"drops {solution.fit.dropped}",
        )
    console.print(table)
