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
        _print(table)
    return 0


def _default_shape(arch):
    from core.models.zoo import get_preset

    return get_preset(arch.preset).input_shape if arch.kind == "preset" else (3, 32, 32)


def _print(table) -> None:
    from rich.console import Console
    from rich.table import Table

    from core.arch.table import MAC_CONVENTION, cell_text, shape_text

    view = Table(title=f"input {shape_text(table.input_shape)}", show_footer=True)
    view.add_column("layer", "total")
    view.add_column("type")
    view.add_column("output")
    view.add_column("params", f"{table.total_params:,}", justify="right")
    view.add_column("trainable", f"{table.trainable_params:,}", justify="right")
    view.add_column("RF", justify="right")
    view.add_column("jump", justify="right")
    view.add_column("MACs", f"{table.total_macs:,}", justify="right")
    for item in table.display():
        indent = "  " * item.depth
        block = not hasattr(item, "source")
        view.add_row(
            indent + item.name,
            item.label if block else item.type,
            shape_text(item.out_shape),
            f"{item.params:,}",
            f"{item.trainable:,}",
            cell_text(item, "size"),
            cell_text(item, "jump"),
            f"{item.macs:,}",
            style="bold" if block else None,
        )
    console = Console()
    console.print(view)
    console.print(MAC_CONVENTION, style="dim")
    for note in table.notes():
        console.print(f"not an exact fit: {note}", style="yellow", markup=False)
