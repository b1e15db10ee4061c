"""Row and panel text of the monitor: ETA, hyperparameters, per-class accuracy, notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.runs.curves import Series
from core.runs.names import display_name, display_names, folder_name
from screens.monitor.view import per_class_accuracy, result_row, trouble
from tests.helpers.runs import STEPS, canned_config, epoch_events
from tui.run_watch import RunSnapshot
from tui.widgets.curves import PlotLine, legend_entries, legend_text, step_ticks
from tui.widgets.runs_table import (
    FIELDS,
    duration,
    eta_seconds,
    fit_columns,
    hyperparameters,
    run_row,
    sort_rows,
)


def snapshot(events, state="running", **config):
    return RunSnapshot(
        "20261121-120501-lenet5",
        Path("/nowhere"),
        canned_config(**config),
        tuple(events),
        state,
        "msg",
        0,
        0.0,
    )


def test_eta_is_steps_left_over_the_step_rate_once_a_few_seconds_were_seen():
    events = epoch_events(1, 1, 1)[:3]  # 3 step events, 1 s apart: 1 step per second
    assert eta_seconds(snapshot(events), events[-1]["time"]) is None, "2 s are too few"
    events = epoch_events(1, 1, 1)[:5]  # steps 1..5 of 10 in 4 s, config asks for 4 epochs
    last = events[-1]["time"]
    assert eta_seconds(snapshot(events), last) == pytest.approx(4 * STEPS - 5)
    assert eta_seconds(snapshot(events), last + 0.5) == pytest.approx(4 * STEPS - 5.5)
    assert eta_seconds(snapshot(events, state="finished"), last) is None
    row = run_row(snapshot(events), now=last)
    assert (row.epoch, row.eta) == ("1/4", "35s"), "epoch 1 is in progress"
    later = epoch_events(1, 2, 1)  # epochs 1 and 2 done, each 10 steps + an epoch event
    steps = [e for e in later if e["kind"] == "step"]
    per_step = (steps[-1]["time"] - steps[0]["time"]) / (2 * STEPS - 1)  # evaluations included
    now = later[-1]["time"]
    expected = 2 * STEPS * per_step - (now - steps[-1]["time"])
    assert eta_seconds(snapshot(later), now) == pytest.approx(expected)
    assert run_row(snapshot(later), now=later[-1]["time"]).epoch == "2/4"
    assert run_row(snapshot(later, state="stopped")).epoch == "2/4"
    assert run_row(snapshot(events, state="stopped")).epoch == "0/4"


def test_display_names_are_unique_and_as_short_as_the_others_allow():
    ids = [
        "20261121-120501-lenet5",
        "20261121-120540-lenet5",
        "20261122-120540-lenet5",
        "20261121-120501-lenet5-2",
        "20261121-130000-vgg",
        "odd-folder",
    ]
    names = display_names(ids)
    assert len(set(names.values())) == len(ids)
    assert names == {
        ids[0]: "lenet5 12:05:01",
        ids[1]: "lenet5 2026-11-21 12:05:40",
        ids[2]: "lenet5 2026-11-22 12:05:40",
        ids[3]: "lenet5-2 12:05",
        ids[4]: "vgg 13:00",
        ids[5]: "odd-folder",
    }
    assert display_name(ids[0]) == "lenet5 12:05" and folder_name(ids[0]) == "lenet5_12-05-01"
    assert result_row(snapshot([]), names[ids[0]]).run == "lenet5 12:05:01"


def test_row_texts():
    row = run_row(snapshot(epoch_events(1, 2, 0), lr=0.01, augment=["flip", "crop"]), selected=True)
    assert row.mark == "●" and row.epoch == "2/4" and row.speed == "1,002"
    assert row.hyper == "adam lr 0.01 bs 16 +flip+crop"
    assert hyperparameters({"optimizer": "sgd"}) == "sgd"
    assert [duration(s) for s in (None, 42, 185, 3720)] == ["—", "42s", "3m05s", "1h02m"]


def test_sorting_puts_best_accuracy_first_and_missing_last():
    rows = [run_row(snapshot(epoch_events(1, n, 0))) for n in (1, 3)]
    rows.append(run_row(snapshot([])))
    ordered = sort_rows(rows, "best_test")
    assert [r.best_test for r in ordered][-1] is None
    assert ordered[0].best_test > ordered[1].best_test


def test_results_row_is_the_final_epoch():
    result = result_row(snapshot(epoch_events(1, 3, 0)))
    final = epoch_events(3, 3, 0)[-1]
    assert (result.epochs, result.seconds) == (3, 3.0)
    assert (result.train_loss, result.test_acc) == (final["train_loss"], final["test_acc"])
    assert result.val_acc is None


def test_per_class_accuracy_uses_class_names_from_start():
    events = [
        {"kind": "start", "classes": ["cat", "dog"]},
        {"kind": "epoch", "epoch": 1, "per_class_acc": [0.5, 0.75]},
    ]
    assert per_class_accuracy(snapshot(events)) == [("cat", 0.5), ("dog", 0.75)]
    assert per_class_accuracy(snapshot(events[:1])) == []


def test_notices():
    assert "press m" in trouble(snapshot([], state="failed"))
    assert "NaN" in trouble(snapshot([{"kind": "step", "loss": float("nan")}]))
    assert trouble(snapshot([], state="finished")) is None


def long_rows():
    rows = [
        run_row(
            snapshot(
                epoch_events(1, 2, 0),
                lr=0.01,
                augment=["flip", "crop", "jitter"],
                optimizer="sgd",
                batch_size=128,
            )
        ),
        run_row(snapshot(epoch_events(1, 3, 0), state="finished")),
    ]
    return rows


@settings(max_examples=40, deadline=None)
@given(width=st.integers(min_value=30, max_value=220))
def test_columns_fit_the_width_keeping_the_key_ones(width):
    rows = long_rows()
    fit = fit_columns(rows, width)
    assert {"name", "state", "epoch", "best_val", "best_test"} <= set(fit.fields)
    widths = [
        max(
            len(fit.header(field)),
            *(
                len(str(cell))
                for cell in (dict(zip(fit.fields, row.shown_cells(fit)))[field] for row in rows)
            ),
        )
        for field in fit.fields
    ]
    assert list(fit.widths) == widths  # fixed widths: DataTable never re-measures a column
    if len(fit.fields) > 5:  # the five key columns are kept even when they do not fit
        assert sum(w + 2 for w in widths) <= width
    for row in rows:
        shown = dict(zip(fit.fields, row.shown_cells(fit)))
        if "hyper" in shown:
            text = str(shown["hyper"])
            assert len(text) <= fit.hyper_width and (text == row.hyper or text.endswith("…"))


def test_a_120_column_table_shows_the_device_column():
    assert "device" in fit_columns(long_rows(), 116 - 2).fields
    assert fit_columns(long_rows(), 300).fields == FIELDS


def test_overlay_legend_names_each_run_once_and_each_split_once():
    series = Series("loss", (1.0,), (0.5,))
    lines = [
        PlotLine(series, f"{run} {split}", color, marker, group=run, kind=split)
        for run, color in (("plain", "blue"), ("aug", "orange"))
        for split, marker in (("train", "braille"), ("test", "dot"))
    ]
    assert [text for text, _ in legend_entries(lines)] == ["■ plain", "■ aug", "⣿ train", "• test"]
    assert [color for _, color in legend_entries(lines)] == ["blue", "orange", "", ""]
    single = [
        PlotLine(series, "train accuracy", "blue"),
        PlotLine(series, "test accuracy", "orange", "dot"),
    ]
    assert [text for text, _ in legend_entries(single)] == ["⣿ train accuracy", "• test accuracy"]
    wrapped = legend_text(lines, 14, dark=False).plain.splitlines()
    assert all(len(row) <= 14 for row in wrapped) and len(wrapped) > 1


@settings(max_examples=60, deadline=None)
@given(
    lo=st.integers(min_value=0, max_value=10**6),
    span=st.integers(min_value=0, max_value=10**6),
    count=st.integers(min_value=2, max_value=8),
)
@example(lo=0, span=1, count=6)
@example(lo=3, span=7, count=6)
def test_step_ticks_are_round_whole_numbers_inside_the_range(lo, span, count):
    ticks = step_ticks(lo, lo + span, count)
    assert all(lo <= t <= lo + max(span, 1) for t in ticks)
    assert ticks == sorted(set(ticks)) and len(ticks) <= 2 * count + 1
    if len(ticks) > 1:
        spacing = ticks[1] - ticks[0]
        assert str(spacing).strip("0") in ("1", "2", "5")
        assert all(t % spacing == 0 for t in ticks)
