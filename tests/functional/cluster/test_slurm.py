"""The Slurm launcher against a real single-node cluster (munged + slurmctld + slurmd on
localhost, see slurm_cluster.py): submit, watch events, stop, cancel, requeue, sweep arrays,
and the scheduler states a run can be reported in."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from core.cluster.slurm import forget_snapshot, job_for_run, start_slurm, stop_slurm_run
from core.cluster.status import run_status
from core.runs.events import EventTail, read_events
from core.runs.store import create_run
from core.settings import SlurmSettings
from core.training.config import TrainConfig
from tui.cli import main

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

SETTINGS = SlurmSettings(cpus=1, activate="export OMP_NUM_THREADS=1")
"""One CPU per job and one thread per worker: the test machine is small."""


def tiny_config(epochs: int, **changes) -> dict:
    """A Shapes-10 LeNet run that trains an epoch in well under a second on one CPU."""
    values = dict(
        dataset="shapes",
        epochs=epochs,
        train_size=256,
        test_size=64,
        batch_size=64,
        device="cpu",
        **changes,
    )
    return TrainConfig.for_preset("lenet5", **values).validate().to_dict()


def wait_for(predicate, timeout: float, what: str, poll: float = 0.3):
    """Poll until `predicate()` is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        forget_snapshot()
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def kinds(run_dir: Path) -> list[str]:
    return [event["kind"] for event in read_events(run_dir)]


def state(run_dir: Path) -> str:
    forget_snapshot()
    return run_status(run_dir).state


def test_train_command_submits_a_run_that_streams_events_and_finishes(
    slurm_cluster, tmp_path, capsys
):
    assert (
        main(
            [
                "train",
                "--preset",
                "lenet5",
                "--dataset",
                "shapes",
                "--epochs",
                "2",
                "--train-size",
                "256",
                "--test-size",
                "64",
                "--batch-size",
                "64",
                "--device",
                "cpu",
                "--launcher",
                "slurm",
                "--cpus",
                "1",
                "--activate",
                "export OMP_NUM_THREADS=1",
                "--runs-dir",
                str(tmp_path),
                "--json",
            ]
        )
        == 0
    )
    launch = json.loads(capsys.readouterr().out)
    run_dir = Path(launch["run_dir"])
    assert json.loads((run_dir / "launch.json").read_text())["job_id"] == launch["job_id"]
    script = (run_dir / "job.sbatch").read_text()
    assert "#SBATCH --requeue" in script and "#SBATCH --cpus-per-task=1" in script
    seen_states = {state(run_dir)}
    tail = EventTail(run_dir / "events.jsonl")
    arrived: list[str] = []

    def ended() -> bool:
        seen_states.add(state(run_dir))
        arrived.extend(event["kind"] for event in tail.poll())
        return "end" in arrived

    wait_for(ended, 60, "the run's end event")
    assert arrived[0] == "start" and arrived.count("epoch") == 2
    assert seen_states & {"pending", "running"}
    wait_for(lambda: job_for_run(run_dir).state == "COMPLETED", 20, "COMPLETED")
    assert state(run_dir) == "finished"
    log = (run_dir / "worker.log").read_text()
    assert f"[cnn-tui] job {launch['job_id']} on" in log


def test_stop_via_control_file_then_resume_then_scancel(slurm_cluster, tmp_path, capsys):
    run_dir = create_run(tmp_path, tiny_config(epochs=200))
    start_slurm(run_dir, SETTINGS)
    wait_for(lambda: "checkpoint" in kinds(run_dir), 60, "a first checkpoint")
    assert main(["runs", "stop", run_dir.name, "--runs-dir", str(tmp_path)]) == 0
    assert f"{run_dir.name}: stopped." in capsys.readouterr().out
    assert (run_dir / "control" / "stop").exists()
    assert read_events(run_dir)[-1]["status"] == "stopped"
    wait_for(lambda: state(run_dir) == "stopped", 20, "state stopped")
    stopped_epochs = max(e["epoch"] for e in read_events(run_dir) if e["kind"] == "epoch")

    first_job = json.loads((run_dir / "launch.json").read_text())["job_id"]
    assert main(["runs", "resume", run_dir.name, "--runs-dir", str(tmp_path)]) == 0
    launch = json.loads((run_dir / "launch.json").read_text())
    assert launch["previous_jobs"] == [first_job] and launch["job_id"] != first_job
    assert f"job {launch['job_id']}" in capsys.readouterr().out
    assert not (run_dir / "control" / "stop").exists()
    starts = wait_for(
        lambda: [e for e in read_events(run_dir) if e["kind"] == "start"][1:],
        60,
        "the resumed worker's start event",
    )
    assert starts[0]["resumed_from_epoch"] >= stopped_epochs
    subprocess.run(["scancel", launch["job_id"]], check=True)
    wait_for(lambda: state(run_dir) == "cancelled", 30, "state cancelled")
    assert "cancelled" in run_status(run_dir).message
    assert stop_slurm_run(run_dir, grace_seconds=0) == "stopped"  # nothing left to cancel


def test_requeued_job_resumes_and_the_time_limit_signal_stops_it(slurm_cluster, tmp_path):
    run_dir = create_run(tmp_path, tiny_config(epochs=200))
    job_id = start_slurm(run_dir, replace(SETTINGS, requeue=False))["job_id"]  # --no-requeue
    wait_for(lambda: "checkpoint" in kinds(run_dir), 60, "a first checkpoint")
    subprocess.run(["scontrol", "requeue", job_id], check=True)
    wait_for(lambda: state(run_dir) == "pending", 20, "the requeued job to be pending")
    assert "requeued" in run_status(run_dir).message
    # Slurm holds a requeued job back for cred_expire (30 s here); release it now.
    subprocess.run(["scontrol", "update", f"JobId={job_id}", "StartTime=now"], check=True)
    starts = wait_for(
        lambda: [e for e in read_events(run_dir) if e["kind"] == "start"][1:],
        60,
        "the requeued job's worker to start again",
    )
    assert starts[0]["resumed_from_epoch"] >= 1
    wait_for(
        lambda: kinds(run_dir)[-1] == "checkpoint" and kinds(run_dir).count("start") == 2,
        60,
        "an epoch of the resumed job",
    )
    assert state(run_dir) == "running"
    # What Slurm does `signal_seconds` before the time limit: USR1 to the batch shell only.
    subprocess.run(["scancel", "--batch", "--signal=USR1", job_id], check=True)
    wait_for(lambda: "end" in kinds(run_dir)[-1:], 30, "the worker to stop")
    assert (run_dir / "control" / "stop").read_text().strip() == "slurm-time-limit"
    assert read_events(run_dir)[-1]["status"] == "stopped"
    wait_for(lambda: state(run_dir) == "stopped", 20, "state stopped")
    epochs = [e["epoch"] for e in read_events(run_dir) if e["kind"] == "epoch"]
    assert sorted(set(epochs)) == list(range(1, max(epochs) + 1))  # none lost, none skipped
    assert "restart 1" in (run_dir / "worker.log").read_text()


def test_pending_reason_failed_and_died_states(slurm_cluster, tmp_path):
    held = create_run(tmp_path, tiny_config(epochs=1), name="held")
    start_slurm(held, SlurmSettings(extra=("--hold",)))
    status = wait_for(lambda: run_status(held), 10, "a status")
    assert status.state == "pending" and "JobHeldUser" in status.message
    assert stop_slurm_run(held, grace_seconds=30) == "cancelled"  # pending: scancel at once
    wait_for(lambda: state(held) == "cancelled", 20, "the held job cancelled")

    failing = create_run(tmp_path, tiny_config(epochs=1), name="failing")
    start_slurm(failing, SlurmSettings(python="/bin/false", use_srun=False))
    silent = create_run(tmp_path, tiny_config(epochs=1), name="silent")
    start_slurm(silent, SlurmSettings(python="/bin/true", use_srun=False))
    wait_for(lambda: state(failing) == "failed", 30, "state failed")
    assert "FAILED" in run_status(failing).message
    wait_for(lambda: state(silent) == "died", 30, "state died (no end event)")


def test_sweep_runs_as_one_job_array_with_results(slurm_cluster, tmp_path, capsys):
    code = main(
        [
            "sweep",
            "--preset",
            "lenet5",
            "--grid",
            "lr=1e-3,5e-4 augment=none,flip",
            "--set",
            "dataset=shapes epochs=1 train_size=128 test_size=64 device=cpu",
            "--launcher",
            "slurm",
            "--cpus",
            "1",
            "--activate",
            "export OMP_NUM_THREADS=1",
            "--runs-dir",
            str(tmp_path),
            "--json",
        ]
    )
    assert code == 0
    created = json.loads(capsys.readouterr().out)
    job_id = created["job_id"]
    run_dirs = [tmp_path / run["run_id"] for run in created["runs"]]
    assert len(run_dirs) == 4
    assert {run["dataset_title"] for run in created["runs"]} == {"Shapes-10 (synthetic)"}
    tasks = [json.loads((path / "launch.json").read_text())["job_id"] for path in run_dirs]
    assert tasks == [f"{job_id}_{index}" for index in range(4)]
    configs = [json.loads((path / "config.json").read_text()) for path in run_dirs]
    assert {config["sweep"] for config in configs} == {created["sweep_id"]}
    assert [(c["lr"], c["augment"]) for c in configs] == [
        (1e-3, []),
        (1e-3, ["flip"]),
        (5e-4, []),
        (5e-4, ["flip"]),
    ]
    wait_for(
        lambda: all(state(path) == "finished" for path in run_dirs),
        90,
        "all four array tasks to finish",
    )
    assert (
        main(["sweep", "--results", created["sweep_id"], "--runs-dir", str(tmp_path), "--json"])
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert [row["params"] for row in results["runs"]] == [
        {"lr": "0.001", "augment": "none"},
        {"lr": "0.001", "augment": "flip"},
        {"lr": "0.0005", "augment": "none"},
        {"lr": "0.0005", "augment": "flip"},
    ]
    assert all(
        row["state"] == "finished" and row["epochs_done"] == 1 and 0 <= row["final_acc"] <= 1
        for row in results["runs"]
    )
    assert main(["sweep", "--results", created["sweep_id"], "--runs-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("Shapes-10 (synthetic)") == 4  # the data column


def test_doctor_submits_a_probe_job_that_sees_the_shared_runs_folder(
    slurm_cluster, tmp_path, capsys
):
    code = main(
        ["doctor", "--runs-dir", str(tmp_path), "--partition", "debug", "--timeout", "60", "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["slurm commands"]["status"] == "ok"
    assert "accounting storage is disabled" in checks["slurm commands"]["detail"]
    assert checks["shared runs folder"]["status"] == "ok"
    cuda = checks["cuda on compute node"]
    import torch

    assert cuda["status"] == ("ok" if torch.cuda.is_available() else "fail")
    assert code == (0 if report["ok"] else 1)
    bad = main(["doctor", "--runs-dir", str(tmp_path), "--partition", "nope", "--json"])
    refused = json.loads(capsys.readouterr().out)["checks"][-1]
    assert bad == 1 and refused["name"] == "compute job" and "partition" in refused["detail"]
