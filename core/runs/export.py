"""Report-ready exports of runs: a CSV of every epoch's metrics and a PNG of the curves.

Uses matplotlib's object API (no pyplot state), so it is safe from a UI thread worker.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.paths import atomic_path
from core.runs.classes import (
    class_results,
    dataset_label,
    dataset_title,
    write_classes_csv,
    write_confusion_png,
)
from core.runs.curves import EPOCH_METRICS, METRIC_TITLES, XAxis, epoch_metrics
from core.runs.events import epoch_events
from core.runs.store import read_json
from core.runs.summary_cache import cached_digest

CSV_COLUMNS = ("run", "preset", "dataset", "epoch", "step", *EPOCH_METRICS, "lr", "seconds")
"""Columns of the exported CSV, one row per run and epoch."""


@dataclass(frozen=True)
class ExportRun:
    """One run to export: its id, config.json and events."""

    id: str  # run directory name
    config: Mapping[str, Any]  # config.json
    events: Sequence[Mapping[str, Any]]  # events in file order (step events maybe thinned)

    @property
    def dataset(self) -> str:
        """The data it trained on, "synthetic" when it is: "Shapes-10 (synthetic)", "CIFAR-10"."""
        return dataset_title(self.events) or dataset_label(str(self.config.get("dataset", "")))


def datasets_title(runs: Sequence[ExportRun]) -> str:
    """The data of all `runs`, each title once: "Shapes-10 (synthetic)", or "A · B" when mixed."""
    return " · ".join(dict.fromkeys(run.dataset for run in runs))


def load_export_run(run_dir: Path) -> ExportRun:
    """The run in `run_dir` as read from its files: every event but the step events, which
    are thinned (`core.runs.digest`), so a log of a million steps is never held in memory;
    the CSV, the PNG and the per-class files need no more."""
    config = read_json(run_dir / "config.json")
    events = cached_digest(run_dir).events()
    return ExportRun(run_dir.name, config if isinstance(config, dict) else {}, events)


def write_csv(runs: Sequence[ExportRun], path: Path) -> Path:
    """Every epoch of every run as one CSV row (empty cells for metrics a run did not record)."""
    with atomic_path(path) as partial, open(partial, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for run in runs:
            for event in epoch_events([dict(e) for e in run.events]):
                writer.writerow(
                    {
                        "run": run.id,
                        "preset": run.config.get("preset", ""),
                        "dataset": run.dataset,
                        **{key: event.get(key, "") for key in CSV_COLUMNS[3:]},
                    }
                )
    return path


def plot_runs(runs: Sequence[ExportRun], x_axis: XAxis = "epoch"):
    """A matplotlib Figure: accuracy (%) and loss side by side, every run overlaid, labelled
    axes and a legend (train solid, validation dashed, test dotted)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(11, 4.5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2)
    styles = {"train": "-", "val": "--", "test": ":"}
    panels = (("acc", "accuracy", "accuracy (%)", 100.0), ("loss", "loss", "loss", 1.0))
    curves = [epoch_metrics(run.events, x_axis) for run in runs]
    for ax, (kind, title, ylabel, scale) in zip(axes, panels):
        for index, (run, metrics) in enumerate(zip(runs, curves)):
            color = f"C{index % 10}"
            for split, style in styles.items():
                metric = f"{split}_{kind}"
                series = metrics[metric]
                if len(series):
                    label = METRIC_TITLES[metric] if len(runs) == 1 else f"{run.id} {split}"
                    if len(runs) > 1 and len({r.dataset for r in runs}) > 1:
                        label += f" ({run.dataset})"
                    ax.plot(
                        series.x,
                        [scale * y for y in series.y],
                        style,
                        color=color,
                        marker=".",
                        label=label,
                    )
        ax.set_xlabel("epoch" if x_axis == "epoch" else "training step")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "epoch 1.4"
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title} · {datasets_title(runs)}")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    figure.suptitle(f"data: {datasets_title(runs)}")
    figure.tight_layout()
    return figure


def write_png(runs: Sequence[ExportRun], path: Path, x_axis: XAxis = "epoch") -> Path:
    """Save `plot_runs(runs, x_axis)` as a PNG."""
    figure = plot_runs(runs, x_axis)
    with atomic_path(path) as partial:
        figure.savefig(  # readers never see half a PNG
            partial, format="png", metadata={"Title": f"data: {datasets_title(runs)}"}
        )
    return path


def export_runs(runs: Sequence[ExportRun], folder: Path, x_axis: XAxis = "epoch") -> list[Path]:
    """Write `runs.csv` and `curves.png` into `folder` (named after the run when only one),
    and the per-class results (`-classes.csv`, `-confusion.png`) when the runs recorded them."""
    stem = runs[0].id if len(runs) == 1 else "compare"
    return [
        write_csv(runs, folder / f"{stem}.csv"),
        write_png(runs, folder / f"{stem}.png", x_axis),
        *write_class_files(runs, folder, stem),
    ]


def write_class_files(
    runs: Sequence[ExportRun], folder: Path, stem: str, csv: bool = True, png: bool = True
) -> list[Path]:
    """`STEM-classes.csv` (per-class accuracy and confusion counts of every epoch) and
    `STEM-confusion.png` (each run's last confusion matrix), when any run recorded them."""
    pairs = [(run.id, run.events) for run in runs]
    if not any(class_results(events) for _, events in pairs):
        return []
    written = []
    if csv:
        written.append(write_classes_csv(pairs, folder / f"{stem}-classes.csv"))
    if png:
        written.append(write_confusion_png(pairs, folder / f"{stem}-confusion.png"))
    return written
