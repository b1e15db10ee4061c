"""`cnn-tui summary`: the layer table of a SPEC or a preset (shapes, params, RF, MACs)."""

from __future__ import annotations

import argparse
import json

NAME = "summary"
HELP = "layer table of an architecture: output shapes, parameters, receptive field, MACs"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        'Example: cnn-tui summary "Conv2d(3, 6, 5), ReLU(), MaxPool2d(2), Flatten(), '
        'Linear(1176, 10)" --input 3,32,32   or   cnn-tui summary --preset lenet5'
    )
    parser.add_argument(
        "spec",
        nargs="?",
        metavar="SPEC",
        help='layers in PyTorch syntax, e.g. "Conv2d(3, 6, 5), ReLU()"',
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
        help="print the architecture as PyTorch nn.Sequential(...) code",
    )


def run(args: argparse.Namespace) -> int:
    from core.arch.spec import SpecError, format_sequential, parse_spec
    from core.arch.table import parse_shape, to_markdown
    from core.models.zoo import get_preset, preset_table

    if (args.spec is None) == (args.preset is None):
        raise SpecError("Give either a SPEC or --preset NAME (not both).")
    shape = parse_shape(args.input) if args.input else None
    if args.preset:
        preset = get_preset(args.preset)
        if args.code:
            if preset.spec is None:
                raise SpecError(
                    f"{preset.name} is built from torchvision; it has no SPEC code. "
                    "Use --json or --markdown for its layer table."
                )
            print(format_sequential(preset.layers()))
            return 0
        table = preset_table(args.preset, shape)
    else:
        from core.arch.table import layer_table

        layers = parse_spec(args.spec)
        if args.code:
            print(format_sequential(layers))
            return 0
        table = layer_table(layers, shape or (3, 32, 32))
    if args.json:
        print(json.dumps(table.to_json()))
    elif args.markdown:
        print(to_markdown(table), end="")
    else:
        _print(table)
    return 0


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
    for row in table.rows:
        view.add_row(
            row.name,
            row.type,
            shape_text(row.out_shape),
            f"{row.params:,}",
            f"{row.trainable:,}",
            cell_text(row, "size"),
            cell_text(row, "jump"),
            f"{row.macs:,}",
        )
    console = Console()
    console.print(view)
    console.print(MAC_CONVENTION, style="dim")
    for note in table.notes():
        console.print(f"not an exact fit: {note}", style="yellow", markup=False)
