"""The words a run's status is told in, shared by the local and the Slurm launcher."""

from __future__ import annotations

from dataclasses import dataclass

STALE_SECONDS = 30.0  # a heartbeat older than this means the worker is not making progress
RUN_STATES = (
    "pending",
    "running",
    "stalled",
    "finished",
    "stopped",
    "failed",
    "died",
    "completing",
    "cancelled",
    "timeout",
    "preempted",
    "node_fail",
    "requeued",
    "resuming",
    "unreadable",
)  # cancelled … requeued: Slurm; unreadable: a run file is not of its shape (the message says)
LIVE_STATES = ("pending", "running", "stalled", "requeued", "resuming")
"""States in which the worker may still (again) run: not stoppable twice, not resumable."""


@dataclass(frozen=True)
class RunStatus:
    """What a run is doing, derived from its files (never from what a UI last saw)."""

    state: str  # one of RUN_STATES
    message: str  # one line for people
