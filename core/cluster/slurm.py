"""Talking to Slurm: submit the worker with sbatch, ask squeue/sacct what became of it, cancel.

The scheduler's view is merged with the run's own files (events, heartbeat) by
`slurm_run_status`, so every state Slurm can put a job in is shown truthfully. The last state
the scheduler reported is cached in the run's slurm_state.json, because without accounting
(`sacct`) a job vanishes from `squeue` a few minutes after it ends.
"""

from __future__ import annotations

import getpass
import shutil
import subprocess
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from core.cluster.slurm_script import batch_script, write_batch_script
from core.cluster.slurm_state import ACTIVE, SlurmJob, merge_status, parse_sacct, parse_squeue
from core.cluster.states import RunStatus
from core.errors import UserError
from core.runs.digest import read_digest
from core.runs.schema import file_problem
from core.runs.store import clear_stop, read_json, request_stop, write_json_atomic
from core.settings import SlurmSettings

COMMAND_TIMEOUT = 20.0  # seconds to wait for any Slurm command
SQUEUE_CACHE_SECONDS = 1.0  # how long one squeue answer serves every run's status
SQUEUE_FORMAT = "%i|%T|%r|%N|%S"  # what parse_squeue reads: id, state, reason, nodes, start


class SlurmError(UserError):
    """A Slurm command is missing or refused the request; the message says what it said."""


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which(command[0]) is None:
        raise SlurmError(
            f"`{command[0]}` not found: Slurm commands are needed for "
            "--launcher slurm (run on the cluster's login node, or use --launcher "
            "local)."
        )
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, cwd=cwd
        )
    except subprocess.TimeoutExpired as error:
        raise SlurmError(
            f"`{' '.join(command)}` did not answer in {COMMAND_TIMEOUT:.0f} s: "
            "is slurmctld up? Try `sinfo`."
        ) from error


def submit(script: Path) -> str:
    """`sbatch --parsable SCRIPT` (from the script's folder); returns the job id."""
    result = _run(["sbatch", "--parsable", str(script)], cwd=script.parent)
    forget_snapshot()
    if result.returncode != 0:
        raise SlurmError(f"sbatch refused {script}: {result.stderr.strip() or result.stdout}")
    return result.stdout.strip().split(";")[0]


_snapshot: tuple[float, dict[str, SlurmJob]] = (0.0, {})


def my_jobs() -> dict[str, SlurmJob]:
    """Every job of this user that squeue still lists (array tasks one by one), at most one
    squeue call per SQUEUE_CACHE_SECONDS however many runs a screen shows."""
    global _snapshot
    taken, jobs = _snapshot
    if time.monotonic() - taken > SQUEUE_CACHE_SECONDS:
        result = _run(
            ["squeue", "-u", getpass.getuser(), "-h", "-r", "-t", "all", "-o", SQUEUE_FORMAT]
        )
        jobs = parse_squeue(result.stdout) if result.returncode == 0 else {}
        _snapshot = (time.monotonic(), jobs)
    return jobs


def forget_snapshot() -> None:
    """Make the next query ask squeue again (after sbatch/scancel, or in tests)."""
    global _snapshot
    _snapshot = (0.0, {})


def query_jobs(job_ids: list[str]) -> dict[str, SlurmJob]:
    """What the scheduler knows about these jobs: this user's squeue snapshot, then squeue
    and sacct for the rest (another user's jobs; sacct is skipped where accounting is
    disabled). A job missing from the answer is unknown to the scheduler."""
    if not job_ids:
        return {}
    jobs = dict(my_jobs())
    missing = [job_id for job_id in job_ids if job_id not in jobs]
    if missing:
        listed = _run(
            ["squeue", "-h", "-r", "-t", "all", "-j", ",".join(missing), "-o", SQUEUE_FORMAT]
        )
        if listed.returncode == 0:
            jobs.update(parse_squeue(listed.stdout))
        missing = [job_id for job_id in job_ids if job_id not in jobs]
    if missing and shutil.which("sacct"):
        accounted = _run(
            [
                "sacct",
                "-n",
                "-P",
                "-X",
                "-j",
                ",".join(missing),
                "-o",
                "JobID,State,Reason,NodeList,Start",
            ]
        )
        if accounted.returncode == 0:
            jobs.update(
                {key: job for key, job in parse_sacct(accounted.stdout).items() if key in missing}
            )
    return {job_id: jobs[job_id] for job_id in job_ids if job_id in jobs}


def cancel(job_id: str) -> None:
    """`scancel JOB`."""
    result = _run(["scancel", job_id])
    forget_snapshot()
    if result.returncode != 0:
        raise SlurmError(f"scancel {job_id} failed: {result.stderr.strip()}")


def launch_record(run_dir: Path) -> dict[str, Any] | None:
    """launch.json when the run was submitted to Slurm, else None."""
    launch = read_json(Path(run_dir) / "launch.json")
    if isinstance(launch, dict) and launch.get("launcher") == "slurm":
        return launch
    return None


def start_slurm(run_dir: Path | str, settings: SlurmSettings) -> dict[str, Any]:
    """Write run_dir/job.sbatch, submit it and record the job id in launch.json."""
    run_dir = Path(run_dir).resolve()
    script = _write_run_script(run_dir, settings.validate())
    try:
        job_id = submit(script)
    except SlurmError as error:
        if not (run_dir / "launch.json").exists() and not (run_dir / "events.jsonl").exists():
            shutil.rmtree(run_dir, ignore_errors=True)  # a brand-new run: leave nothing behind
            raise SlurmError(f"{error} (the run folder {run_dir.name} was removed)") from None
        raise
    return record_submission(run_dir, job_id, script, slurm=asdict(settings))


def _write_run_script(run_dir: Path, settings: SlurmSettings) -> Path:
    """run_dir/job.sbatch: a one-run job whose output goes to the run's worker.log."""
    return write_batch_script(
        run_dir / "job.sbatch",
        batch_script(
            [run_dir],
            settings,
            job_name=f"cnn-tui-{run_dir.name}",
            output=str(run_dir / "worker.log"),
        ),
    )


def record_submission(run_dir: Path, job_id: str, script: Path, **extra: Any) -> dict[str, Any]:
    """Write launch.json for a submitted job (resubmissions keep the earlier job ids)."""
    earlier = launch_record(run_dir) or {}
    history = list(earlier.get("previous_jobs", []))
    if earlier.get("job_id"):
        history.append(earlier["job_id"])
    launch = {
        "launcher": "slurm",
        "job_id": job_id,
        "script": str(script),
        "submitted": time.time(),
        "previous_jobs": history,
        **extra,
    }
    write_json_atomic(run_dir / "launch.json", launch)
    (run_dir / "slurm_state.json").unlink(missing_ok=True)
    return launch


def resubmit(run_dir: Path | str) -> dict[str, Any]:
    """Resume a Slurm run: clear any stop request and submit its job.sbatch again (the worker
    continues from the last checkpoint)."""
    run_dir = Path(run_dir).resolve()
    launch = launch_record(run_dir)
    if launch is None:
        raise SlurmError(f"{run_dir.name} was not submitted to Slurm.")
    job = job_for_run(run_dir)
    if job is not None and job.state in ACTIVE:
        raise SlurmError(
            f"Job {job.job_id} of {run_dir.name} is still {job.state.lower()}; stop it first."
        )
    clear_stop(run_dir)
    script = run_dir / "job.sbatch"
    if not script.exists():  # a sweep task: its array script is shared, so write its own
        settings = SlurmSettings(
            **{
                key: tuple(value) if key == "extra" else value
                for key, value in launch.get("slurm", {}).items()
            }
        )
        _write_run_script(run_dir, settings)
    return record_submission(run_dir, submit(script), script, slurm=launch.get("slurm", {}))


def job_for_run(run_dir: Path) -> SlurmJob | None:
    """The scheduler's view of the run's job (cached when the scheduler has forgotten it)."""
    launch = launch_record(run_dir)
    if launch is None:
        return None
    job_id = str(launch["job_id"])
    cache_path = Path(run_dir) / "slurm_state.json"
    cached = read_json(cache_path)
    remembered = _remembered_job(cached, job_id)
    if remembered is not None and remembered.state not in ACTIVE:
        return remembered  # an ended job stays ended: spare the scheduler the query
    try:
        job = query_jobs([job_id]).get(job_id)
    except SlurmError:  # no scheduler to ask (another machine, slurmctld down): last seen
        return remembered
    if job is not None:
        seen = {**asdict(job), "source": "cache"}
        if seen != cached:  # write only on change: the run folder may be on NFS
            write_json_atomic(cache_path, seen)
    return job


def _remembered_job(cached: Any, job_id: str) -> SlurmJob | None:
    """The job slurm_state.json remembers, when it is this job and of its shape (a file of
    another shape is ignored: the scheduler is asked again)."""
    if file_problem("slurm_state.json", cached) or cached.get("job_id") != job_id:
        return None
    return SlurmJob(
        **{field.name: cached[field.name] for field in fields(SlurmJob) if field.name in cached}
    )


def slurm_run_status(
    run_dir: Path | str, now: float | None = None, events: list[dict[str, Any]] | None = None
) -> RunStatus | None:
    """The status of a Slurm run, or None when the run was not submitted to Slurm (`events`:
    the run's events when the caller already read them)."""
    run_dir = Path(run_dir)
    launch = launch_record(run_dir)
    if launch is None:
        return None
    events = read_digest(run_dir, steps=False).head_events() if events is None else events
    return merge_status(
        job_for_run(run_dir),
        str(launch["job_id"]),
        events,
        read_json(run_dir / "heartbeat.json"),
        time.time() if now is None else now,
        float(launch.get("submitted") or 0),
    )


def job_alive(run_dir: Path | str) -> bool | None:
    """Whether the run's Slurm job still exists (None when the scheduler cannot tell)."""
    job = job_for_run(Path(run_dir))
    if job is None:
        return None
    if job.state in ACTIVE:
        return True if job.source != "cache" else None
    return False


def stop_slurm_run(run_dir: Path | str, *, grace_seconds: float, poll_seconds: float = 1.0) -> str:
    """Ask the worker to checkpoint and stop; `scancel` when the job outlives the grace period.
    Returns "stopped" or "cancelled"."""
    run_dir = Path(run_dir)
    launch = launch_record(run_dir)
    if launch is None:
        raise SlurmError(f"{run_dir.name} was not submitted to Slurm.")
    request_stop(run_dir)
    deadline = time.monotonic() + grace_seconds
    while True:
        forget_snapshot()
        job = job_for_run(run_dir)
        if job is None or job.state not in ACTIVE:
            return "stopped"
        if job.state == "PENDING" or time.monotonic() >= deadline:
            break  # pending: nothing to checkpoint yet
        time.sleep(poll_seconds)
    cancel(str(launch["job_id"]))
    return "cancelled"
