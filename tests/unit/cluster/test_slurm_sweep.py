"""Sweep grids: parsing, one run per combination (checked against a nested-loop oracle),
run configs tagged with the sweep, and the results table from canned events."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cluster.sweep import (
    SweepError,
    combinations,
    create_sweep,
    load_sweep_record,
    parse_grid,
    sweep_results,
)
from core.runs.events import EventWriter
from core.training.config import TrainConfig


def test_parse_grid_types_each_key():
    grid = parse_grid("lr=1e-3,5e-4 augment=none,flip+crop batch-size=32 nesterov=yes,no")
    assert grid == {
        "lr": [1e-3, 5e-4],
        "augment": [(), ("flip", "crop")],
        "batch_size": [32],
        "nesterov": [True, False],
    }


@pytest.mark.parametrize(
    "text, words",
    [
        ("lr", ["lr", "KEY=V1,V2"]),
        ("colour=red", ["Cannot sweep 'colour'"]),
        ("lr=fast", ["lr"]),
        ("lr=1 lr=2", ["twice"]),
        ("", ["empty"]),
    ],
)
def test_bad_grids_say_what_is_wrong(text, words):
    with pytest.raises(SweepError) as error:
        parse_grid(text)
    assert all(word in str(error.value) for word in words)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["lr", "seed", "epochs", "batch_size"]),
        st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True),
        min_size=1,
        max_size=4,
    )
)
def test_combinations_match_a_nested_loop(grid):
    expected = [{}]
    for key, values in grid.items():  # the oracle: grow the list one key at a time
        expected = [{**partial, key: value} for partial in expected for value in values]
    assert combinations(grid) == expected


def _finish(run_dir, accs):
    writer = EventWriter(run_dir)
    writer.write({"kind": "start"})
    for epoch, (val, test) in enumerate(accs, start=1):
        writer.write({"kind": "epoch", "epoch": epoch, "val_acc": val, "test_acc": test})
    writer.write({"kind": "end", "status": "finished", "message": "done"})
    writer.close()


def test_sweep_creates_tagged_runs_and_a_results_table(tmp_path):
    grid = parse_grid("lr=1e-3,5e-4 augment=none,flip")
    sweep = create_sweep(tmp_path, "lenet5", grid, {"dataset": "shapes", "epochs": 2})
    assert len(sweep.run_dirs) == 4
    configs = [json.loads((path / "config.json").read_text()) for path in sweep.run_dirs]
    for config, params in zip(configs, combinations(grid)):
        expected = TrainConfig.for_preset("lenet5", dataset="shapes", epochs=2, **params)
        assert TrainConfig.from_dict(config) == expected
        assert config["sweep"] == sweep.id
    assert configs[1]["sweep_params"] == {"lr": "0.001", "augment": "flip"}
    _finish(sweep.run_dirs[0], [(0.5, 0.4), (0.7, 0.6)])
    _finish(sweep.run_dirs[1], [(0.8, 0.75), (0.6, 0.65)])
    rows = sweep_results(tmp_path, sweep.id[-8:])  # a unique suffix is enough
    assert [row.best_acc for row in rows] == [0.7, 0.8, None, None]
    assert [row.final_acc for row in rows] == [0.6, 0.65, None, None]
    assert [row.state for row in rows[:2]] == ["finished", "finished"]
    assert load_sweep_record(tmp_path, sweep.id)["runs"] == [p.name for p in sweep.run_dirs]


def test_an_invalid_combination_creates_nothing(tmp_path):
    with pytest.raises(Exception, match="learning rate"):
        create_sweep(tmp_path, "lenet5", parse_grid("lr=1e-3,-1"), {"dataset": "shapes"})
    assert not any(tmp_path.iterdir())


def test_local_runner_keeps_at_most_n_workers_alive(tmp_path, monkeypatch):
    import subprocess

    from core.cluster import sweep_launch
    from core.runs.store import request_stop, write_json_atomic

    sweep = create_sweep(tmp_path, "lenet5", parse_grid("seed=1,2,3,4,5"), {"dataset": "shapes"})
    request_stop(sweep.run_dirs[4])  # stopped before it started: never launched
    launched, peak = [], []

    def fake_start_local(run_dir):
        alive = [p for p in launched if p.poll() is None]
        peak.append(len(alive) + 1)
        process = subprocess.Popen(["sleep", "0.3"])
        launched.append(process)
        write_json_atomic(run_dir / "launch.json", {"launcher": "local", "pid": process.pid})

    monkeypatch.setattr(sweep_launch, "start_local", fake_start_local)
    monkeypatch.setattr(sweep_launch, "POLL_SECONDS", 0.05)
    sweep_launch.run_local_sweep(sweep.path, 2)
    assert len(launched) == 4 and max(peak) == 2
    assert not (sweep.run_dirs[4] / "launch.json").exists()


def test_results_json_names_each_runs_dataset_and_marks_shapes_synthetic(tmp_path, capsys):
    from tui.cli import main

    grid = parse_grid("dataset=shapes,cifar10")
    sweep = create_sweep(tmp_path, "lenet5", grid, {"epochs": 1})
    _finish(sweep.run_dirs[0], [(0.5, 0.4)])
    code = main(["sweep", "--results", sweep.id, "--runs-dir", str(tmp_path), "--json"])
    assert code == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    configs = [json.loads((path / "config.json").read_text()) for path in sweep.run_dirs]
    assert [run["dataset"] for run in runs] == [config["dataset"] for config in configs]
    assert [run["dataset"] for run in runs] == ["shapes", "cifar10"]
    assert "synthetic" in runs[0]["dataset_title"]
    assert "synthetic" not in runs[1]["dataset_title"]


def test_runner_does_not_take_a_reused_pid_for_a_live_worker(tmp_path):
    import os

    from core.cluster.local import process_start
    from core.cluster.sweep_launch import _alive
    from core.runs.store import write_json_atomic

    started = process_start(os.getpid())  # this test's process: alive, with a known start
    if started is None:
        pytest.skip("no /proc on this machine: the start time cannot be read")
    write_json_atomic(tmp_path / "launch.json", {"pid": os.getpid(), "pid_start": started})
    assert _alive(tmp_path)
    reused = {"pid": os.getpid(), "pid_start": started - 1}  # the worker was an earlier process
    write_json_atomic(tmp_path / "launch.json", reused)
    assert not _alive(tmp_path)
    write_json_atomic(tmp_path / "launch.json", {"pid": "12x"})  # damaged: not running, no crash
    assert not _alive(tmp_path)
