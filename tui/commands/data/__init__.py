"""`cnn-tui data ACTION`: get datasets onto a machine (and look at them) without the app."""

from __future__ import annotations

import argparse
import json

NAME = "data"
HELP = "download CIFAR-10 where there is internet (data fetch cifar10); look at it (data show)"

EPILOG = """examples:
  cnn-tui data fetch cifar10                      # into $CNN_TUI_DATA or ~/.cache/cnn-tui/data
  cnn-tui data fetch cifar10 --data-dir /shared/data --json
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    actions = parser.add_subparsers(dest="data_action_name", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch",
        help="download and verify a dataset (needs internet: run it on a login node)",
        description="Download CIFAR-10 with torchvision, check its md5 sums and read it back. "
        "An archive cifar-10-python.tar.gz already in the folder is verified and unpacked "
        "without downloading.",
    )
    fetch.add_argument("dataset", choices=("cifar10",), help="the dataset to download")
    add_data_dir(fetch)
    fetch.add_argument("--json", action="store_true", help="print one JSON object")
    fetch.set_defaults(data_action=run_fetch)
    from tui.commands.data.show import add_show_parser

    add_show_parser(actions, add_data_dir)


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """The --data-dir option every data action takes."""
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="dataset folder (default: $CNN_TUI_DATA, settings data_dir, else "
        "~/.cache/cnn-tui/data)",
    )


def run(args: argparse.Namespace) -> int:
    return args.data_action(args)


def run_fetch(args: argparse.Namespace) -> int:
    from core.data.datasets import fetch_cifar10

    dataset = fetch_cifar10(args.data_dir)
    summary = {
        "dataset": dataset.name,
        "folder": dataset.source,
        "train_images": len(dataset.train),
        "test_images": len(dataset.test),
        "classes": list(dataset.classes),
        "verified": True,
    }
    if args.json:
        print(json.dumps(summary))
        return 0
    from rich.console import Console

    Console().print(
        f"[bold green]CIFAR-10 is ready[/] in {dataset.source}: {len(dataset.train):,} training "
        f"and {len(dataset.test):,} test images, md5 sums verified."
    )
    return 0
