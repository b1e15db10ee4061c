"""What a Slurm job's state means for a run: parse squeue/sacct output and merge the
scheduler's view with the run's own events and heartbeat (pure functions, no commands run)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from core.cluster.states import STALE_SECONDS, RunStatus
from core.runs.events import last_session

ACTIVE = {
    "PENDING",
    "CONFIGURING",
    "RUNNING",
    "COMPLETING",
    "SUSPENDED",
    "REQUEUED",
    "REQUEUE_FED",
    "REQUEUE_HOLD",
    "RESIZING",
    "SIGNALING",
    "STAGE_OUT",
    "STOPPED",
    "RESV_DEL_HOLD",
}
"""Job states in which the job still exists (its worker may yet run)."""

TERMINAL = {
    "CANCELLED": "cancelled",
    "TIMEOUT": "timeout",
    "DEADLINE": "timeout",
    "PREEMPTED": "preempted",
    "NODE_FAIL": "node_fail",
    "BOOT_FAIL": "node_fail",
    "FAILED": "failed",
    "OUT_OF_MEMORY": "failed",
    "REVOKED": "cancelled",
    "SPECIAL_EXIT": "failed",
}
"""Scheduler end states that say more than the worker's own `end` event can."""

PENDING_STATES = ("PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING")
"""Job states in which no worker of the job runs yet (a requeued job goes back to these)."""


@dataclass(frozen=True)
class SlurmJob:
    """One job (or array task) as the scheduler reports it."""

    job_id: str  # "123" or, for an array task, "123_4"
    state: str  # Slurm's state word, e.g. PENDING, RUNNING, CANCELLED
    reason: str  # pending reason or end reason ("None" when Slurm gives none)
    node: str  # node list ("" while pending)
    source: str  # "squeue", "sacct" or "cache"
    start: float | None = None  # unix seconds the current incarnation started (None: not yet)


def parse_time(text: str) -> float | None:
    """Slurm's local ISO time ("2026-01-31T12:00:00") as unix seconds; None for N/A/Unknown."""
    try:
        return time.mktime(time.strptime(text.strip(), "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None


def parse_squeue(text: str) -> dict[str, SlurmJob]:
    """Jobs from `squeue -h -r -o %i|%T|%r|%N|%S` output (start time only once running)."""
    jobs = {}
    for line in text.splitlines():
        parts = line.strip().split("|")
        if len(parts) >= 5 and parts[0]:
            start = parse_time(parts[4]) if parts[1] not in PENDING_STATES else None
            jobs[parts[0]] = SlurmJob(parts[0], parts[1], parts[2], parts[3], "squeue", start)
    return jobs


def parse_sacct(text: str) -> dict[str, SlurmJob]:
    """Jobs from `sacct -n -P -X -o JobID,State,Reason,NodeList,Start` output."""
    jobs = {}
    for line in text.splitlines():
        parts = line.strip().split("|")
        if len(parts) >= 5 and parts[0]:
            state = parts[1].split()[0] if parts[1] else "UNKNOWN"  # "CANCELLED by 0"
            node = "" if parts[3] in ("None assigned", "(null)") else parts[3]
            jobs[parts[0]] = SlurmJob(
                parts[0], state, parts[2], node, "sacct", parse_time(parts[4])
            )
    return jobs


def merge_status(
    job: SlurmJob | None,
    job_id: str,
    events: list[dict[str, Any]],
    beat: dict[str, Any] | None,
    now: float,
    submitted: float = 0.0,
) -> RunStatus:
    """The run's state from the scheduler's job state plus its own events and heartbeat
    (`submitted`: when this job was submitted, launch.json's; a job submitted after the run
    ended is its resubmission, `resuming` until it starts)."""
    session = last_session(events)
    if job is not None and job.start is not None:  # a requeued job starts a new incarnation
        session = [event for event in session if event.get("time", now) >= job.start - 1]
    end = next((event for event in reversed(session) if event["kind"] == "end"), None)
    started = any(event["kind"] == "start" for event in session)
    label = f"job {job_id}"
    last = session[-1] if session else None
    if (
        last is not None
        and last["kind"] == "requeue"
        and (job is None or job.state not in TERMINAL)
    ):
        return _requeued(job, label, last)
    if job is None:
        if end is not None:
            return RunStatus(end.get("status", "failed"), end.get("message") or "")
        return RunStatus(
            "died",
            f"Slurm {label} is gone without an end event; `cnn-tui runs "
            "resume` resubmits it from the last checkpoint.",
        )
    state, node = job.state, job.node or "?"
    reason = "" if job.reason in ("None", "") else f" ({job.reason})"
    if state in TERMINAL:
        return _terminal(job, label, end)
    if state in PENDING_STATES:
        why = reason.strip(" ()") or "waiting for resources"
        if end is not None and submitted > float(end.get("time", now)):  # a resubmission
            return RunStatus(
                "resuming", f"Slurm {label} pending: {why}; resumes from the last checkpoint."
            )
        again = " (requeued)" if events and any(e["kind"] == "start" for e in events) else ""
        return RunStatus("pending", f"Slurm {label} pending{again}: {why}.")
    if end is not None:
        suffix = " (Slurm: completing)" if state == "COMPLETING" else ""
        return RunStatus(end.get("status", "failed"), (end.get("message") or "") + suffix)
    if state == "COMPLETING":
        return RunStatus("completing", f"Slurm {label} completing on {node}.")
    if state == "COMPLETED":
        return RunStatus("died", f"Slurm {label} completed without an end event; see worker.log.")
    if state == "RUNNING":
        if not started or beat is None:
            return RunStatus("running", f"Slurm {label} running on {node}: starting.")
        age = now - float(beat.get("time", 0))
        if age > STALE_SECONDS:
            return RunStatus("stalled", f"Slurm {label} on {node}: no heartbeat for {age:.0f} s.")
        return RunStatus("running", f"Slurm {label} running on {node}.")
    return RunStatus("stalled", f"Slurm {label} is {state.lower()}{reason} on {node}.")


def _requeued(job: SlurmJob | None, label: str, event: dict[str, Any]) -> RunStatus:
    """A run that requeued its own job at the time limit, until the job runs again."""
    count = f" {event.get('count', '?')}/{event.get('max', '?')}"
    if job is not None and job.state in PENDING_STATES:
        why = "" if job.reason in ("None", "") else f" ({job.reason})"
        where = f"Slurm {label} is pending{why}"
    else:
        where = f"Slurm {label} is being requeued"
    return RunStatus(
        "requeued",
        f"requeued (time limit){count}: {where}; it resumes from the checkpoint by itself.",
    )


def _terminal(job: SlurmJob, label: str, end: dict[str, Any] | None) -> RunStatus:
    """A scheduler end state, which says more than the worker's own end event."""
    word = TERMINAL[job.state]
    if word == "failed" and end is not None and end.get("status") == "failed":
        return RunStatus("failed", end.get("message") or "")
    node = job.node or "?"
    what = {
        "cancelled": "was cancelled",
        "timeout": "hit its time limit",
        "preempted": "was preempted",
        "node_fail": f"lost its node {node}",
        "failed": f"failed on {node}",
    }[word]
    reason = "" if job.reason in ("None", "") else f" ({job.reason})"
    hint = (
        "; see worker.log"
        if word == "failed"
        else "; `cnn-tui runs resume` continues from the last checkpoint"
    )
    return RunStatus(word, f"Slurm {label} {what}{reason} [{job.state}]{hint}.")
