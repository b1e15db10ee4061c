"""Launching a run and asking after its worker, whichever launcher started it.

The one place that knows both launchers: `launch_run` (check, write the run folder, start its
worker) for the app, `relaunch` for resuming, and `worker_alive` for a run's status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.cluster.local import local_worker_alive, start_local
from core.cluster.slurm import job_alive, launch_record, resubmit, start_slurm
from core.errors import UserError
from core.runs.store import clear_stop, create_run, read_json
from core.settings import SlurmSettings, load_settings


def start_worker(launcher: str, run_dir: Path, slurm: SlurmSettings | None = None) -> str:
    """Start the run's worker with the chosen launcher (Slurm: with the reviewed request);
    returns a line saying where it runs."""
    if launcher == "local":
        launch = start_local(run_dir)
        return f"worker pid {launch['pid']} on {launch['host']}"
    if launcher == "slurm":
        launch = start_slurm(run_dir, slurm or load_settings().slurm)
        return f"Slurm job {launch['job_id']}, script {run_dir.name}/job.sbatch"
    raise ValueError(f"unknown launcher {launcher!r}")


def launch_run(
    runs_dir: Path, config, launcher: str, name: str, slurm: SlurmSettings | None = None
) -> tuple[Path, str]:
    """Check data, device and weights, write the run folder, start its worker (blocking:
    call from a thread). Raises UserError when the run cannot start; a failed preflight
    writes nothing."""
    from core.training.setup import preflight

    checked = preflight(config if launcher == "local" else config.with_changes(device="cpu"))
    config = config.with_changes(tensorboard_dir=checked.tensorboard_dir)  # made absolute
    run_dir = create_run(runs_dir, config.to_dict(), name=name)
    try:
        where = start_worker(launcher, run_dir, slurm)
    except OSError as error:
        raise UserError(
            f"The run {run_dir.name} was written but its worker did not start: {error}"
        ) from error
    return run_dir, where


def relaunch(run_dir: Path | str) -> dict[str, Any]:
    """Start a stopped or died run again the way it was launched (its Slurm job resubmitted,
    else a fresh local worker); it continues from its last checkpoint. Returns launch.json.
    Callers check first (`core.cluster.resume.resume_run`)."""
    if launch_record(Path(run_dir)) is not None:
        return resubmit(run_dir)
    clear_stop(run_dir)
    return start_local(run_dir)


def worker_alive(run_dir: Path | str) -> bool | None:
    """True/False when the launcher can tell whether the worker still exists, None when it
    cannot (no launch.json, or a process on another host)."""
    launch = read_json(Path(run_dir) / "launch.json")
    if not isinstance(launch, dict):
        return None
    if launch.get("launcher") == "local":
        return local_worker_alive(launch)
    if launch.get("launcher") == "slurm":
        return job_alive(run_dir)
    return None
