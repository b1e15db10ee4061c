"""Own networks on the real single-node Slurm cluster (slurm_cluster.py): a Python-file model
trains on the compute node from the copy in its run folder, the original edited into garbage
right after submission, and the finished checkpoint rebuilds that copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cluster.slurm import job_for_run
from core.runs.events import read_events
from core.training.restore import load_run_model
from tests.functional.cluster.test_slurm import wait_for
from tests.functional.train.test_custom_arch_cli import NET
from tui.cli import main

pytestmark = [pytest.mark.slurm, pytest.mark.slow]


def test_python_model_trains_on_slurm_from_its_copied_file(slurm_cluster, tmp_path, capsys):
    net = tmp_path / "net.py"
    net.write_text(NET)
    runs = tmp_path / "runs"
    argv = ["train", "--arch", f"{net}:Net", "--arch-args", '{"width": 3}', "--dataset", "shapes"]
    argv += ["--epochs", "1", "--train-size", "128", "--test-size", "32", "--batch-size", "64"]
    argv += ["--device", "cpu", "--launcher", "slurm", "--cpus", "1"]
    argv += ["--activate", "export OMP_NUM_THREADS=1", "--runs-dir", str(runs), "--json"]
    assert main(argv) == 0, capsys.readouterr().err
    net.write_text("raise SystemExit('the original was edited after launch')\n")
    launch = json.loads(capsys.readouterr().out)
    run_dir = Path(launch["run_dir"])
    assert (run_dir / "model.py").read_text() == NET
    config = json.loads((run_dir / "config.json").read_text())
    assert config["arch_file"] == "model.py" and config["arch_args"] == {"width": 3}

    wait_for(lambda: job_for_run(run_dir).state == "COMPLETED", 90, "the job to complete")
    events = read_events(run_dir)
    assert events[-1]["kind"] == "end" and events[-1]["status"] == "finished", events[-1]
    assert [e["kind"] for e in events].count("epoch") == 1
    model = load_run_model(run_dir.name, runs)
    assert sum(p.numel() for p in model.module.parameters()) == 3 * 3 * 9 + 3 + 3 * 64 * 10 + 10
