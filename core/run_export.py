"""Runs as files for reports: a CSV of every epoch's metrics and a PNG of the curves."""

from __future__ import annotations

import csv
from pathlib import Path

from core.runs import epoch_events, read_events, read_json

CSV_COLUMNS = (
    "run", "preset", "epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc",
    "test_loss", "test_acc", "lr", "seconds",
)


def epoch_rows(run_dir: Path) -> list[dict]:
    """One row per finished epoch of the run, with the run id and preset."""
    config = read_json(run_dir / "config.json") or {}
    return [
        {"run": run_dir.name, "preset": config.get("preset", ""),
         **{key: event.get(key) for key in CSV_COLUMNS[2:]}}
        for event in epoch_events(read_events(run_dir))
    ]


def write_csv(run_dirs: list[Path], path: Path) -> Path:
    """All epochs of all runs in one CSV (empty cells where a metric does not exist)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for run_dir in run_dirs:
            for row in epoch_rows(run_dir):
                writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return path


def plot_runs(run_dirs: list[Path]):
    """A matplotlib Figure: accuracy and loss against epoch, every run overlaid, with
    labelled axes and a legend (train dotted, validation dashed, test solid)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(12, 4.5), constrained_layout=True)
    acc_axes, loss_axes = figure.subplots(1, 2)
    styles = {"train": ":", "val": "--", "test": "-"}
    for index, run_dir in enumerate(run_dirs):
        rows = epoch_rows(run_dir)
        colour = f"C{index % 10}"  # matplotlib's default colour cycle
        for split, style in styles.items():
            points = [(row["epoch"], row) for row in rows if row[f"{split}_acc"] is not None]
            if not points:
                continue
            epochs = [epoch for epoch, _ in points]
            label = f"{run_dir.name} {split}"
            acc_axes.plot(epochs, [100 * row[f"{split}_acc"] for _, row in points], style,
                          color=colour, marker="o", markersize=3, label=label)
            loss_axes.plot(epochs, [row[f"{split}_loss"] for _, row in points], style,
                           color=colour, marker="o", markersize=3, label=label)
    acc_axes.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
    loss_axes.set(title="Loss", xlabel="epoch", ylabel="cross-entropy loss")
    for axes in (acc_axes, loss_axes):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small")
    return figure


def write_png(run_dirs: list[Path], path: Path) -> Path:
    """Save `plot_runs(run_dirs)` as a PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    plot_runs(run_dirs).savefig(path, dpi=120)
    return path
