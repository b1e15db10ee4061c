"""Reference vs fast input pipeline: seconds per epoch for the same network and hyperparameters.

Four lanes train the same preset with the same optimizer settings on the same images:
`reference` is the exercises' loop (torchvision transforms on PIL images + DataLoader);
`fast` changes only the data path (core.pipeline: the split on the device, augmentation in
batches); `fast+step` also tunes the training step (channels-last, fused Adam); `step only`
reuses one batch, so it times the tuned step alone — the ceiling no pipeline can beat. They are
measured interleaved as steady-state seconds per step after a warm-up, scaled to a full
epoch, in wall and process-CPU time. A parity run then trains the three real lanes for a few
epochs from the same initialisation and compares test accuracy.

    python bench/train_speed.py                       # lenet5, batch 16, Adam 1e-3, flip+crop
    python bench/train_speed.py --threads 2 --rounds 9 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field, fields
from itertools import repeat

import torch
from torch.nn import functional as F

from core.datasets import default_dataset_name, load_dataset
from core.models import PRESETS
from core.pipeline import Augment, make_loader
from core.spec import build_module



@dataclass(frozen=True)
class Lane:
    """One way of training: an input pipeline and a training step."""

    name: str  # column name in the output
    pipeline: str  # core.pipeline kind: "reference" | "fast"; "none" = one batch, reused
    tuned_step: bool  # channels-last model and fused Adam: beyond the data path


LANES = (
    Lane("reference", "reference", tuned_step=False),  # the exercises' loop
    Lane("fast", "fast", tuned_step=False),  # only the data path differs from the reference
    Lane("fast+step", "fast", tuned_step=True),  # fast data path and a tuned training step
    Lane("step only", "none", tuned_step=True),  # no input pipeline at all: the ceiling
)
TRAINING_LANES = tuple(lane for lane in LANES if lane.pipeline != "none")


def option(default, help: str):
    """A BenchConfig field whose help text is also its command-line help."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class BenchConfig:
    """What to train and how long to measure."""

    preset: str = option("lenet5", "a SPEC preset of core.models")
    dataset: str = option("auto", "cifar10 | shapes | auto (cifar10 when present)")
    data_dir: str | None = option(None, "dataset folder; unset: $CNN_TUI_DATA, else the cache")
    train_size: int = option(10_000, "training images (Shapes-10 size, or a CIFAR-10 cut)")
    test_size: int = option(2_000, "test images for the parity check")
    batch_size: int = option(16, "images per step")
    lr: float = option(1e-3, "Adam learning rate")
    augment: str = option("flip,crop", "training augmentations: flip,crop,jitter or none")
    device: str = option("cpu", "cpu | cuda")
    threads: int = option(0, "torch CPU threads; 0 = torch's default")
    warmup: int = option(30, "untimed steps before each measurement")
    steps: int = option(200, "timed steps per measurement")
    rounds: int = option(5, "interleaved measurements per lane (the median is reported)")
    parity_epochs: int = option(3, "full epochs per parity run; 0 = skip the parity check")
    parity_seeds: int = option(2, "parity runs per lane, with different seeds")


def main() -> None:
    config, json_path = parse_args()
    if config.threads:
        torch.set_num_threads(config.threads)
    name = default_dataset_name(config.data_dir) if config.dataset == "auto" else config.dataset
    dataset = load_dataset(name, config.data_dir, train_size=config.train_size,
                           test_size=config.test_size)
    print(describe_machine(config))
    print(f"{config.preset} on {dataset.title}: {len(dataset.train)} train images, batch "
          f"{config.batch_size}, Adam lr {config.lr}, augment {config.augment}, "
          "Normalize(0.5, 0.5)")
    timing = measure_speed(config, dataset)
    report = {"config": asdict(config), "dataset": dataset.title,
              "machine": describe_machine(config), **timing}
    if config.parity_epochs:
        report["parity"] = parity(config, dataset)
    if json_path:
        with open(json_path, "w") as file:
            json.dump(report, file, indent=2)


def parse_args() -> tuple[BenchConfig, str | None]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for setting in fields(BenchConfig):
        kind = type(setting.default) if setting.default is not None else str
        parser.add_argument(f"--{setting.name.replace('_', '-')}", type=kind,
                            default=setting.default, metavar=kind.__name__.upper(),
                            help=f"{setting.metadata['help']} (default: {setting.default})")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = vars(parser.parse_args())
    json_path = args.pop("json")
    return BenchConfig(**args), json_path


def describe_machine(config: BenchConfig) -> str:
    if config.device == "cuda":
        device = torch.cuda.get_device_name()
    else:
        device = f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"
    return f"torch {torch.__version__} on {device} ({config.device})"


def build(config: BenchConfig, lane: Lane, seed: int):
    """The preset with a seeded initialisation, and its optimizer (fused on CUDA, as in training).

    A tuned step keeps weights and activations channels-last and always uses fused Adam.
    """
    torch.manual_seed(seed)
    model = build_module(PRESETS[config.preset].layers()).to(config.device)
    if lane.tuned_step:
        model = model.to(memory_format=torch.channels_last)
    fused = lane.tuned_step or config.device == "cuda"
    return model, torch.optim.Adam(model.parameters(), lr=config.lr, fused=fused)


def train_step(model, optimizer, x, y, lane: Lane) -> torch.Tensor:
    """One optimisation step; the loss stays on the device (no host sync)."""
    if lane.tuned_step:
        x = x.contiguous(memory_format=torch.channels_last)  # (B, 3, H, W) stored NHWC
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


def loader_for(config: BenchConfig, pipeline: str, split, *, train: bool, seed: int = 0):
    """The lane's loader ("none" lanes take their one batch from the fast loader)."""
    return make_loader(
        "fast" if pipeline == "none" else pipeline, split, batch_size=config.batch_size,
        augment=Augment.from_names(config.augment) if train else Augment(),
        normalize=((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), shuffle=train, device=config.device,
        seed=seed,
    )


def endless(loader):
    """Batches across epoch boundaries, each epoch freshly shuffled."""
    epoch = 0
    while True:
        loader.set_epoch(epoch)
        yield from loader
        epoch += 1


def measure_speed(config: BenchConfig, dataset) -> dict:
    """Interleaved steady-state timing; seconds per epoch per lane and ratios to the reference."""
    import torchvision.transforms  # noqa: F401  imported first: setup times compare loaders only

    runs = {}
    for lane in LANES:
        start = time.perf_counter()
        loader = loader_for(config, lane.pipeline, dataset.train, train=True)
        setup = time.perf_counter() - start
        batches = endless(loader) if lane.pipeline != "none" else repeat(next(iter(loader)))
        model, optimizer = build(config, lane, seed=0)
        runs[lane.name] = dict(lane=lane, batches=batches, model=model,
                               optimizer=optimizer, steps_per_epoch=len(loader), setup=setup,
                               samples=[])
    for _ in range(config.rounds):
        for run in runs.values():
            run["samples"].append(time_steps(config, run))
    result = {}
    for name, run in runs.items():
        walls, cpus = zip(*run["samples"])
        per_step, cpu_per_step = statistics.median(walls), statistics.median(cpus)
        result[name] = {
            "seconds_per_step": per_step,
            "seconds_per_epoch": per_step * run["steps_per_epoch"],
            "cpu_seconds_per_epoch": cpu_per_step * run["steps_per_epoch"],
            "images_per_second": config.batch_size / per_step,
            "setup_seconds": run["setup"],
            "wall_samples": walls,
            "cpu_samples": cpus,
        }
        print(f"  {name:10s} {per_step * run['steps_per_epoch']:7.2f} s/epoch wall "
              f"({per_step * 1e3:.2f} ms/step, range {min(walls) * 1e3:.2f}-{max(walls) * 1e3:.2f},"
              f" {config.batch_size / per_step:,.0f} images/s), "
              f"{cpu_per_step * run['steps_per_epoch']:.2f} s/epoch CPU, "
              f"setup {run['setup']:.2f} s")
    reference = result["reference"]
    for lane in LANES[1:]:
        ratio = reference["seconds_per_epoch"] / result[lane.name]["seconds_per_epoch"]
        cpu_ratio = reference["cpu_seconds_per_epoch"] / result[lane.name]["cpu_seconds_per_epoch"]
        result[lane.name].update(ratio=ratio, cpu_ratio=cpu_ratio)
        print(f"  ratio reference/{lane.name}: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU time")
    return result


def time_steps(config: BenchConfig, run: dict) -> tuple[float, float]:
    """One sample: (wall, process CPU) seconds per step over `config.steps` steps after warm-up.

    CPU time is less disturbed than wall time by other jobs on a shared machine.
    """
    batches, model, optimizer, lane = run["batches"], run["model"], run["optimizer"], run["lane"]
    model.train()
    for _ in range(config.warmup):
        train_step(model, optimizer, *next(batches), lane)
    synchronize(config)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(config.steps):
        train_step(model, optimizer, *next(batches), lane)
    synchronize(config)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return wall / config.steps, cpu / config.steps


def synchronize(config: BenchConfig) -> None:
    if config.device == "cuda":
        torch.cuda.synchronize()


def parity(config: BenchConfig, dataset) -> dict:
    """Test accuracy after `parity_epochs` epochs, per lane and seed, and whether they agree."""
    accuracies = {lane.name: [] for lane in TRAINING_LANES}
    for seed in range(config.parity_seeds):
        for lane in TRAINING_LANES:
            model, optimizer = build(config, lane, seed=seed)
            torch.manual_seed(seed)  # the reference transforms draw from the global generator
            loader = loader_for(config, lane.pipeline, dataset.train, train=True, seed=seed)
            for epoch in range(config.parity_epochs):
                loader.set_epoch(epoch)
                model.train()
                for x, y in loader:
                    train_step(model, optimizer, x, y, lane)
            accuracies[lane.name].append(evaluate(config, model, dataset.test))
    means = {name: statistics.fmean(values) for name, values in accuracies.items()}
    spread = max(means.values()) - min(means.values())
    seeds = config.parity_seeds
    seed_var = (statistics.fmean(statistics.variance(v) for v in accuracies.values())
                if seeds > 1 else 0.0)  # run-to-run variance of one lane's accuracy
    p, n = means["reference"], len(dataset.test)
    binomial_var = p * (1 - p) / n  # test-set sampling variance of one accuracy
    tolerance = 3 * math.sqrt(2 * max(seed_var, binomial_var) / seeds)  # 3 sigma, difference
    within = spread <= tolerance
    for name, values in accuracies.items():
        shown = ", ".join(f"{100 * a:.1f}" for a in values)
        print(f"  parity {name:10s} test accuracy after {config.parity_epochs} epochs: {shown} %")
    print(f"  largest difference of means {100 * spread:.2f} pp, tolerance {100 * tolerance:.2f} pp"
          f" -> {'within noise' if within else 'NOT within noise'}")
    return {"accuracies": accuracies, "largest_difference": spread, "tolerance": tolerance,
            "within_noise": within}


@torch.inference_mode()
def evaluate(config: BenchConfig, model, split) -> float:
    model.eval()
    correct = 0
    for x, y in loader_for(config, "fast", split, train=False):
        correct += (model(x).argmax(dim=1) == y).sum()
    return int(correct) / len(split)


if __name__ == "__main__":
    main()
