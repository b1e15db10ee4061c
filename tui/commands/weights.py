"""`cnn-tui weights fetch resnet18`: get pretrained weights once, where there is internet."""

from __future__ import annotations

import argparse
import json

NAME = "weights"
HELP = "fetch pretrained weights (ResNet-18 ImageNet) into the torch hub cache"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="weights_action", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch",
        help="download weights (needs internet, e.g. on the login node)",
        description="Download weights with torchvision into the torch hub cache "
        "($TORCH_HOME/hub/checkpoints, default ~/.cache/torch/hub/checkpoints).",
    )
    fetch.add_argument("model", choices=["resnet18"], help="which weights to fetch")
    fetch.add_argument("--json", action="store_true", help="print one JSON object")
    where = actions.add_parser("where", help="show where the weights are looked for")
    where.add_argument("model", choices=["resnet18"], help="which weights")
    where.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from core.models.weights import fetch_resnet18, hub_checkpoint_path

    if args.weights_action == "fetch":
        path = fetch_resnet18()
        if args.json:
            print(json.dumps({"model": args.model, "path": str(path), "present": True}))
        else:
            Console().print(f"ResNet-18 ImageNet weights ready: [b]{path}[/b]")
        return 0
    path = hub_checkpoint_path()
    if args.json:
        print(json.dumps({"model": args.model, "path": str(path), "present": path.is_file()}))
    else:
        state = "present" if path.is_file() else "missing (run `cnn-tui weights fetch resnet18`)"
        Console().print(f"{path}: {state}")
    return 0
