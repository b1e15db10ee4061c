"""`python -m core.cluster.requeue RUN_DIR MAX`: a Slurm job requeues itself at its time limit.

The batch script runs this after Slurm's pre-time-limit signal made the worker checkpoint and
stop. When the run ended `stopped` (never after a failure) and has requeued itself fewer than
MAX times, it appends a `requeue` event, clears the time-limit stop request and runs
`scontrol requeue $SLURM_JOB_ID`: Slurm starts the same job again, whose worker resumes from the
checkpoint. When Slurm refuses, an `end` event says so and `cnn-tui runs resume` remains.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from core.cluster.slurm import SlurmError, _run
from core.cluster.slurm_script import STOP_REASON
from core.runs.digest import read_digest
from core.runs.events import EventWriter

TIME_LIMIT = "time limit"


def requeue_count(events: list[dict[str, Any]]) -> int:
    """How many times the run has requeued itself so far."""
    return sum(1 for event in events if event.get("kind") == "requeue")


def decide(events: list[dict[str, Any]], max_requeues: int) -> str | None:
    """Why the run must not requeue itself (None: it may)."""
    end = next((e for e in reversed(events) if e.get("kind") in ("end", "requeue")), None)
    if end is None or end.get("kind") != "end":
        return "the worker left no end event"
    if end.get("status") != "stopped":
        return f"the run ended {end.get('status')}, not stopped at the time limit"
    if requeue_count(events) >= max_requeues:
        return f"it has requeued itself {max_requeues} times already (slurm.max_requeues)"
    return None


def requeue(run_dir: Path, max_requeues: int, job_id: str) -> bool:
    """Requeue the run's job when `decide` allows it; returns whether Slurm took it back."""
    events = read_digest(run_dir, steps=False).head_events()  # all but the step events: bounded
    refusal = decide(events, max_requeues)
    if refusal:
        print(f"[cnn-tui] not requeued: {refusal}.", flush=True)
        return False
    count = requeue_count(events) + 1
    writer = EventWriter(run_dir)
    try:
        writer.write(
            {
                "kind": "requeue",
                "reason": TIME_LIMIT,
                "count": count,
                "max": max_requeues,
                "job_id": job_id,
                "epoch": max((e["epoch"] for e in events if e.get("kind") == "epoch"), default=0),
            }
        )
        stop = run_dir / "control" / "stop"
        if stop.is_file() and stop.read_text(encoding="utf-8").strip() == STOP_REASON:
            stop.unlink()
        print(
            f"[cnn-tui] time limit: requeueing job {job_id} ({count}/{max_requeues}).", flush=True
        )
        try:
            result = _run(["scontrol", "requeue", job_id])
            refused = result.returncode != 0 and (result.stderr or result.stdout).strip()
        except SlurmError as error:
            refused = str(error)
        if refused:
            writer.write(
                {
                    "kind": "end",
                    "status": "stopped",
                    "message": f"Stopped at the Slurm time limit; requeueing failed ({refused}). "
                    "`cnn-tui runs resume` continues from the checkpoint.",
                }
            )
            print(f"[cnn-tui] scontrol requeue failed: {refused}", flush=True)
            return False
    finally:
        writer.close()
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    job_id = os.environ.get("SLURM_JOB_ID")
    if len(args) != 2 or not args[1].isdigit() or not job_id:
        print(
            "usage (inside a Slurm job): python -m core.cluster.requeue RUN_DIR MAX",
            file=sys.stderr,
        )
        return 2
    requeue(Path(args[0]), int(args[1]), job_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
