"""`cnn-tui train` and `cnn-tui runs …`: validation, foreground, detach, stop/resume, export."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PIL import Image

from core.cluster.launch import worker_alive
from core.cluster.status import run_status
from core.runs.export import load_export_run, plot_runs
from tui.cli import main

torch.set_num_threads(1)
TINY = ["--dataset", "shapes", "--train-size", "96", "--test-size", "32", "--batch-size", "32"]


def stop_worker(run_dir: Path) -> None:
    """Kill a detached worker that a failed test left behind."""
    launch = json.loads((run_dir / "launch.json").read_text())
    if worker_alive(run_dir):
        os.kill(launch["pid"], signal.SIGKILL)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--preset", "lenet6"], "lenet5, lenet-8-16, vgg-2x2"),
        (["--preset", "lenet5", "--lr", "-0.01"], "learning rate"),
        (["--preset", "lenet5", "--batch-size", "0"], "batch size"),
        (["--preset", "lenet5", "--betas", "0.9"], "two numbers"),
        (["--preset", "lenet5", "--betas", "a,b"], "--betas"),
        (["--preset", "lenet5", "--augment", "flip,rotate"], "rotate"),
        (["--preset", "lenet5", "--normalize", "0.5"], "--normalize"),
        (["--preset", "lenet5", "--early-stop", "3"], "--val-split"),
        (
            ["--preset", "lenet5", "--dataset", "cifar10", "--data-dir", "EMPTY"],
            "data fetch cifar10",
        ),
    ],
)
def test_invalid_values_exit_2_and_write_nothing(tmp_path, capsys, flags, words):
    flags = [str(tmp_path / "empty") if flag == "EMPTY" else flag for flag in flags]
    runs = tmp_path / "runs"
    code, out, err = run_cli(capsys, "train", *flags, "--runs-dir", str(runs))
    assert code == 2 and out == ""
    assert err.startswith("cnn-tui train: error: ") and words in err
    assert "Traceback" not in err and not runs.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_gpu_is_refused(tmp_path, capsys):
    code, _, err = run_cli(
        capsys, "train", "--preset", "lenet5", "--device", "cuda", "--runs-dir", str(tmp_path)
    )
    assert code == 2 and "--device cpu" in err and not list(tmp_path.iterdir())


def test_foreground_json_then_ls_show_export(tmp_path, capsys, monkeypatch):
    runs = str(tmp_path / "runs")
    code, out, _ = run_cli(
        capsys,
        "train",
        "--preset",
        "lenet-8-16",
        *TINY,
        "--epochs",
        "2",
        "--augment",
        "flip,crop",
        "--normalize",
        "0.5,0.5",
        "--runs-dir",
        runs,
        "--name",
        "first",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["status"] == "finished" and [e["epoch"] for e in result["epochs"]] == [1, 2]
    config = json.loads((Path(result["run_dir"]) / "config.json").read_text())
    assert config["augment"] == ["flip", "crop"] and config["normalize"] == [[0.5] * 3, [0.5] * 3]
    assert config["val_split"] == 0.1 and config["batch_size"] == 32  # preset default kept
    code, out, _ = run_cli(
        capsys,
        "train",
        "--preset",
        "lenet5",
        *TINY,
        "--epochs",
        "1",
        "--runs-dir",
        runs,
        "--name",
        "second",
        "--json",
    )
    second = json.loads(out)["run_id"]

    code, out, _ = run_cli(capsys, "runs", "ls", "--runs-dir", runs, "--json")
    listed = json.loads(out)["runs"]
    assert [(r["preset"], r["state"], r["epochs_done"]) for r in listed] == [
        ("lenet-8-16", "finished", 2),
        ("lenet5", "finished", 1),
    ]
    code, out, _ = run_cli(capsys, "runs", "ls", "--runs-dir", runs)
    assert code == 0 and result["run_id"] in out and "finished" in out
    monkeypatch.setenv("COLUMNS", "80")  # narrow: other columns give way, the data stays
    code, out, _ = run_cli(capsys, "runs", "ls", "--runs-dir", runs)
    assert max(map(len, out.splitlines())) <= 80 and "finished" in out
    assert out.count("Shapes-10 (synthetic)") == 2
    monkeypatch.delenv("COLUMNS")
    code, out, _ = run_cli(capsys, "runs", "show", "first", "--runs-dir", runs, "--json")
    assert json.loads(out)["epochs"] == result["epochs"]
    code, out, _ = run_cli(capsys, "runs", "show", "first", "--runs-dir", runs)
    assert code == 0 and "epoch" in out

    out_dir = tmp_path / "export"
    code, out, _ = run_cli(
        capsys,
        "runs",
        "export",
        "first",
        second,
        "--runs-dir",
        runs,
        "--out",
        str(out_dir),
        "--json",
    )
    files = json.loads(out)["files"]
    assert code == 0 and {Path(f).suffix for f in files} == {".csv", ".png"}
    with open(next(f for f in files if f.endswith(".csv"))) as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["run"], row["epoch"]) for row in rows] == [
        (result["run_id"], "1"),
        (result["run_id"], "2"),
        (second, "1"),
    ]
    assert float(rows[1]["test_acc"]) == result["epochs"][1]["test_acc"]
    assert rows[2]["val_acc"] == ""
    assert {row["dataset"] for row in rows} == {"Shapes-10 (synthetic)"}
    png = Image.open(next(f for f in files if f.endswith(".png")))
    assert png.size[0] > 800 and png.text["Title"] == "data: Shapes-10 (synthetic)"
    figure = plot_runs(
        [load_export_run(Path(result["run_dir"])), load_export_run(Path(runs) / second)]
    )
    accuracy, loss = figure.axes
    assert accuracy.get_title() == "accuracy · Shapes-10 (synthetic)"
    assert "data: Shapes-10 (synthetic)" in [text.get_text() for text in figure.texts]  # suptitle
    assert (accuracy.get_xlabel(), accuracy.get_ylabel()) == ("epoch", "accuracy (%)")
    assert loss.get_xlabel() == "epoch" and "loss" in loss.get_ylabel()
    labels = [text.get_text() for text in accuracy.get_legend().get_texts()]
    assert len(labels) == 5 and any(second in label for label in labels)

    code, out, err = run_cli(capsys, "runs", "export", "nope", "--runs-dir", runs)
    assert code == 2 and "runs ls" in err
    code, _, err = run_cli(capsys, "runs", "resume", "second", "--runs-dir", runs)
    assert code == 2 and "finished" in err
    code, _, err = run_cli(capsys, "runs", "stop", "second", "--runs-dir", runs)
    assert code == 2 and "nothing to stop" in err


@pytest.mark.slow
def test_detach_prints_the_id_and_stop_then_resume_finishes(tmp_path):
    runs = tmp_path / "runs"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CNN_TUI_RUNS": str(runs)}
    command = [sys.executable, "-m", "tui.cli"]
    started = subprocess.run(
        [
            *command,
            "train",
            "--preset",
            "lenet5",
            "--dataset",
            "shapes",
            "--train-size",
            "2000",
            "--test-size",
            "64",
            "--epochs",
            "30",
            "--detach",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    run_id = started.stdout.strip()
    run_dir = runs / run_id
    assert run_dir.is_dir() and "runs show" in started.stderr

    def wait_state(wanted: set[str], timeout: float = 240) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = run_status(run_dir).state
            if state in wanted:
                return state
            time.sleep(0.1)
        raise AssertionError(f"state stayed {state}")

    try:
        assert wait_state({"running"}) == "running"
        stop = subprocess.run(
            [*command, "runs", "stop", run_id], capture_output=True, text=True, env=env, timeout=60
        )
        assert stop.returncode == 0, stop.stderr
        assert wait_state({"stopped", "failed", "died"}) == "stopped"
        config = json.loads((run_dir / "config.json").read_text())
        config["epochs"] = 1  # finish soon after resuming (the config is the worker's only input)
        (run_dir / "config.json").write_text(json.dumps(config))
        resume = subprocess.run(
            [*command, "runs", "resume", run_id],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert resume.returncode == 0, resume.stderr
        assert wait_state({"finished", "failed", "died"}) == "finished"
    finally:
        stop_worker(run_dir)
