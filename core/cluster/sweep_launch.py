"""Starting a sweep's runs: one Slurm job array, or a detached local runner that keeps at most
N workers going at a time (`python -m core.cluster.sweep_launch SWEEP_DIR MAX_PARALLEL`).
"""

from __future__ import annotations

import socket
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.cluster.local import local_worker_alive, spawn_detached, start_local
from core.cluster.slurm import record_submission, submit
from core.cluster.slurm_script import batch_script, write_batch_script
from core.cluster.sweep import Sweep, update_sweep_record
from core.runs.store import read_json, stop_requested
from core.settings import SlurmSettings

POLL_SECONDS = 2.0  # how often the local runner checks for finished workers


def sweep_script(sweep: Sweep, settings: SlurmSettings, max_parallel: int | None) -> str:
    """The job-array batch script for a sweep (task i trains run i)."""
    return batch_script(
        list(sweep.run_dirs),
        settings.validate(),
        job_name=f"cnn-tui-{sweep.id}",
        output=str(sweep.path.resolve() / "slurm-%A_%a.out"),
        array_parallel=max_parallel,
    )


def submit_sweep_slurm(
    sweep: Sweep, settings: SlurmSettings, max_parallel: int | None = None
) -> str:
    """Submit the sweep as ONE job array; each run's launch.json names its array task."""
    script = write_batch_script(
        sweep.path / "sweep.sbatch", sweep_script(sweep, settings, max_parallel)
    )
    job_id = submit(script)
    for index, run_dir in enumerate(sweep.run_dirs):
        record_submission(
            run_dir.resolve(),
            f"{job_id}_{index}",
            script,
            array_job_id=job_id,
            array_task=index,
            slurm=asdict(settings),
        )
    update_sweep_record(sweep.path.parent.parent, sweep.id, launcher="slurm", job_id=job_id)
    return job_id


def start_local_sweep(sweep: Sweep, max_parallel: int) -> int:
    """Start the detached local runner; returns its pid."""
    process = spawn_detached(
        ["core.cluster.sweep_launch", str(sweep.path.resolve()), str(max_parallel)],
        sweep.path / "runner.log",
    )
    update_sweep_record(
        sweep.path.parent.parent,
        sweep.id,
        launcher="local",
        runner_pid=process.pid,
        max_parallel=max_parallel,
    )
    return process.pid


def _alive(run_dir: Path) -> bool:
    """Whether the worker this runner started for `run_dir` still runs: its pid is alive and
    started when the worker did (a reused pid is another process, not a live sweep run)."""
    launch = read_json(run_dir / "launch.json")
    if not isinstance(launch, dict):
        return False
    return local_worker_alive({**launch, "host": socket.gethostname()}) is True  # started here


def run_local_sweep(sweep_dir: Path, max_parallel: int) -> None:
    """Start the sweep's runs in order, never more than `max_parallel` at once; return when
    every run has been started (or asked to stop before it started) and all have exited."""
    record: dict[str, Any] = read_json(sweep_dir / "sweep.json") or {}
    runs_dir = sweep_dir.parent.parent
    waiting = [runs_dir / run_id for run_id in record.get("runs", [])]
    running: list[Path] = []
    while waiting or running:
        running = [run_dir for run_dir in running if _alive(run_dir)]
        while waiting and len(running) < max_parallel:
            run_dir = waiting.pop(0)
            if not stop_requested(run_dir):
                start_local(run_dir)
                running.append(run_dir)
        if waiting or running:
            time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    run_local_sweep(Path(sys.argv[1]), int(sys.argv[2]))
