"""Training curves from run events: series extraction, smoothing and decimation, without a UI.

The monitor and the exports both read curves through here, so a plotted point, a CSV row
and a report PNG always agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

XAxis = Literal["epoch", "step"]
Smoothing = Literal["raw", "ema", "mean"]

EPOCH_METRICS = ("train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc")
"""Per-epoch metrics an `epoch` event may carry (val_* only when the run has a validation split)."""

METRIC_TITLES = {
    "train_loss": "train loss",
    "train_acc": "train accuracy",
    "val_loss": "val loss",
    "val_acc": "val accuracy",
    "test_loss": "test loss",
    "test_acc": "test accuracy",
}


@dataclass(frozen=True)
class Series:
    """One curve: x ascending and unique, y the same length (NaN where a value was not finite)."""

    label: str  # legend text, e.g. "val accuracy"
    x: tuple[float, ...]  # epochs (1-based) or global training steps
    y: tuple[float, ...]  # the metric: loss, or accuracy as a fraction 0..1

    def __len__(self) -> int:
        return len(self.x)


def _number(value: object) -> float | None:
    """A finite-or-NaN float from an event field; None when the field is absent or not numeric."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _last_write_wins(
    points: Iterable[tuple[float, float]],
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Points sorted by x, keeping the latest y for a repeated x (a resumed epoch re-logs steps)."""
    by_x: dict[float, float] = {}
    for x, y in points:
        by_x[x] = y
    xs = tuple(sorted(by_x))
    return xs, tuple(by_x[x] for x in xs)


def global_step(event: Mapping[str, object]) -> float | None:
    """The global training-step count of a step/epoch/eval event.

    `global_step` when the worker wrote it; otherwise a step event's in-epoch `step` plus
    the steps of the epochs before it (epochs count from 1), and for epoch/eval events `step`.
    """
    explicit = _number(event.get("global_step"))
    if explicit is not None:
        return explicit
    step = _number(event.get("step"))
    if step is None:
        return None
    if event.get("kind") == "step":
        epoch = _number(event.get("epoch"))
        per_epoch = _number(event.get("steps_per_epoch"))
        if epoch is not None and per_epoch is not None:
            return (epoch - 1) * per_epoch + step
    return step


def _epoch_points(
    events: Iterable[Mapping[str, object]],
    x_axis: XAxis,
) -> Iterator[tuple[float, Mapping[str, object]]]:
    """(x, event) for every `epoch` event, and on the step axis every `eval` event, with an x."""
    for event in events:
        kind = event.get("kind")
        if kind not in ("epoch", "eval") or (kind == "eval" and x_axis == "epoch"):
            continue
        x = _number(event.get("epoch")) if x_axis == "epoch" else global_step(event)
        if x is not None:
            yield x, event


def epoch_series(
    events: Iterable[Mapping[str, object]], metric: str, x_axis: XAxis = "epoch"
) -> Series:
    """One per-epoch metric; on the step axis `eval` events (`--eval-every`) add their points."""
    points = []
    for x, event in _epoch_points(events, x_axis):
        value = _number(event.get(metric))
        if value is not None:
            points.append((x, value))
    xs, ys = _last_write_wins(points)
    return Series(METRIC_TITLES.get(metric, metric), xs, ys)


def epoch_metrics(
    events: Iterable[Mapping[str, object]], x_axis: XAxis = "epoch"
) -> dict[str, Series]:
    """Every per-epoch metric in one pass over the events (what `epoch_series` gives each)."""
    points: dict[str, list[tuple[float, float]]] = {metric: [] for metric in EPOCH_METRICS}
    for x, event in _epoch_points(events, x_axis):
        for metric, found in points.items():
            value = _number(event.get(metric))
            if value is not None:
                found.append((x, value))
    return {
        metric: Series(METRIC_TITLES[metric], *_last_write_wins(found))
        for metric, found in points.items()
    }


def step_loss_series(events: Iterable[Mapping[str, object]], x_axis: XAxis = "step") -> Series:
    """The training loss of every logged step; on the epoch axis x is a fractional epoch."""
    points = []
    for event in events:
        if event.get("kind") != "step":
            continue
        loss = _number(event.get("loss"))
        x = global_step(event)
        if loss is None or x is None:
            continue
        if x_axis == "epoch":
            per_epoch = _number(event.get("steps_per_epoch"))
            if not per_epoch:
                continue
            x = x / per_epoch
        points.append((x, loss))
    xs, ys = _last_write_wins(points)
    return Series("step loss", xs, ys)


def ema(values: Sequence[float], weight: float) -> list[float]:
    """TensorBoard's debiased exponential moving average (weight 0 = raw, towards 1 = smoother).

    As TensorBoard's scalar dashboard computes it: `last = last*w + (1-w)*v` from `last = 0`,
    divided by `1 - w**n` after n finite values; non-finite values pass through untouched and
    a constant series stays constant.
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"EMA weight must be in [0, 1), got {weight}")
    if values and all(v == values[0] for v in values):
        return [float(v) for v in values]
    last = 0.0
    count = 0
    smoothed = []
    for value in values:
        if not math.isfinite(value):
            smoothed.append(float(value))
            continue
        last = last * weight + (1.0 - weight) * value
        count += 1
        smoothed.append(last / (1.0 - weight**count))
    return smoothed


def moving_average(values: Sequence[float], window: int) -> list[float]:
    """Trailing mean over the last `window` values (fewer at the start), so no point looks ahead."""
    if window < 1:
        raise ValueError(f"moving-average window must be ≥ 1, got {window}")
    array = np.asarray(values, dtype=np.float64)  # (N,)
    if array.size == 0:
        return []
    sums = np.cumsum(np.concatenate(([0.0], array)))  # (N+1,)
    ends = np.arange(1, array.size + 1)
    starts = np.maximum(ends - window, 0)
    return ((sums[ends] - sums[starts]) / (ends - starts)).tolist()


def smooth(series: Series, mode: Smoothing, *, weight: float = 0.6, window: int = 10) -> Series:
    """The series smoothed as the monitor's switch says: raw, EMA (weight) or moving mean (window)."""
    if mode == "raw" or len(series) == 0:
        return series
    if mode == "ema":
        return Series(series.label, series.x, tuple(ema(series.y, weight)))
    if mode == "mean":
        return Series(series.label, series.x, tuple(moving_average(series.y, window)))
    raise ValueError(f"unknown smoothing {mode!r}; choose raw, ema or mean")


def decimate(series: Series, columns: int) -> Series:
    """At most 2 points per plot column: each column's minimum and maximum, in x order.

    Spikes survive (the extremes of every column are kept) while a 10k-step curve costs no
    more to draw than the plot is wide.
    """
    n = len(series)
    if columns < 1:
        raise ValueError(f"columns must be ≥ 1, got {columns}")
    if n <= 2 * columns:
        return series
    x = np.asarray(series.x, dtype=np.float64)  # (N,)
    y = np.asarray(series.y, dtype=np.float64)  # (N,)
    span = x[-1] - x[0]
    column = np.minimum(((x - x[0]) / span * columns).astype(np.int64), columns - 1)  # (N,)
    bounds = np.flatnonzero(np.diff(column)) + 1
    keep: list[int] = []
    for start, stop in zip(np.concatenate(([0], bounds)), np.concatenate((bounds, [n]))):
        chunk = y[start:stop]
        if np.all(np.isnan(chunk)):
            keep.append(int(start))
            continue
        low = int(start + np.nanargmin(chunk))
        high = int(start + np.nanargmax(chunk))
        keep.extend(sorted({low, high}))
    return Series(series.label, tuple(x[keep].tolist()), tuple(y[keep].tolist()))
