"""Curves: smoothing against closed-form oracles, decimation properties, series from events."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.runs.curves import (
    Series,
    decimate,
    ema,
    epoch_metrics,
    epoch_series,
    global_step,
    moving_average,
    smooth,
    step_loss_series,
)

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


def ema_oracle(values: list[float], weight: float) -> list[float]:
    """Debiased EMA in closed form: a weighted mean with weights w**age (no recursion)."""
    out = []
    for t in range(len(values)):
        ages = torch.arange(t, -1, -1, dtype=torch.float64)  # age of values[0..t]
        weights = torch.tensor(weight, dtype=torch.float64) ** ages
        data = torch.tensor(values[: t + 1], dtype=torch.float64)
        out.append(float((weights * data).sum() / weights.sum()))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.floats(min_value=0.0, max_value=0.99))
def test_ema_matches_closed_form(values, weight):
    if all(v == values[0] for v in values):
        values = values + [values[0] + 1.0]
    got = ema(values, weight)
    assert got == pytest.approx(ema_oracle(values, weight), rel=1e-9, abs=1e-6)


def test_ema_first_point_is_unbiased_and_constant_stays():
    assert ema([5.0, 7.0], 0.9)[0] == pytest.approx(5.0)
    assert ema([3.0] * 5, 0.9) == [3.0] * 5


def test_ema_passes_non_finite_through():
    got = ema([1.0, math.nan, 3.0], 0.5)
    assert math.isnan(got[1])
    assert got[2] == pytest.approx(ema_oracle([1.0, 3.0], 0.5)[1])


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=60), st.integers(min_value=1, max_value=12))
def test_moving_average_matches_trailing_mean(values, window):
    data = torch.tensor(values, dtype=torch.float64)
    oracle = [float(data[max(0, i - window + 1) : i + 1].mean()) for i in range(len(values))]
    assert moving_average(values, window) == pytest.approx(oracle, rel=1e-9, abs=1e-6)


def test_smooth_modes_and_errors():
    series = Series("s", (1.0, 2.0, 3.0), (1.0, 3.0, 2.0))
    assert smooth(series, "raw") is series
    assert smooth(series, "mean", window=2).y == pytest.approx((1.0, 2.0, 2.5))
    assert smooth(series, "ema", weight=0.0).y == pytest.approx(series.y)
    with pytest.raises(ValueError):
        smooth(series, "median")
    with pytest.raises(ValueError):
        ema([1.0], 1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=-50, max_value=50, allow_nan=False), min_size=1, max_size=400),
    st.integers(min_value=1, max_value=40),
)
def test_decimate_keeps_extremes_of_every_column(ys, columns):
    xs = tuple(float(i) for i in range(len(ys)))
    out = decimate(Series("s", xs, tuple(ys)), columns)
    assert len(out) <= 2 * columns or out.y == tuple(ys)
    assert list(out.x) == sorted(out.x)
    pairs = set(zip(xs, ys))
    assert set(zip(out.x, out.y)) <= pairs
    if len(ys) > 2 * columns:
        x = np.asarray(xs)
        column = np.minimum(((x - x[0]) / (x[-1] - x[0]) * columns).astype(int), columns - 1)
        kept = np.asarray(out.x)
        kept_column = np.minimum(
            ((kept - x[0]) / (x[-1] - x[0]) * columns).astype(int), columns - 1
        )
        y = np.asarray(ys)
        for c in set(column.tolist()):
            in_column = np.asarray(out.y)[kept_column == c]
            assert in_column.max() == y[column == c].max()
            assert in_column.min() == y[column == c].min()


def test_decimate_keeps_a_spike():
    ys = [1.0] * 10_000
    ys[4321] = 99.0
    out = decimate(Series("loss", tuple(map(float, range(10_000))), tuple(ys)), 100)
    assert len(out) <= 200
    assert 99.0 in out.y


def epoch_event(epoch, step, **metrics):
    return {"kind": "epoch", "epoch": epoch, "step": step, **metrics}


def test_epoch_series_by_epoch_and_by_step_with_eval_points():
    events = [
        {"kind": "start"},
        {"kind": "step", "epoch": 1, "step": 5, "steps_per_epoch": 10, "loss": 2.0},
        {"kind": "eval", "step": 5, "val_loss": 1.9, "val_acc": 0.2},
        epoch_event(1, 10, train_loss=1.5, val_loss=1.6, val_acc=0.3, test_acc=0.31),
        epoch_event(2, 20, train_loss=1.0, val_loss=1.2, val_acc=0.5, test_acc=0.49),
    ]
    by_epoch = epoch_series(events, "val_loss")
    assert by_epoch.x == (1.0, 2.0) and by_epoch.y == (1.6, 1.2)
    assert by_epoch.label == "val loss"
    by_step = epoch_series(events, "val_loss", "step")
    assert by_step.x == (5.0, 10.0, 20.0) and by_step.y == (1.9, 1.6, 1.2)
    assert epoch_series(events, "val_acc", "step").y == (0.2, 0.3, 0.5)


def test_step_loss_uses_global_steps_and_resume_overwrites():
    events = [
        {"kind": "step", "epoch": 1, "step": 4, "steps_per_epoch": 4, "loss": 2.0},
        {"kind": "step", "epoch": 2, "step": 2, "steps_per_epoch": 4, "loss": 1.5},
        {"kind": "step", "epoch": 2, "step": 2, "steps_per_epoch": 4, "loss": 1.4},
        {"kind": "step", "epoch": 2, "step": 4, "steps_per_epoch": 4, "loss": 1.0},
        {"kind": "step", "global_step": 12, "loss": 0.5, "steps_per_epoch": 4},
    ]
    series = step_loss_series(events)
    assert series.x == (4.0, 6.0, 8.0, 12.0)
    assert series.y == (2.0, 1.4, 1.0, 0.5)
    assert step_loss_series(events, "epoch").x == (1.0, 1.5, 2.0, 3.0)


def test_global_step_rules():
    assert global_step({"kind": "epoch", "step": 30}) == 30
    assert global_step({"kind": "step", "step": 3}) == 3
    assert global_step({"kind": "start"}) is None
    assert global_step({"kind": "step", "step": True}) is None


event_strategy = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["epoch", "eval", "step", "start"]),
        "epoch": st.integers(1, 5),
        "step": st.integers(1, 50),
    },
    optional={metric: st.floats(0, 3) for metric in ("train_loss", "val_acc", "test_acc", "loss")},
)


@settings(max_examples=60, deadline=None)
@given(st.lists(event_strategy, max_size=30), st.sampled_from(["epoch", "step"]))
def test_epoch_metrics_in_one_pass_equals_each_series(events, x_axis):
    together = epoch_metrics(events, x_axis)
    for metric in ("train_loss", "val_acc", "test_acc", "train_acc"):
        assert together[metric] == epoch_series(events, metric, x_axis)
