"""`cnn-tui data show`: exercise D1 headless: examples per class, augmentations, balance.

Registered by `tui/commands/data.py` as one of its actions.
"""

from __future__ import annotations

import argparse
import json
import shutil

from core.data.datasets import DATASET_NAMES
from tui.commands._numbers import whole

MAX_THUMB = 256
"""Largest thumbnail side: every example is scaled to it (256 px, 10×10 images: 20 MB)."""
MIN_WIDTH = 50
"""Narrowest --width: the class-balance table keeps CIFAR-10's class names and counts whole
from 46 columns on (its counts wrap below 54)."""

EPILOG = """examples:
  cnn-tui data show                                  # 10 training images per class
  cnn-tui data show --dataset cifar10 --per-class 5 --page 2 --split test
  cnn-tui data show --augment flip,crop,jitter --copies 3
  cnn-tui data show --out grid.png                   # labelled PNG grid instead
"""


def add_show_parser(actions, add_data_dir) -> None:
    """Add `show` to the `data` command's actions."""
    show = actions.add_parser(
        "show",
        help="examples per class as terminal images or a PNG (and augmentations)",
        description="Show N examples of every class with their labels, in the terminal or as a "
        "labelled PNG grid; with --augment, each first example beside augmented copies made "
        "by the training pipeline itself. Ends with the class balance of both splits.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    show.add_argument(
        "--dataset",
        choices=DATASET_NAMES,
        help="dataset (default: cifar10 when its files are present, else shapes)",
    )
    show.add_argument("--split", choices=("train", "test"), default="train", help="default train")
    show.add_argument(
        "--per-class",
        type=whole(1, 100),
        default=10,
        metavar="N",
        help="examples per class (default 10)",
    )
    show.add_argument(
        "--page", type=whole(0, 10**6), default=0, metavar="P", help="page of examples, from 0"
    )
    show.add_argument(
        "--augment",
        metavar="LIST",
        help="show augmented copies instead: any of flip,crop,jitter,normalize (or none)",
    )
    show.add_argument(
        "--copies",
        type=whole(1, 16),
        default=3,
        metavar="K",
        help="augmented copies per image (default 3)",
    )
    show.add_argument(
        "--seed", type=whole(0, 2**32 - 1), default=0, help="seed of the augmentation draws"
    )
    show.add_argument(
        "--size",
        type=whole(1, MAX_THUMB, " (a thumbnail is drawn at that size for every image)"),
        metavar="PX",
        help="thumbnail size in terminal cells (default: fit the terminal width)",
    )
    show.add_argument(
        "--width",
        type=whole(MIN_WIDTH, 10_000),
        metavar="N",
        help="output width in columns (default: the terminal's; 80 when not a terminal)",
    )
    show.add_argument("--out", metavar="FILE.png", help="write a labelled PNG grid instead")
    add_data_dir(show)
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(data_action=run_show)


def run_show(args: argparse.Namespace) -> int:
    from core.data.cache import load_dataset_cached
    from core.data.datasets import default_dataset_name
    from core.data.view import AugmentChoice, class_counts, examples_per_class, split_of
    from core.errors import UserError

    if args.page < 0:
        raise UserError(f"--page must be 0 or more, not {args.page}.")
    if args.copies < 1:
        raise UserError(f"--copies must be at least 1, not {args.copies}.")
    choice = AugmentChoice.from_names(args.augment) if args.augment is not None else None
    name = args.dataset or default_dataset_name(args.data_dir)
    dataset = load_dataset_cached(name, args.data_dir)
    split = split_of(dataset, args.split)
    num_classes = len(dataset.classes)
    indices = examples_per_class(split, num_classes, args.per_class, args.page)
    if not any(len(chosen) for chosen in indices):
        raise UserError(f"Page {args.page} is past the end of the {args.split} split; try 0.")
    summary = {
        "dataset": dataset.name,
        "title": dataset.title,
        "synthetic": dataset.synthetic,
        "split": args.split,
        "page": args.page,
        "classes": list(dataset.classes),
        "indices": [chosen.tolist() for chosen in indices],
        "class_counts": {
            s: list(class_counts(split_of(dataset, s), num_classes)) for s in ("train", "test")
        },
    }
    if choice is not None:
        rows, titles = _augment_rows(dataset, split, indices, choice, args)
        summary["augment"] = choice.describe()
    else:
        titles = None
        rows = [
            (dataset.classes[label], [split.images[i] for i in chosen])
            for label, chosen in enumerate(indices)
        ]
    if args.out:
        from core.data.png import write_grid_png

        heading = f"{dataset.title}, {args.split} split" + (
            f", augment: {choice.describe()}" if choice is not None else ""
        )
        summary["out"] = str(write_grid_png(args.out, rows, titles, title=heading))
    if args.json:
        print(json.dumps(summary))
    elif args.out:
        print(f"wrote {summary['out']}")
    else:
        _print_rich(dataset, indices, rows, titles, choice, args)
    return 0


def _augment_rows(dataset, split, indices, choice, args):
    import numpy as np

    from core.data.view import augmented_copies

    chosen = [(label, int(found[0])) for label, found in enumerate(indices) if len(found)]
    originals = np.stack([split.images[index] for _, index in chosen])  # (B, H, W, 3)
    copies, _ = augmented_copies(originals, choice, args.copies, seed=args.seed)
    rows = [
        (f"{dataset.classes[label]} #{index}", [originals[row], *(copy[row] for copy in copies)])
        for row, (label, index) in enumerate(chosen)
    ]
    titles = ["original", *(f"augmented {k + 1}" for k in range(args.copies))]
    return rows, titles


def _print_rich(dataset, indices, rows, titles, choice, args) -> None:
    from rich.console import Console
    from rich.text import Text

    from tui.config import terminal_has_truecolor
    from tui.render.dataset import (
        class_grid,
        column_titles,
        fit_size,
        fitted_balance_table,
        grid_size,
        image_row,
    )

    truecolor = getattr(args, "truecolor", False) or terminal_has_truecolor()
    console = Console(color_system="truecolor" if truecolor else "auto", width=args.width)
    width = console.width or shutil.get_terminal_size().columns
    columns = max(len(images) for _, images in rows)
    size, label_above = (
        (args.size, False)
        if args.size
        else (grid_size(width, columns) if choice is None else (fit_size(width, columns), False))
    )
    heading = f"{dataset.title}, {args.split} split, page {args.page}"
    if choice is not None:
        heading += f" — augment: {choice.describe()} (seed {args.seed})"
    console.print(Text(heading, style="bold"))
    if choice is None:
        console.print(
            class_grid(dataset, args.split, indices, size, truecolor, label_above=label_above)
        )
    else:
        console.print(column_titles(titles, size))
        for label, images in rows:
            console.print(image_row(Text(label, style="bold"), images, size, truecolor))
    console.print(fitted_balance_table(dataset, width, console))
