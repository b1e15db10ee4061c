"""A run's honest status from its events, heartbeat and launcher: pending, running, stalled,
died, the end event's word, and a relaunch after an end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from core.cluster.states import STALE_SECONDS, RunStatus
from core.cluster.status import run_status
from core.runs.events import EventWriter
from core.runs.store import create_run, write_heartbeat, write_json_atomic


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def write_launch(run_dir, pid):
    write_json_atomic(
        run_dir / "launch.json", {"launcher": "local", "pid": pid, "host": socket.gethostname()}
    )


def test_status_pending_then_running_then_stalled(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5"})
    assert run_status(run_dir).state == "pending"
    write_launch(run_dir, os.getpid())
    assert run_status(run_dir).state == "pending"
    writer = EventWriter(run_dir)
    writer.write({"kind": "start"})
    writer.close()
    write_heartbeat(run_dir, epoch=1)
    assert run_status(run_dir).state == "running"
    later = time.time() + STALE_SECONDS + 5
    assert run_status(run_dir, now=later).state == "stalled"


def test_status_died_when_worker_gone(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5"})
    write_launch(run_dir, dead_pid())
    assert run_status(run_dir).state == "died"
    writer = EventWriter(run_dir)
    writer.write({"kind": "start"})
    writer.close()
    write_heartbeat(run_dir)
    status = run_status(run_dir)
    assert status.state == "died" and "resume" in status.message


@pytest.mark.parametrize("status", ["finished", "stopped", "failed"])
def test_status_from_end_event_wins(tmp_path, status):
    run_dir = create_run(tmp_path, {"preset": "lenet5"})
    write_launch(run_dir, dead_pid())
    writer = EventWriter(run_dir)
    writer.write({"kind": "start"})
    writer.write({"kind": "end", "status": status, "message": "done"})
    writer.close()
    assert run_status(run_dir) == RunStatus(status, "done")


def test_resumed_session_ignores_earlier_end(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5"})
    write_launch(run_dir, os.getpid())
    writer = EventWriter(run_dir)
    writer.write({"kind": "start"})
    writer.write({"kind": "end", "status": "stopped", "message": ""})
    writer.write({"kind": "start", "resumed_from_epoch": 1})
    writer.close()
    write_heartbeat(run_dir)
    assert run_status(run_dir).state == "running"


def test_a_relaunch_after_an_end_is_resuming_until_it_starts(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5"})
    writer = EventWriter(run_dir)
    writer.write({"kind": "start"})
    end = writer.write({"kind": "end", "status": "stopped", "message": ""})
    writer.close()
    write_json_atomic(
        run_dir / "launch.json",
        {
            "launcher": "local",
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": end["time"] + 0.001,
        },
    )
    assert run_status(run_dir).state == "resuming"
    time.sleep(0.01)
    writer = EventWriter(run_dir)
    writer.write({"kind": "start", "resumed_from_epoch": 1})
    writer.close()
    write_heartbeat(run_dir)
    assert run_status(run_dir).state == "running"


def test_a_died_run_relaunched_is_resuming_not_stalled(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5"})
    writer = EventWriter(run_dir)
    writer.write({"kind": "start"})
    writer.close()
    write_json_atomic(run_dir / "heartbeat.json", {"time": time.time() - 600})
    launch = {"launcher": "local", "pid": os.getpid(), "host": socket.gethostname()}
    write_json_atomic(run_dir / "launch.json", {**launch, "started": time.time() - 900})
    assert run_status(run_dir).state == "stalled"  # launched before its start: no resume
    write_json_atomic(run_dir / "launch.json", {**launch, "started": time.time() + 1})
    assert run_status(run_dir).state == "resuming"
