"""Resuming a run, with the same checks wherever it is asked for (`runs resume`, the Monitor's
`r`): not while its worker may live, not once finished, and only when it can train (data,
device, weights); a stopped, failed or died run alike continues from its last checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.cluster.launch import relaunch
from core.cluster.slurm import launch_record
from core.cluster.states import LIVE_STATES
from core.cluster.status import run_status
from core.errors import UserError
from core.runs.store import read_json


def refusal(run_id: str, state: str) -> str | None:
    """Why a run in `state` cannot resume (the checks that need only its status), else None."""
    if state in LIVE_STATES:
        return (
            f"Run {run_id} is {state}: its worker may still be alive. "
            f"Stop it first (k in the Monitor, `cnn-tui runs stop {run_id}`)."
        )
    if state == "finished":
        return f"Run {run_id} has finished; start a new run to train more."
    return None


def check_resumable(run_dir: Path):
    """The run's TrainConfig after the checks, or UserError saying why it cannot resume (an
    unsafe checkpoint is refused here, before any worker starts)."""
    from core.training.checkpoint import check_run
    from core.training.config import TrainConfig
    from core.training.setup import preflight

    why = refusal(run_dir.name, run_status(run_dir).state)
    if why:
        raise UserError(why)
    check_run(run_dir)
    saved = TrainConfig.from_dict(read_json(run_dir / "config.json") or {})
    on_slurm = launch_record(run_dir) is not None
    return preflight(
        saved.with_changes(device="cpu") if on_slurm else saved, run_dir
    )  # Slurm: GPU on the node


def resume_run(run_dir: Path) -> dict[str, Any]:
    """Check, then start the run's worker again the way it was launched; returns launch.json."""
    check_resumable(run_dir)
    return relaunch(run_dir)
