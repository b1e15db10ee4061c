"""Own networks on the real Slurm cluster: a Python-file class trains on the compute node from
the run folder's copy, the original deleted right after submission (a SPEC travels in the
config itself, so the file is the case that needs the cluster)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cluster.slurm import job_for_run
from core.runs.events import read_events
from core.training.restore import load_run_model
from tests.functional.cluster.test_slurm import state, wait_for
from tests.functional.train.test_custom_arch_cli import NET
from tui.cli import main

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

FLAGS = ["--dataset", "shapes", "--epochs", "1", "--train-size", "128", "--test-size", "32"]
FLAGS += ["--device", "cpu", "--launcher", "slurm", "--cpus", "1"]
FLAGS += ["--activate", "export OMP_NUM_THREADS=1", "--json"]


def test_a_python_model_trains_on_a_compute_node_from_its_copy(slurm_cluster, tmp_path, capsys):
    net = tmp_path / "net.py"
    net.write_text(NET)
    arch = f"{net}:Net"
    runs = tmp_path / "runs"
    assert main(["train", "--arch", arch, *FLAGS, "--runs-dir", str(runs)]) == 0
    launch = json.loads(capsys.readouterr().out)
    net.unlink()  # the student's file is gone; the node builds from the run folder's copy
    run_dir = Path(launch["run_dir"])
    wait_for(lambda: state(run_dir) in ("finished", "failed", "died"), 90, "the run's end")
    end = read_events(run_dir)[-1]
    assert end["kind"] == "end" and end["status"] == "finished", (
        run_dir / "worker.log"
    ).read_text()
    assert [e["epoch"] for e in read_events(run_dir) if e["kind"] == "epoch"] == [1]
    wait_for(lambda: job_for_run(run_dir).state == "COMPLETED", 20, "COMPLETED")
    model = load_run_model(run_dir.name, runs)
    assert (run_dir / "model.py").read_text() == NET
    assert sum(p.numel() for p in model.module.parameters()) == 4 * 3 * 9 + 4 + 4 * 640 + 10
