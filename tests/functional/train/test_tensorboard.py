"""TensorBoard files of runs, read back with TensorBoard's own event reader: `runs export
--tensorboard` after the fact, `train --tensorboard` live, and the message without the extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from core.runs.events import EventWriter, epoch_events, read_events
from core.runs.store import create_run
from core.runs.tensorboard import export_tensorboard, folder_name
from core.training.config import TrainConfig
from core.training.fit import fit
from tui.cli import main

torch.set_num_threads(1)


def read_board(folder: Path) -> EventAccumulator:
    board = EventAccumulator(str(folder), size_guidance={"scalars": 0, "tensors": 0})
    board.Reload()
    return board


def scalars(board: EventAccumulator, tag: str) -> list[tuple[int, float]]:
    return [(point.step, point.value) for point in board.Scalars(tag)]


def approx(points):
    return [(step, pytest.approx(value, rel=1e-6, abs=1e-7)) for step, value in points]


def hparams_of_board(board: EventAccumulator) -> dict:
    content = board.PluginTagToContent("hparams")["_hparams_/session_start_info"]
    start = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    return {key: value.WhichOneof("kind") and getattr(value, value.WhichOneof("kind"))
            for key, value in start.hparams.items()}  # fmt: skip


def expect_equal_to_events(board: EventAccumulator, events: list[dict]) -> None:
    """Every scalar TensorBoard holds is the value events.jsonl recorded, at the same step."""
    start = next(e for e in events if e["kind"] == "start")
    steps = [e for e in events if e["kind"] == "step"]
    epochs = epoch_events(events)
    for key in ("loss", "lr", "images_per_s"):
        assert scalars(board, f"step/{key}") == approx([(e["global_step"], e[key]) for e in steps])
    for metric in ("train_loss", "train_acc", "test_loss", "test_acc", "lr", "seconds"):
        assert scalars(board, f"epoch/{metric}") == approx(
            [(e["epoch"], e[metric]) for e in epochs]
        )
        assert scalars(board, f"by_step/{metric}") == approx(
            [(e["step"], e[metric]) for e in epochs]
        )
    for index, name in enumerate(start["classes"]):
        expected = [(e["epoch"], e["per_class_acc"][index]) for e in epochs]
        assert scalars(board, f"per_class/{name}") == approx(expected)


def test_export_reads_back_equal_to_events_with_hparams(tmp_path, capsys):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", train_size=240, test_size=64, batch_size=32, epochs=2,
        val_split=0.25, eval_every=3, lr=0.002,
    )  # fmt: skip
    run_dir = create_run(tmp_path / "runs", config.to_dict())
    writer = EventWriter(run_dir)
    for event in fit(config, run_dir):
        writer.write(event)
    writer.close()
    events = read_events(run_dir)
    board_dir = tmp_path / "board"
    code = main(["runs", "export", run_dir.name, "--runs-dir", str(tmp_path / "runs"),
                 "--tensorboard", str(board_dir), "--out", str(tmp_path / "out"), "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["files"] == [str(board_dir / folder_name(run_dir.name))]
    assert not (tmp_path / "out").exists()  # --tensorboard alone writes no CSV/PNG
    board = read_board(board_dir / folder_name(run_dir.name))
    expect_equal_to_events(board, events)
    evals = [e for e in events if e["kind"] == "eval"]
    assert evals and scalars(board, "eval/val_acc") == approx(
        [(e["step"], e["val_acc"]) for e in evals]
    )
    epochs = epoch_events(events)
    assert scalars(board, "epoch/val_acc") == approx([(e["epoch"], e["val_acc"]) for e in epochs])
    hparams = hparams_of_board(board)
    assert hparams["preset"] == "lenet5" and hparams["lr"] == pytest.approx(0.002)
    assert hparams["batch_size"] == 32 and hparams["val_split"] == pytest.approx(0.25)
    assert hparams["augment"] == "none" and "data_dir" not in hparams
    assert hparams["data"] == "Shapes-10 (synthetic)", "synthetic results say so"
    # an export again replaces the run's files rather than doubling every point
    main(["runs", "export", run_dir.name, "--runs-dir", str(tmp_path / "runs"),
          "--tensorboard", str(board_dir)])  # fmt: skip
    expect_equal_to_events(read_board(board_dir / folder_name(run_dir.name)), events)


def test_export_keeps_the_latest_of_repeated_steps_and_gpu_memory(tmp_path):
    events = [
        {"kind": "start", "time": 1.0, "classes": ["a", "b"], "resumed_from_epoch": 0},
        {"kind": "step", "time": 2.0, "global_step": 1, "loss": 2.0, "lr": 0.1},
        {"kind": "step", "time": 3.0, "global_step": 2, "loss": 1.5, "lr": 0.1},
        {"kind": "start", "time": 4.0, "classes": ["a", "b"], "resumed_from_epoch": 0},
        {"kind": "step", "time": 5.0, "global_step": 2, "loss": 1.25, "lr": 0.1},
        {"kind": "epoch", "time": 6.0, "epoch": 1, "step": 2, "train_loss": 1.3,
         "per_class_acc": [0.5, None]},
        {"kind": "system", "time": 7.0, "gpu_memory_mb": 812.5, "gpu_max_memory_mb": 1024.0},
    ]  # fmt: skip
    folder = export_tensorboard("20261121-120501-lenet5", {"preset": "lenet5"}, events, tmp_path)
    assert folder == tmp_path / "lenet5_12-05-01"
    board = read_board(folder)
    assert scalars(board, "step/loss") == [(1, 2.0), (2, 1.25)]
    assert (
        scalars(board, "per_class/a") == [(1, 0.5)] and "per_class/b" not in board.Tags()["scalars"]
    )
    assert scalars(board, "system/gpu_memory_mb") == [(1, 812.5)]
    assert scalars(board, "system/gpu_max_memory_mb") == [(1, 1024.0)]
    other = export_tensorboard("20261122-120501-lenet5", {"preset": "lenet5"}, events, tmp_path)
    assert other == tmp_path / "20261122-120501-lenet5"  # the name is taken by another run


def test_missing_tensorboardx_is_a_clear_exit_2(tmp_path):
    script = (
        "import sys; sys.modules['tensorboardX'] = None; from tui.cli import main; "
        f"sys.exit(main(['train', '--preset', 'lenet5', '--dataset', 'shapes', "
        f"'--tensorboard', {str(tmp_path / 'tb')!r}, '--runs-dir', {str(tmp_path / 'runs')!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "pip install 'cnn-tui[tensorboard]'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_train_mirrors_a_live_run_into_tensorboard(tmp_path):
    runs, board_dir = tmp_path / "runs", tmp_path / "board"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CNN_TUI_RUNS": str(runs)}
    started = subprocess.run(
        [sys.executable, "-m", "tui.cli", "train", "--preset", "lenet5", "--dataset", "shapes",
         "--train-size", "1200", "--test-size", "64", "--batch-size", "32", "--epochs", "3",
         "--tensorboard", str(board_dir), "--detach"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    run_dir = runs / started.stdout.strip()
    config = json.loads((run_dir / "config.json").read_text())
    assert config["tensorboard_dir"] == str(board_dir.resolve())
    folder = board_dir / folder_name(run_dir.name)
    seen_live = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ended = any(e["kind"] == "end" for e in read_events(run_dir))
        if folder.is_dir() and "epoch/train_loss" in read_board(folder).Tags()["scalars"]:
            seen_live = not ended  # TensorBoard had epoch 1 while the run still trained
            break
        time.sleep(0.2)
    assert seen_live, "the mirror showed nothing before the run ended"
    while time.monotonic() < deadline and not any(e["kind"] == "end" for e in read_events(run_dir)):
        time.sleep(0.3)
    events = read_events(run_dir)
    assert events[-1]["kind"] == "end" and events[-1]["status"] == "finished"
    board = read_board(folder)
    expect_equal_to_events(board, events)
    assert hparams_of_board(board)["epochs"] == 3
