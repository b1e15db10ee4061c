"""Reference vs fast training: seconds per epoch for the same network, data and hyperparameters.

Four lanes train the same preset with the same optimizer settings on the same images:
`reference` is the exercises' own loop — torchvision transforms on PIL images, a DataLoader,
`loss.item()` and the batch's correct count read back every step for the per-epoch accuracy;
`fast data` is that loop with only the input pipeline swapped for core.data.pipeline's fast loader;
`fast` is the product's training path itself — a `core.training.state.TrainState` built from a
`TrainConfig` and `core.training.fit.train_epoch`, exactly what `cnn-tui train` runs per epoch;
`step only` repeats the product's `core.training.step.train_step` on one reused batch, the
ceiling no input pipeline can beat. Whole epochs are timed interleaved (after a warm-up
epoch per lane), in wall and process-CPU time; the median per lane and the ratios to the
reference are reported. A parity run then trains the reference loop and the product (`fit`)
for a few epochs and compares their test accuracy.

    python bench/train_speed.py                       # lenet5, batch 16, Adam 1e-3, flip+crop
    python bench/train_speed.py --threads 1 --rounds 7 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field, fields

import torch
from torch import nn

from core.data.datasets import default_dataset_name
from core.data.pipeline import make_loader
from core.models.zoo import build_model
from core.training.config import TrainConfig
from core.training.fit import evaluate, fit, train_epoch
from core.training.state import TrainState
from core.training.step import EpochMeter, train_step

NORMALIZE = ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))  # the exercises' Normalize(0.5, 0.5)
LANES = ("reference", "fast data", "fast", "step only")


def option(default, help: str):
    """A BenchConfig field whose help text is also its command-line help."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class BenchConfig:
    """What to train and how long to measure."""

    preset: str = option("lenet5", "a preset of core.models.zoo")
    dataset: str = option("auto", "cifar10 | shapes | auto (cifar10 when present)")
    data_dir: str | None = option(None, "dataset folder; unset: $CNN_TUI_DATA, else the cache")
    train_size: int = option(10_000, "training images (Shapes-10 size, or a CIFAR-10 cut)")
    test_size: int = option(2_000, "test images for the parity check")
    batch_size: int = option(16, "images per step")
    lr: float = option(1e-3, "Adam learning rate")
    augment: str = option("flip,crop", "training augmentations: flip,crop,jitter or none")
    device: str = option("cpu", "cpu | cuda")
    threads: int = option(0, "torch CPU threads; 0 = torch's default")
    rounds: int = option(5, "timed epochs per lane, interleaved (the median is reported)")
    parity_epochs: int = option(3, "epochs per parity run; 0 = skip the parity check")
    parity_seeds: int = option(2, "parity runs per lane, with different seeds")

    def train_config(self, seed: int = 0, epochs: int = 1) -> TrainConfig:
        """The product's configuration of this setting (what `cnn-tui train` would run)."""
        dataset = default_dataset_name(self.data_dir) if self.dataset == "auto" else self.dataset
        augment = tuple(name for name in self.augment.split(",") if name not in ("", "none"))
        return TrainConfig.for_preset(
            self.preset,
            dataset=dataset,
            data_dir=self.data_dir,
            train_size=self.train_size,
            test_size=self.test_size,
            batch_size=self.batch_size,
            optimizer="adam",
            lr=self.lr,
            betas=(0.9, 0.999),
            weight_decay=0.0,
            schedule="none",
            augment=augment,
            normalize=NORMALIZE,
            val_split=0.0,
            device=self.device,
            pipeline="fast",
            seed=seed,
            epochs=epochs,
        ).validate()


def main() -> None:
    config, json_path = parse_args()
    if config.threads:
        torch.set_num_threads(config.threads)
    print(describe_machine(config))
    timing = measure_speed(config)
    report = {"config": asdict(config), "machine": describe_machine(config), **timing}
    if config.parity_epochs:
        report["parity"] = parity(config)
    if json_path:
        with open(json_path, "w") as file:
            json.dump(report, file, indent=2)


def parse_args() -> tuple[BenchConfig, str | None]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for setting in fields(BenchConfig):
        kind = type(setting.default) if setting.default is not None else str
        parser.add_argument(
            f"--{setting.name.replace('_', '-')}",
            type=kind,
            default=setting.default,
            metavar=kind.__name__.upper(),
            help=f"{setting.metadata['help']} (default: {setting.default})",
        )
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


class ExerciseLoop:
    """The exercises' training loop: a freshly initialised preset, `torch.optim.Adam` with its
    defaults for the device, and per-step loss and accuracy read back to Python."""

    def __init__(self, run: TrainState, kind: str, seed: int) -> None:
        torch.manual_seed(seed)
        self.model = build_model(run.config.preset, num_classes=len(run.splits.dataset.classes))
        self.model.to(run.device)
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=run.config.lr)
        self.loader = make_loader(
            kind,
            run.splits.train,
            batch_size=run.config.batch_size,
            augment=run.config.augment_spec(),
            normalize=run.config.normalize,
            shuffle=True,
            device=run.device,
            seed=seed,
        )
        self.test_loader = make_loader(
            kind,
            run.splits.test,
            batch_size=run.config.batch_size,
            normalize=run.config.normalize,
            device=run.device,
        )

    def epoch(self, epoch: int) -> tuple[float, float]:
        """One epoch as the exercise notebooks write it; (mean loss, accuracy)."""
        self.loader.set_epoch(epoch)
        self.model.train()
        running_loss, correct, total = 0.0, 0, 0
        for images, labels in self.loader:  # (B, 3, H, W), (B,)
            self.optimizer.zero_grad()
            outputs = self.model(images)  # (B, classes)
            loss = self.criterion(outputs, labels)
            loss.backward()
            self.optimizer.step()
            running_loss += loss.item() * labels.size(0)
            _, predicted = torch.max(outputs, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
        return running_loss / total, correct / total


def product_epoch(run: TrainState, epoch: int) -> None:
    """One epoch of the product's own loop, its step and eval events consumed and dropped."""
    for _ in train_epoch(run, epoch, stop=lambda: False):
        pass


def reused_batch_epoch(run: TrainState, batch) -> None:
    """An epoch's worth of the product's step on one batch: no input pipeline at all."""
    meter = EpochMeter(run.device)
    run.model.train()
    for _ in range(run.steps_per_epoch):
        train_step(run, *batch, meter)
    meter.loss_sum.item()  # the one host sync an epoch ends with


def make_lanes(config: BenchConfig) -> dict:
    """Each lane's `epoch(e)` callable, sharing one TrainState's images."""
    product = TrainState(config.train_config(epochs=1 + config.rounds), None)
    ceiling = TrainState(config.train_config(epochs=1 + config.rounds), None)
    reference, fast_data = ExerciseLoop(product, "reference", 0), ExerciseLoop(product, "fast", 0)
    batch = next(iter(ceiling.train_loader))
    print(
        f"{config.preset} on {product.splits.dataset.title}: {len(product.splits.train)} "
        f"train images ({product.steps_per_epoch} steps per epoch), batch "
        f"{config.batch_size}, Adam lr {config.lr}, augment {config.augment}, "
        "Normalize(0.5, 0.5)"
    )
    return {
        "reference": reference.epoch,
        "fast data": fast_data.epoch,
        "fast": lambda epoch: product_epoch(product, epoch),
        "step only": lambda epoch: reused_batch_epoch(ceiling, batch),
    }, product.steps_per_epoch


def measure_speed(config: BenchConfig) -> dict:
    """Interleaved whole epochs after one warm-up epoch per lane; medians and ratios."""
    lanes, steps = make_lanes(config)
    samples = {name: [] for name in lanes}
    for epoch in range(1 + config.rounds):
        for name, run_epoch in lanes.items():
            synchronize(config)
            start, cpu_start = time.perf_counter(), time.process_time()
            run_epoch(epoch + 1)
            synchronize(config)
            if epoch:  # epoch 0 warms up caches, allocators and oneDNN's kernels
                samples[name].append((time.perf_counter() - start, time.process_time() - cpu_start))
    result = {}
    for name, values in samples.items():
        walls, cpus = zip(*values)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        result[name] = {
            "seconds_per_epoch": wall,
            "cpu_seconds_per_epoch": cpu,
            "seconds_per_step": wall / steps,
            "images_per_second": steps * config.batch_size / wall,
            "wall_samples": walls,
            "cpu_samples": cpus,
        }
        print(
            f"  {name:10s} {wall:7.2f} s/epoch wall ({wall / steps * 1e3:.2f} ms/step, range "
            f"{min(walls) / steps * 1e3:.2f}-{max(walls) / steps * 1e3:.2f}), "
            f"{cpu:.2f} s/epoch CPU"
        )
    reference = result["reference"]
    for name in LANES[1:]:
        ratio = reference["seconds_per_epoch"] / result[name]["seconds_per_epoch"]
        cpu_ratio = reference["cpu_seconds_per_epoch"] / result[name]["cpu_seconds_per_epoch"]
        result[name].update(ratio=ratio, cpu_ratio=cpu_ratio)
        print(f"  ratio reference/{name}: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU time")
    return result


def synchronize(config: BenchConfig) -> None:
    if config.device == "cuda":
        torch.cuda.synchronize()


def parity(config: BenchConfig) -> dict:
    """Test accuracy after `parity_epochs` epochs, per lane and seed, and whether they agree."""
    lanes = ("reference", "fast data", "fast")
    accuracies = {name: [] for name in lanes}
    for seed in range(config.parity_seeds):
        train_config = config.train_config(seed=seed, epochs=config.parity_epochs)
        last = [event for event in fit(train_config) if event["kind"] == "epoch"][-1]
        accuracies["fast"].append(last["test_acc"])
        run = TrainState(train_config, None)  # the same images for the exercise loops
        for name, kind in (("reference", "reference"), ("fast data", "fast")):
            loop = ExerciseLoop(run, kind, seed)
            torch.manual_seed(seed)  # the reference transforms draw from the global generator
            for epoch in range(1, config.parity_epochs + 1):
                loop.epoch(epoch)
            accuracies[name].append(evaluate(loop.model, loop.test_loader, loop.criterion)[1])
    means = {name: statistics.fmean(values) for name, values in accuracies.items()}
    spread = max(means.values()) - min(means.values())
    seeds = config.parity_seeds
    seed_var = (
        statistics.fmean(statistics.variance(v) for v in accuracies.values()) if seeds > 1 else 0.0
    )  # run-to-run variance of one lane's accuracy
    p, n = means["reference"], config.test_size
    binomial_var = p * (1 - p) / n  # test-set sampling variance of one accuracy
    tolerance = 3 * math.sqrt(2 * max(seed_var, binomial_var) / seeds)  # 3 sigma, difference
    within = spread <= tolerance
    for name, values in accuracies.items():
        shown = ", ".join(f"{100 * a:.1f}" for a in values)
        print(f"  parity {name:10s} test accuracy after {config.parity_epochs} epochs: {shown} %")
    print(
        f"  largest difference of means {100 * spread:.2f} pp, tolerance {100 * tolerance:.2f} pp"
        f" -> {'within noise' if within else 'NOT within noise'}"
    )
    return {
        "accuracies": accuracies,
        "largest_difference": spread,
        "tolerance": tolerance,
        "within_noise": within,
    }


if __name__ == "__main__":
    main()
