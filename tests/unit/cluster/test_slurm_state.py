"""Parsing squeue/sacct output and merging the scheduler's state with a run's own events."""

from __future__ import annotations

import time

import pytest

from core.cluster.slurm_state import (
    ACTIVE,
    PENDING_STATES,
    TERMINAL,
    SlurmJob,
    merge_status,
    parse_sacct,
    parse_squeue,
    parse_time,
)
from core.cluster.states import RUN_STATES

NOW = 1_800_000_000.0


def job(state: str, reason: str = "None", node: str = "gpu07", start: float | None = None):
    return SlurmJob("42", state, reason, node, "squeue", start)


def events(*kinds: str, status: str = "finished", at: float = NOW - 100) -> list[dict]:
    out = []
    for seq, kind in enumerate(kinds):
        event = {"seq": seq, "time": at + seq, "kind": kind}
        if kind == "end":
            event.update(status=status, message=f"worker says {status}")
        out.append(event)
    return out


def test_parse_squeue_expanded_array_and_plain_jobs():
    text = (
        "7_0|RUNNING|None|gpu01|2026-01-31T12:00:00\n"
        "7_1|PENDING|Resources||N/A\n"
        "8|CANCELLED|None|gpu02|2026-01-31T11:00:00\n"
    )
    jobs = parse_squeue(text)
    assert list(jobs) == ["7_0", "7_1", "8"]
    assert jobs["7_0"].node == "gpu01"
    assert jobs["7_0"].start == time.mktime((2026, 1, 31, 12, 0, 0, 0, 0, -1))
    assert jobs["7_1"].reason == "Resources" and jobs["7_1"].start is None
    assert jobs["8"].state == "CANCELLED"


def test_parse_sacct_takes_the_first_word_of_the_state():
    text = (
        "9|CANCELLED by 1000|None|gpu03|2026-01-31T10:00:00\n"
        "10|PENDING|Priority|None assigned|Unknown\n"
    )
    jobs = parse_sacct(text)
    assert jobs["9"].state == "CANCELLED" and jobs["9"].source == "sacct"
    assert jobs["10"].node == "" and jobs["10"].start is None


def test_parse_time_rejects_placeholders():
    assert parse_time("N/A") is None and parse_time("Unknown") is None


@pytest.mark.parametrize(
    "state, expected",
    [
        ("CANCELLED", "cancelled"),
        ("TIMEOUT", "timeout"),
        ("DEADLINE", "timeout"),
        ("PREEMPTED", "preempted"),
        ("NODE_FAIL", "node_fail"),
        ("BOOT_FAIL", "node_fail"),
        ("FAILED", "failed"),
        ("OUT_OF_MEMORY", "failed"),
    ],
)
def test_scheduler_end_states_override_the_workers_stopped_event(state, expected):
    status = merge_status(
        job(state), "42", events("start", "epoch", "end", status="stopped"), None, NOW
    )
    assert status.state == expected
    assert state in status.message and expected in RUN_STATES


def test_failed_job_keeps_the_workers_own_failure_message():
    status = merge_status(job("FAILED"), "42", events("start", "end", status="failed"), None, NOW)
    assert status == type(status)("failed", "worker says failed")


def test_pending_shows_slurms_reason_and_requeue():
    fresh = merge_status(job("PENDING", "Priority", ""), "42", [], None, NOW)
    assert fresh.state == "pending" and "Priority" in fresh.message
    requeued = merge_status(
        job("PENDING", "BeginTime", ""), "42", events("start", "epoch"), None, NOW
    )
    assert requeued.state == "pending" and "requeued" in requeued.message
    ended = events("start", "epoch", "end", status="stopped")
    requeued = merge_status(job("PENDING", "BeginTime", ""), "42", ended, None, NOW)
    assert requeued.state == "pending", "the scheduler requeued the job that wrote the end"
    after = max(e["time"] for e in ended) + 1
    resumed = merge_status(job("PENDING", "BeginTime", ""), "42", ended, None, NOW, after)
    assert resumed.state == "resuming" and "BeginTime" in resumed.message


def test_running_states_follow_the_heartbeat():
    started = events("start", "step")
    assert merge_status(job("RUNNING"), "42", [], None, NOW).message.endswith("starting.")
    fresh = merge_status(job("RUNNING"), "42", started, {"time": NOW - 2}, NOW)
    assert fresh.state == "running" and "gpu07" in fresh.message
    stale = merge_status(job("RUNNING"), "42", started, {"time": NOW - 300}, NOW)
    assert stale.state == "stalled"


def test_an_end_event_from_before_a_requeue_does_not_end_the_new_incarnation():
    old = events("start", "epoch", "end", status="stopped", at=NOW - 500)
    status = merge_status(job("RUNNING", start=NOW - 10), "42", old, {"time": NOW - 300}, NOW)
    assert status.state == "running" and "starting" in status.message


def test_completing_completed_and_forgotten_jobs():
    assert merge_status(job("COMPLETING"), "42", events("start"), None, NOW).state == "completing"
    done = merge_status(job("COMPLETED"), "42", events("start", "end"), None, NOW)
    assert done.state == "finished"
    assert merge_status(job("COMPLETED"), "42", events("start"), None, NOW).state == "died"
    assert merge_status(None, "42", events("start"), None, NOW).state == "died"
    assert merge_status(None, "42", events("start", "end"), None, NOW).state == "finished"


def test_every_state_class_is_consistent():
    assert set(PENDING_STATES) <= ACTIVE
    assert not set(TERMINAL) & ACTIVE
    assert set(TERMINAL.values()) <= set(RUN_STATES)
