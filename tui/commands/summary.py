"""`cnn-tui summary`: the layer table of any architecture (shapes, params, RF, MACs)."""

from __future__ import annotations

import argparse
import json

NAME = "summary"
HELP = "layer table of an architecture: output shapes, parameters, receptive field, MACs"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        'Example: cnn-tui summary "Conv2d(3, 6, 5), ReLU(), MaxPool2d(2), Flatten(), '
        'Linear(1176, 10)" --input 3,32,32   or   cnn-tui summary --preset lenet5   or   '
        "cnn-tui summary net.py:Net --arch-args '{\"width\": 64}'"
    )
    parser.add_argument(
        "spec",
        nargs="?",
        metavar="SPEC|FILE|NAME",
        help='layers in PyTorch syntax, e.g. "Conv2d(3, 6, 5), ReLU()", a SPEC file, '
        "a saved design, or FILE.py[:Class]",
    )
    parser.add_argument(
        "--arch-args", metavar="JSON", help="keyword arguments for a Python model class"
    )
    parser.add_argument("--preset", metavar="NAME", help="a model preset, e.g. lenet5")
    parser.add_argument(
        "--input", metavar="C,H,W", help="input shape (default: the preset's, else 3,32,32)"
    )
    parser.add_argument(
        "--width",
        type=int,
        metavar="N",
        help="table width in columns (default: the terminal's; 80 when not a terminal)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument("--markdown", action="store_true", help="print a Markdown table")
    output.add_argument(
        "--code",
        action="store_true",
        help="print the architecture as a PyTorch file (an nn.Sequential subclass; residual "
        "blocks come with their forward)",
    )


def run(args: argparse.Namespace) -> int:
    from core.arch.spec import SpecError, format_module
    from core.arch.table import parse_shape, to_markdown
    from core.models.architecture import resolve

    if (args.spec is None) == (args.preset is None):
        raise SpecError(
            "Give either a SPEC or --preset NAME (or a SPEC file, saved name, FILE.py)."
        )
    shape = parse_shape(args.input) if args.input else None
    if args.preset:
        from core.models.zoo import get_preset

        get_preset(args.preset)  # an unknown name lists the presets
    arch = resolve(args.preset or args.spec, args.arch_args)
    if args.preset and arch.kind != "preset":
        raise SpecError(f"--preset {args.preset}: no such preset; give a SPEC or file instead.")
    if args.code:
        if not arch.has_spec:
            raise SpecError(
                f"{arch.name} is built from Python code, not from a SPEC; it has no SPEC code. "
                "Use --json or --markdown for its layer table."
            )
        print(format_module(arch.layers()), end="")
        return 0
    if shape is None:
        shape = _default_shape(arch)
    table = arch.table(shape)
    if args.json:
        print(json.dumps({"architecture": arch.name, **table.to_json()}))
    elif args.markdown:
        print(to_markdown(table), end="")
    else:
        _print(table, args.width)
    return 0


def _default_shape(arch):
    from core.models.zoo import get_preset

    return get_preset(arch.preset).input_shape if arch.kind == "preset" else (3, 32, 32)


OPTIONAL = ("trainable", "jump", "RF", "MACs")
"""Columns dropped, in this order, when the table would otherwise cut a number."""


def _print(table, width: int | None = None) -> None:
    from rich.console import Console

    from core.arch.table import MAC_CONVENTION

    console = Console() if width is None else Console(width=max(width, 20))
    dropped: list[str] = []
    view, needed = _view(table, dropped)
    while needed > console.width and len(dropped) < len(OPTIONAL):
        dropped.append(OPTIONAL[len(dropped)])
        view, needed = _view(table, dropped)
    console.print(view)
    if dropped:
        console.print(
            f"{console.width} columns: left out {', '.join(dropped)} so that no number is cut "
            "(--width N, --markdown or --json show every column).",
            style="yellow",
        )
    console.print(MAC_CONVENTION, style="dim")
    for note in table.notes():
        console.print(f"not an exact fit: {note}", style="yellow", markup=False)


def _view(table, dropped: list[str]):
    """The layer table as a Rich table (numbers never wrap, names and types fold) and the
    width it needs to show every number whole."""
    from rich.table import Table

    from core.arch.table import cell_text, shape_text

    items = list(table.display())
    columns = {
        "layer": ("total", [("  " * i.depth) + i.name for i in items]),
        "type": ("", [i.type if hasattr(i, "source") else i.label for i in items]),
        "output": ("", [shape_text(i.out_shape) for i in items]),
        "params": (f"{table.total_params:,}", [f"{i.params:,}" for i in items]),
        "trainable": (f"{table.trainable_params:,}", [f"{i.trainable:,}" for i in items]),
        "RF": ("", [cell_text(i, "size") for i in items]),
        "jump": ("", [cell_text(i, "jump") for i in items]),
        "MACs": (f"{table.total_macs:,}", [f"{i.macs:,}" for i in items]),
    }
    view = Table(title=f"input {shape_text(table.input_shape)}", show_footer=True)
    kept = [name for name in columns if name not in dropped]
    needed = 1  # the left border; each column adds its padding and right border
    for name in kept:
        footer, cells = columns[name]
        if name in ("layer", "type"):
            view.add_column(name, footer, overflow="fold", min_width=6)
            needed += 6 + 3
        else:
            longest = max(len(text) for text in [name, footer, *cells])
            view.add_column(name, footer, justify="right", no_wrap=True, min_width=longest)
            needed += longest + 3
    for row, item in enumerate(items):
        view.add_row(
            *(columns[name][1][row] for name in kept),
            style=None if hasattr(item, "source") else "bold",
        )
    return view, needed
