"""`cnn-tui scratch`: exercise A5 headless: own Linear/Conv2d vs PyTorch's, compared and timed."""

from __future__ import annotations

import argparse
import json

from core.scratch.results import MAX_REPEATS
from tui.commands._numbers import whole

NAME = "scratch"
HELP = "compare from-scratch Linear/Conv2d (and lenet-8-16 built from them) with PyTorch, timed"

DEVICES = ("cpu", "cuda", "auto")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Exercise A5: mean |difference| of scratch Linear and Conv2d layers against nn.Linear / "
        "nn.Conv2d before and after copying the state_dict; the lenet-8-16 network rebuilt "
        "from them (weights of a trained run, or seeded) on test images; and the inference "
        "time ratio scratch / PyTorch (interleaved repeats, median)."
    )
    parser.add_argument(
        "--run",
        metavar="RUN",
        help="run id or folder whose checkpoint to copy (a SPEC preset such as lenet-8-16); "
        "default: lenet-8-16 with seeded random weights",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=20,
        metavar="N",
        help="test images to classify (default 20)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        metavar="N",
        help="timing repeats per contender; the median is reported (default 5)",
    )
    parser.add_argument(
        "--variant",
        choices=("loop", "vectorised"),
        default="loop",
        help="scratch implementation behind the top-level JSON numbers: explicit sums (loop) "
        "or unfold + matrix product (vectorised); both are always measured (default loop)",
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="cpu",
        help="where to run and time the networks (default cpu; auto = cuda when available)",
    )
    parser.add_argument(
        "--threads",
        type=whole(1, 1024),
        metavar="N",
        help="CPU threads for torch (default: torch's choice; 1 gives steadier timings on a "
        "shared machine)",
    )
    parser.add_argument(
        "--seed", type=whole(0, 2**32 - 1), default=0, help="seed for inputs and random weights"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="dataset folder (default: as trained)")
    parser.add_argument(
        "--runs-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="runs folder (default: $CNN_TUI_RUNS, else ./runs)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    import torch

    from core.errors import UserError
    from core.paths import runs_dir
    from core.scratch.check import run_checks
    from core.scratch.inputs import reference_network, sample_batch
    from core.training.setup import resolve_device

    if not 1 <= args.repeats <= MAX_REPEATS:
        raise UserError(
            f"--repeats must be at least 1 and at most {MAX_REPEATS}, not {args.repeats}."
        )
    device = str(resolve_device(args.device))  # auto → cuda when available
    if args.threads is not None:
        if args.threads < 1:
            raise UserError(f"--threads must be at least 1, not {args.threads}.")
        torch.set_num_threads(args.threads)
    reference = reference_network(args.run, runs_dir(getattr(args, "runs_dir", None)), args.seed)
    batch = sample_batch(reference, args.samples, args.data_dir, device)
    printer = None if args.json else _StepPrinter(batch.dataset, batch.classes)
    report = run_checks(
        reference.model,
        reference.layers,
        batch.images,
        batch.labels,
        reference.source,
        seed=args.seed,
        repeats=args.repeats,
        on_step=printer.show if printer else None,
    )
    if args.json:
        extra = {"dataset": batch.dataset, "threads": torch.get_num_threads()}
        print(json.dumps(report.to_json(args.variant) | extra))
    return 0


class _StepPrinter:
    """Rich output, one block per check as soon as it is done."""

    def __init__(self, dataset: str, classes: tuple[str, ...]) -> None:
        from rich.console import Console

        self.console = Console()
        self.dataset = dataset
        self.classes = classes

    def show(self, step) -> None:
        from core.scratch.results import LayerCheck, NetworkCheck, TimingCheck
        from tui.render.scratch import layer_table, network_text, timing_table

        if isinstance(step, LayerCheck):
            self.console.print(layer_table(step))
        elif isinstance(step, NetworkCheck):
            self.console.print(network_text(step, self.dataset, self.classes))
        elif isinstance(step, TimingCheck):
            self.console.print(timing_table(step))
