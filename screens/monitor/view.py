"""What the monitor draws for a set of runs: plot lines, the report table, the details text.

Pure functions of run snapshots, so the screen only wires keys to them and the tests can check
them without a terminal.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.markup import escape

from core.runs.classes import class_results, dataset_label, dataset_title
from core.runs.curves import (
    METRIC_TITLES,
    Series,
    Smoothing,
    XAxis,
    epoch_metrics,
    smooth,
    step_loss_series,
)
from core.runs.events import epoch_events
from core.runs.names import display_name, display_names
from tui.run_watch import RunSnapshot
from tui.widgets.curves import RUN_COLORS, PlotLine
from tui.widgets.runs_table import duration, last_of, percent

METRIC_COLORS = {"train": "blue", "val": "green", "test": "orange"}
"""Colours of a single run's train / val / test curves."""

METRIC_MARKERS = {"train": "braille", "val": "hd", "test": "dot"}
"""The marker says which split (colour says which run when several share a plot), so the
splits stay apart without colour too."""

SMOOTHING_TITLES = {"raw": "raw", "ema": "EMA 0.6", "mean": "moving mean 20"}
EMA_WEIGHT = 0.6  # TensorBoard's default smoothing weight
MEAN_WINDOW = 20  # steps in the moving mean

_CACHE_LIMIT = 64  # cached curve sets (run × axis × smoothing); a new length evicts the old
_cache: dict[tuple, object] = {}
_cache_lock = threading.RLock()  # the plots' build threads and the UI thread share the cache


def _cached(key: tuple, compute):
    """Curves depend only on (run, number of events, axis, …): compute each set once."""
    with _cache_lock:
        if key not in _cache:
            for stale in [k for k in _cache if k[:2] == key[:2] and k[2] != key[2]]:
                del _cache[stale]
            if len(_cache) >= _CACHE_LIMIT:
                _cache.pop(next(iter(_cache)))
            _cache[key] = compute()
        return _cache[key]


def run_metrics(run: RunSnapshot, x_axis: XAxis) -> dict[str, Series]:
    """Every per-epoch metric of a run on one x axis (cached until new events arrive)."""
    return _cached(
        ("metrics", run.id, (run.revision, len(run.events)), x_axis),
        lambda: epoch_metrics(run.events, x_axis),
    )


def run_data(run: RunSnapshot) -> str:
    """The data the run trained on, "synthetic" when it is: "Shapes-10 (synthetic)"."""
    return dataset_title(run.events) or dataset_label(str(run.config.get("dataset", "")))


def data_tag(run: RunSnapshot) -> str:
    """A legend's suffix: " · synthetic" for a run on generated data, else ""."""
    return " · synthetic" if "synthetic" in run_data(run) else ""


def names_of(runs: Sequence[RunSnapshot], names: Mapping[str, str] | None) -> list[str]:
    """Legend names: each run's display name among all shown runs (`names`), else among these."""
    names = names or display_names(run.id for run in runs)
    return [names.get(run.id) or display_name(run.id) for run in runs]


def metric_lines(
    runs: Sequence[RunSnapshot],
    kind: str,
    x_axis: XAxis,
    display: Mapping[str, str] | None = None,
) -> list[PlotLine]:
    """Train/val/test lines of `kind` ("acc" or "loss") for every run, coloured for overlay
    (`display`: run id → display name, unique among every run of the folder)."""
    lines = []
    names = names_of(runs, display)
    for index, run in enumerate(runs):
        metrics = run_metrics(run, x_axis)
        for split in ("train", "val", "test"):
            metric = f"{split}_{kind}"
            series = metrics[metric]
            if not len(series):
                continue
            if len(runs) == 1:
                lines.append(
                    PlotLine(
                        series,
                        METRIC_TITLES[metric] + data_tag(run),
                        METRIC_COLORS[split],
                        METRIC_MARKERS[split],
                    )
                )
            else:
                lines.append(
                    PlotLine(
                        series,
                        f"{names[index]} {split}{data_tag(run)}",
                        RUN_COLORS[index % len(RUN_COLORS)],
                        METRIC_MARKERS[split],
                        group=names[index],
                        kind=split,
                    )
                )
    return lines


def step_lines(
    runs: Sequence[RunSnapshot],
    x_axis: XAxis,
    mode: Smoothing,
    display: Mapping[str, str] | None = None,
) -> list[PlotLine]:
    """Each run's per-step training loss, smoothed as asked (cached per run length)."""
    lines = []
    names = names_of(runs, display)
    for index, run in enumerate(runs):
        raw = _cached(
            ("steps", run.id, (run.revision, len(run.events)), x_axis),
            lambda run=run: step_loss_series(run.events, x_axis),
        )
        series = _cached(
            ("smooth", run.id, (run.revision, len(run.events)), x_axis, mode),
            lambda raw=raw: smooth(raw, mode, weight=EMA_WEIGHT, window=MEAN_WINDOW),
        )
        if len(series):
            color = (
                METRIC_COLORS["train"] if len(runs) == 1 else RUN_COLORS[index % len(RUN_COLORS)]
            )
            lines.append(PlotLine(series, names[index], color, group=names[index]))
    return lines


@dataclass(frozen=True)
class ResultRow:
    """A line of C4's report table: the run's final epoch and its cost."""

    run: str
    preset: str  # the network's name: a custom architecture's, else the preset's
    epochs: int  # epochs completed
    seconds: float  # summed epoch times
    train_loss: float | None  # final epoch
    train_acc: float | None  # final epoch, fraction 0..1
    val_acc: float | None  # final epoch, fraction 0..1
    test_acc: float | None  # final epoch, fraction 0..1
    parameters: int | None = None  # the network's parameter count; None = not known yet

    def cells(self) -> list[str]:
        loss = "—" if self.train_loss is None else f"{self.train_loss:.4f}"
        return [
            self.run,
            loss,
            percent(self.train_acc),
            percent(self.val_acc),
            percent(self.test_acc),
            str(self.epochs),
            duration(self.seconds),
            self.preset,
            "—" if self.parameters is None else f"{self.parameters:,}",
        ]


RESULT_HEADERS = (
    "run",
    "train loss",
    "train acc",
    "val acc",
    "test acc",
    "epochs",
    "time",
    "network",
    "params",
)
"""The report table's columns: the figures C4 asks for first, so they show on an 80-column terminal."""


def _number(event: Mapping[str, Any], key: str) -> float | None:
    value = event.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def result_row(run: RunSnapshot, name: str = "") -> ResultRow:
    epochs = epoch_events(list(run.events))
    last = epochs[-1] if epochs else {}
    return ResultRow(
        run=name or display_name(run.id),
        preset=str(run.config.get("arch_name") or run.config.get("preset") or "?"),
        epochs=len(epochs),
        seconds=sum(_number(e, "seconds") or 0.0 for e in epochs),
        train_loss=_number(last, "train_loss"),
        train_acc=_number(last, "train_acc"),
        val_acc=_number(last, "val_acc"),
        test_acc=_number(last, "test_acc"),
        parameters=run_parameters(run),
    )


def run_parameters(run: RunSnapshot) -> int | None:
    """The count the worker measured on the built network (its start event), else the SPEC
    arithmetic on the config (no torch on the UI thread; None for a Python file not started)."""
    start = last_of(run.events, "start") or {}
    measured = start.get("parameters")
    if isinstance(measured, int) and not isinstance(measured, bool):
        return measured

    def from_config() -> int | None:
        from core.models.architecture import config_parameters

        return config_parameters(dict(run.config))

    fields = tuple(str(run.config.get(key)) for key in ("preset", "arch", "arch_file", "resize"))
    return _cached(("params", run.id, fields), from_config)


def per_class_accuracy(run: RunSnapshot) -> list[tuple[str, float | None]]:
    """(class, accuracy) from the latest event that recorded per-class accuracy, if any
    (None for a class with no example in the evaluated split)."""
    start = last_of(run.events, "start") or {}
    classes = start.get("classes") or start.get("class_names") or []
    for event in reversed(run.events):
        recorded = event.get("per_class_acc")
        if isinstance(recorded, Mapping):
            return [(str(k), _number(recorded, k)) for k in recorded]
        if isinstance(recorded, list):
            names = (
                classes if len(classes) == len(recorded) else [str(i) for i in range(len(recorded))]
            )
            return [(str(n), _number({"v": v}, "v")) for n, v in zip(names, recorded)]
    return []


def nan_seen(run: RunSnapshot) -> bool:
    """Whether a logged loss was not finite (the worker then ends the run as failed)."""
    return _cached(("nan", run.id, (run.revision, len(run.events))), lambda: _nan_in(run.events))


def _nan_in(events: Sequence[Mapping[str, Any]]) -> bool:
    for event in events:
        for key in ("loss", "train_loss"):
            value = event.get(key)
            if isinstance(value, float) and not math.isfinite(value):
                return True
    return False


def trouble(run: RunSnapshot, name: str = "") -> str | None:
    """A one-line notice when the run needs attention, else None (`name`: its display name)."""
    name = name or display_name(run.id)
    first_line = (run.message or "").strip().splitlines()[0] if run.message.strip() else ""
    if run.state == "failed":
        return f"{name} failed: {first_line} — press m for the full message, r to resume"
    if nan_seen(run):
        return f"{name}: the loss became NaN — press m for details"
    if run.state == "died":
        return f"{name} died: {first_line} — press r to resume, m for worker.log"
    if run.state == "stalled":
        return f"{name} stalled: {first_line}"
    return None


def details_text(run: RunSnapshot) -> str:
    """Status, device, data sizes, system figures and per-class accuracy of one run (markup)."""
    return _cached(
        (
            "details",
            run.id,
            (run.revision, len(run.events)),
            run.state,
            run.message,
            run.skipped,
            run.loading,
        ),
        lambda: _details(run),
    )


def _details(run: RunSnapshot) -> str:
    start = last_of(run.events, "start") or {}
    lines = [f"[b]{escape(run.id)}[/b]  {run.state}: {escape(run.message or '—')}"]
    if run.loading:
        lines.append("reading events.jsonl… (a long log is read in steps)")
    data = run_data(run)
    lines.append(
        f"data [b]{escape(data)}[/b]"
        + (
            " — generated shapes, not CIFAR-10: C4's targets do not apply"
            if "synthetic" in data
            else ""
        )
    )
    params = run_parameters(run)
    network = escape(str(run.config.get("arch_name") or run.config.get("preset") or "?"))
    lines.append(f"network [b]{network}[/b]" + (f" · {params:,} parameters" if params else ""))
    if start:
        sizes = ", ".join(
            f"{key.removesuffix('_size')} {start[key]}"
            for key in ("train_size", "val_size", "test_size")
            if key in start
        )
        lines.append(
            f"device {start.get('device', '?')} · torch {start.get('torch', '?')} · {sizes}"
        )
        if start.get("resumed_from_epoch"):
            lines.append(f"resumed after epoch {start['resumed_from_epoch']}")
    system = last_of(run.events, "system")
    if system:
        figures = [f"{k} {v}" for k, v in system.items() if k not in ("seq", "time", "kind")]
        lines.append("system: " + " · ".join(figures))
    if run.skipped:
        lines.append(f"[yellow]{escape(run.skipped)}.[/yellow]")
    classes = per_class_accuracy(run)
    if classes:
        lines.append("per-class accuracy: " + "  ".join(f"{n} {percent(a)}" for n, a in classes))
    lines += confusion_lines(run)
    return "\n".join(lines)


def confusion_lines(run: RunSnapshot) -> list[str]:
    """The latest epoch's confusion matrix as text: a row per true class, a column per
    predicted class (numbered as in the header), the diagonal in bold."""
    results = class_results(run.events)
    if not results:
        return []
    last = results[-1]
    width = max(len(str(n)) for row in last.confusion for n in row) + 1
    label = max(len(name) for name in last.classes)
    header = " " * (label + 3) + "".join(f"{i:>{width}}" for i in range(len(last.classes)))
    lines = [
        f"confusion matrix ({last.split} split, epoch {last.epoch}; rows true, columns predicted):",
        header,
    ]
    for i, (name, row) in enumerate(zip(last.classes, last.confusion)):
        cells = "".join(
            f"[b]{n:>{width}}[/b]" if i == j else f"{n:>{width}}" for j, n in enumerate(row)
        )
        lines.append(escape(f"{i:>2} {name:<{label}}") + cells)
    return lines


def failure_text(run: RunSnapshot, log_tail: str) -> str:
    """The full story of a failed or dead run: end message, traceback, last lines of worker.log."""
    end = last_of(run.events, "end") or {}
    parts = [f"Run {run.id}: {run.state}", "", run.message or "(no message)"]
    if end.get("traceback"):
        parts += ["", "Traceback:", str(end["traceback"])]
    if log_tail:
        parts += ["", f"Last lines of {run.path / 'worker.log'}:", log_tail]
    return "\n".join(parts)
