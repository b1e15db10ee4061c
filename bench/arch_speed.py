"""A typed SPEC vs its preset twin: seconds per epoch through the product's training path.

Three lanes train the same network with the same data and hyperparameters, each a
`core.training.state.TrainState` built from a `TrainConfig` and run with
`core.training.fit.train_epoch` — exactly what `cnn-tui train` runs per epoch:
`preset` is `--preset lenet5`; `SPEC` is `--arch` with lenet5's SPEC typed out as an own design;
`SPEC blocks` is the same network written with `Sequential(...)` blocks. Whole epochs are timed
interleaved after a warm-up epoch per lane, in wall and process-CPU time; the median per lane
and its ratio to the preset are printed (1.0 = the same fast path). Before timing, the lanes'
parameter counts and seeded initial weights are compared, so the three train the same network.

    python bench/arch_speed.py                        # lenet5, Shapes-10, batch 16, Adam 1e-3
    python bench/arch_speed.py --threads 1 --rounds 7 --json out.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch

from core.data.datasets import default_dataset_name
from core.models.zoo import get_preset
from core.training.config import TrainConfig
from core.training.fit import train_epoch
from core.training.state import TrainState

BLOCKS = (
    "Sequential(Conv2d(3, 6, 5), ReLU(), MaxPool2d(2, 2)), "
    "Sequential(Conv2d(6, 16, 5), ReLU(), MaxPool2d(2, 2)), Flatten(), "
    "Sequential(Linear(400, 120), ReLU(), Linear(120, 84), ReLU()), Linear(84, 10)"
)
"""lenet5 written with blocks (its parameters are created in the same order)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--dataset", default="shapes", help="shapes | cifar10 | auto (default: shapes)")
    add("--data-dir", default=None, help="dataset folder; unset: $CNN_TUI_DATA, else the cache")
    add("--train-size", type=int, default=10_000, help="training images (default: 10000)")
    add("--batch-size", type=int, default=16, help="images per step (default: 16)")
    add("--threads", type=int, default=0, help="torch CPU threads; 0 = torch's default")
    add("--rounds", type=int, default=5, help="timed epochs per lane (default: 5)")
    add("--device", default="cpu", help="cpu | cuda (default: cpu)")
    add("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    machine = describe_machine(args.device)
    print(machine)
    lanes = make_lanes(args)
    same = check_same_network(lanes)
    result = measure(lanes, args.rounds, args.device)
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"args": vars(args), "machine": machine, "same": same, **result}, file)


def describe_machine(device: str) -> str:
    if device == "cuda":
        where = torch.cuda.get_device_name()
    else:
        where = f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
    return f"torch {torch.__version__} on {where} ({device})"


def config(args, rounds: int, **arch) -> TrainConfig:
    """The product's configuration: lenet5's hyperparameters; `arch` names the network."""
    dataset = default_dataset_name(args.data_dir) if args.dataset == "auto" else args.dataset
    return TrainConfig.for_preset(
        "lenet5",
        dataset=dataset,
        data_dir=args.data_dir,
        train_size=args.train_size,
        test_size=256,
        batch_size=args.batch_size,
        augment=("flip", "crop"),
        device=args.device,
        pipeline="fast",
        epochs=1 + rounds,
        seed=0,
        **arch,
    ).validate()


def make_lanes(args) -> dict[str, TrainState]:
    spec = get_preset("lenet5").spec
    lanes = {
        "preset": TrainState(config(args, args.rounds), None),
        "SPEC": TrainState(config(args, args.rounds, arch=spec, arch_name="my-lenet"), None),
        "SPEC blocks": TrainState(
            config(args, args.rounds, arch=BLOCKS, arch_name="my-lenet-blocks"), None
        ),
    }
    first = lanes["preset"]
    print(
        f"lenet5 on {first.splits.dataset.title}: {len(first.splits.train)} train images "
        f"({first.steps_per_epoch} steps per epoch), batch {args.batch_size}, Adam lr "
        f"{first.config.lr}, flip+crop"
    )
    return lanes


def check_same_network(lanes: dict[str, TrainState]) -> dict:
    """Parameter counts and seeded initial weights of every lane against the preset's."""

    def flat(run: TrainState) -> torch.Tensor:
        return torch.cat([p.detach().flatten().cpu() for p in run.model.parameters()])

    preset = flat(lanes["preset"])
    same = {}
    for name, run in lanes.items():
        weights = flat(run)
        equal = weights.shape == preset.shape and bool(torch.equal(weights, preset))
        same[name] = {"parameters": weights.numel(), "same_initial_weights": equal}
        print(f"  {name:12s} {weights.numel():,} parameters, initial weights equal: {equal}")
    return same


def measure(lanes: dict[str, TrainState], rounds: int, device: str) -> dict:
    """Interleaved whole epochs after one warm-up epoch per lane; medians and ratios."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in lanes}
    for epoch in range(1 + rounds):
        for name, run in lanes.items():
            if device == "cuda":
                torch.cuda.synchronize()
            start, cpu_start = time.perf_counter(), time.process_time()
            for _ in train_epoch(run, epoch + 1, stop=lambda: False):
                pass
            if device == "cuda":
                torch.cuda.synchronize()
            if epoch:  # epoch 0 warms up caches, allocators and oneDNN's kernels
                samples[name].append((time.perf_counter() - start, time.process_time() - cpu_start))
    result = {}
    steps = lanes["preset"].steps_per_epoch
    for name, values in samples.items():
        walls, cpus = zip(*values)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        result[name] = {"seconds_per_epoch": wall, "cpu_seconds_per_epoch": cpu, "walls": walls}
        print(
            f"  {name:12s} {wall:6.2f} s/epoch wall ({wall / steps * 1e3:.2f} ms/step, range "
            f"{min(walls) / steps * 1e3:.2f}-{max(walls) / steps * 1e3:.2f}), {cpu:.2f} s CPU"
        )
    preset = result["preset"]
    for name in list(lanes)[1:]:
        ratio = result[name]["seconds_per_epoch"] / preset["seconds_per_epoch"]
        cpu_ratio = result[name]["cpu_seconds_per_epoch"] / preset["cpu_seconds_per_epoch"]
        result[name].update(ratio=ratio, cpu_ratio=cpu_ratio)
        print(f"  ratio {name}/preset: {ratio:.3f}x wall, {cpu_ratio:.3f}x CPU time")
    return result


if __name__ == "__main__":
    main()
