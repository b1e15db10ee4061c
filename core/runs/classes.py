"""Per-class results of runs: the confusion matrix and per-class accuracy that each `epoch`
event records for its evaluated split, exported as a CSV and a PNG.

Everything is read from events (untrusted): a matrix that is not square lists of counts is
skipped, never trusted.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.paths import atomic_path
from core.runs.events import epoch_events


@dataclass(frozen=True)
class ClassResults:
    """One epoch's per-class results: rows of `confusion` are true classes, columns predictions."""

    epoch: int
    split: str  # the evaluated split ("test")
    classes: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]

    @property
    def accuracy(self) -> list[float | None]:
        """Each class's accuracy (None where the split has no example of it)."""
        return [row[i] / sum(row) if sum(row) else None for i, row in enumerate(self.confusion)]


def _matrix(value: Any) -> tuple[tuple[int, ...], ...] | None:
    if not isinstance(value, list) or not value:
        return None
    rows = []
    for row in value:
        if not isinstance(row, list) or len(row) != len(value):
            return None
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in row):
            return None
        rows.append(tuple(row))
    return tuple(rows)


def class_names(events: Sequence[Mapping[str, Any]], count: int) -> tuple[str, ...]:
    """The class names from the last `start` event, or 0..count-1 when they do not fit."""
    for event in reversed(events):
        if event.get("kind") == "start":
            names = event.get("classes")
            if isinstance(names, list) and len(names) == count:
                return tuple(str(name) for name in names)
            break
    return tuple(str(i) for i in range(count))


def class_results(events: Sequence[Mapping[str, Any]]) -> list[ClassResults]:
    """Per-class results of every epoch that recorded a confusion matrix, in epoch order."""
    results = []
    for event in epoch_events([dict(e) for e in events]):
        matrix = _matrix(event.get("confusion"))
        if matrix is None:
            continue
        split = str(event.get("per_class_split") or "test")
        names = class_names(events, len(matrix))
        results.append(ClassResults(int(event["epoch"]), split, names, matrix))
    return results


def write_classes_csv(runs: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], path: Path) -> Path:
    """One row per run, epoch and true class: its accuracy, then the count predicted as each
    class (the confusion matrix, long form). `runs` are (run id, events) pairs."""
    results = [
        (run_id, dataset_title(events), r) for run_id, events in runs for r in class_results(events)
    ]
    width = max((len(r.classes) for _, _, r in results), default=0)
    header = ["run", "dataset", "split", "epoch", "true_class", "accuracy", "examples"]
    header += [f"predicted_{i}" for i in range(width)]
    with atomic_path(path) as partial, open(partial, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for run_id, data, result in results:
            for name, row, accuracy in zip(result.classes, result.confusion, result.accuracy):
                writer.writerow(
                    [run_id, data, result.split, result.epoch, name]
                    + ["" if accuracy is None else accuracy, sum(row), *row]
                )
    return path


def plot_confusion(runs: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]):
    """A matplotlib Figure: the last epoch's confusion matrix of each run (rows = true class,
    normalised per row, counts written in the cells)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    last = [
        (run_id, class_results(events)[-1], dataset_title(events))
        for run_id, events in runs
        if class_results(events)
    ]
    columns = min(len(last), 3) or 1
    rows = math.ceil(len(last) / columns) or 1
    figure = Figure(figsize=(5.2 * columns, 4.8 * rows), dpi=110)
    FigureCanvasAgg(figure)
    for index, (run_id, result, data) in enumerate(last):
        ax = figure.add_subplot(rows, columns, index + 1)
        shares = [[n / max(sum(row), 1) for n in row] for row in result.confusion]
        image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        ticks = range(len(result.classes))
        ax.set_xticks(list(ticks), result.classes, rotation=45, ha="right", fontsize="small")
        ax.set_yticks(list(ticks), result.classes, fontsize="small")
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_title(
            f"{run_id}\n{data} · {result.split} split, epoch {result.epoch}", fontsize="small"
        )
        for i, row in enumerate(result.confusion):
            for j, count in enumerate(row):
                if count:
                    dark = shares[i][j] > 0.5
                    ax.text(
                        j, i, str(count), ha="center", va="center", fontsize="x-small",
                        color="white" if dark else "black",
                    )  # fmt: skip
        figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
    figure.tight_layout()
    return figure


def write_confusion_png(
    runs: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], path: Path
) -> Path:
    """Save `plot_confusion(runs)` as a PNG (readers never see half a file)."""
    figure = plot_confusion(runs)
    data = " · ".join(dict.fromkeys(dataset_title(events) or "unknown data" for _, events in runs))
    with atomic_path(path) as partial:
        figure.savefig(partial, format="png", metadata={"Title": f"confusion matrix · {data}"})
    return path


def dataset_title(events: Sequence[Mapping[str, Any]]) -> str:
    """The data a run trained on, as its last `start` event names it ("Shapes-10 (synthetic)")."""
    for event in reversed(events):
        if event.get("kind") == "start":
            return str(event.get("dataset_title") or event.get("dataset") or "")
    return ""


DATASET_TITLES = {"shapes": "Shapes-10 (synthetic)", "cifar10": "CIFAR-10"}
"""Titles of the datasets by config name ("synthetic" when generated)."""


def dataset_label(name: str) -> str:
    """ "shapes" → "Shapes-10 (synthetic)"; an unknown name as it is ("unknown" when empty)."""
    return DATASET_TITLES.get(name, name or "unknown")
