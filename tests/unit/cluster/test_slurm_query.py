"""Asking the scheduler, with stand-in squeue/sacct on PATH: squeue first, sacct for jobs squeue
forgot, coping without sacct, and the per-run cache once a job has ended."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.cluster.slurm import SlurmError, forget_snapshot, job_for_run, query_jobs, submit
from core.cluster.status import run_status
from core.runs.store import create_run, write_json_atomic


@pytest.fixture
def fake_slurm(tmp_path, monkeypatch):
    """A bin folder whose squeue/sacct/sbatch print what the test writes into `answers`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    answers = tmp_path / "answers"
    answers.mkdir()
    for name in ("squeue", "sacct", "sbatch"):
        script = bin_dir / name
        script.write_text(
            f'#!/bin/bash\necho "$*" >> {tmp_path}/calls\n'
            f"cat {answers}/{name}.out 2>/dev/null\n"
            f"cat {answers}/{name}.err 1>&2 2>/dev/null\n"
            f"exit $(cat {answers}/{name}.rc 2>/dev/null || echo 0)\n"
        )
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    forget_snapshot()
    yield answers, tmp_path / "calls"
    forget_snapshot()


def slurm_run(tmp_path: Path, job_id: str) -> Path:
    run_dir = create_run(tmp_path / "runs", {"preset": "lenet5", "epochs": 1})
    write_json_atomic(run_dir / "launch.json", {"launcher": "slurm", "job_id": job_id})
    return run_dir


def test_sacct_answers_for_jobs_squeue_no_longer_lists(fake_slurm):
    answers, calls = fake_slurm
    (answers / "squeue.out").write_text("5|RUNNING|None|gpu01|2026-01-31T12:00:00\n")
    (answers / "sacct.out").write_text(
        "6|TIMEOUT|None|gpu02|2026-01-31T10:00:00\n7|NODE_FAIL|None|gpu03|2026-01-31T10:00:00\n"
    )
    jobs = query_jobs(["5", "6", "7"])
    assert {key: job.state for key, job in jobs.items()} == {
        "5": "RUNNING",
        "6": "TIMEOUT",
        "7": "NODE_FAIL",
    }
    assert jobs["6"].source == "sacct"
    assert "-j 6,7 " in calls.read_text()  # only the jobs squeue did not list


def test_disabled_accounting_leaves_unknown_jobs_unknown(fake_slurm):
    answers, _ = fake_slurm
    (answers / "sacct.err").write_text("Slurm accounting storage is disabled")
    (answers / "sacct.rc").write_text("1")
    assert query_jobs(["8"]) == {}


def test_an_ended_job_is_remembered_and_not_asked_about_again(fake_slurm, tmp_path):
    answers, calls = fake_slurm
    run_dir = slurm_run(tmp_path, "9")
    (answers / "squeue.out").write_text("9|PREEMPTED|None|gpu04|2026-01-31T12:00:00\n")
    assert run_status(run_dir).state == "preempted"
    assert json.loads((run_dir / "slurm_state.json").read_text())["state"] == "PREEMPTED"
    (answers / "squeue.out").write_text("")  # the scheduler forgets it after MinJobAge
    calls.unlink()
    forget_snapshot()
    assert run_status(run_dir).state == "preempted"
    assert job_for_run(run_dir).source == "cache"
    assert not calls.exists()


def test_a_running_job_the_scheduler_forgot_is_reported_died(fake_slurm, tmp_path):
    answers, _ = fake_slurm
    run_dir = slurm_run(tmp_path, "10")
    (answers / "squeue.out").write_text("10|RUNNING|None|gpu05|2026-01-31T12:00:00\n")
    assert run_status(run_dir).state == "running"
    (answers / "squeue.out").write_text("")  # gone, and no end event was written
    forget_snapshot()
    assert run_status(run_dir).state == "died"


def test_without_slurm_commands_the_last_seen_state_is_shown(fake_slurm, tmp_path, monkeypatch):
    answers, _ = fake_slurm
    run_dir = slurm_run(tmp_path, "11")
    (answers / "squeue.out").write_text("11|PENDING|Priority||N/A\n")
    assert run_status(run_dir).state == "pending"
    monkeypatch.setenv("PATH", "/nonexistent")  # e.g. the runs folder seen from a laptop
    forget_snapshot()
    status = run_status(run_dir)
    assert status.state == "pending" and "Priority" in status.message


def test_sbatch_refusal_is_a_user_error_with_slurms_words(fake_slurm, tmp_path):
    answers, _ = fake_slurm
    (answers / "sbatch.err").write_text("sbatch: error: invalid partition specified: gpu")
    (answers / "sbatch.rc").write_text("1")
    script = tmp_path / "job.sbatch"
    script.write_text("#!/bin/bash\n")
    with pytest.raises(SlurmError, match="invalid partition specified: gpu"):
        submit(script)
    (answers / "sbatch.rc").write_text("0")
    (answers / "sbatch.err").write_text("")
    (answers / "sbatch.out").write_text("1234;cluster\n")
    assert submit(script) == "1234"


def test_a_refused_new_run_leaves_no_folder_behind(fake_slurm, tmp_path):
    from core.cluster.slurm import start_slurm
    from core.settings import SlurmSettings

    answers, _ = fake_slurm
    (answers / "sbatch.err").write_text("sbatch: error: Batch job submission failed")
    (answers / "sbatch.rc").write_text("1")
    run_dir = create_run(tmp_path / "runs", {"preset": "lenet5", "epochs": 1})
    with pytest.raises(SlurmError, match="submission failed.*was removed"):
        start_slurm(run_dir, SlurmSettings())
    assert not run_dir.exists()
