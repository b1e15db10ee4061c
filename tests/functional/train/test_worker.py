"""The detached worker: kill -9 and resume, SIGTERM and control/stop, crashes."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
import torch

from core.cluster.launch import worker_alive
from core.cluster.local import start_local
from core.cluster.status import run_status
from core.runs.events import EventTail, read_events
from core.runs.store import clear_stop, create_run, request_stop
from core.training.config import TrainConfig
from core.worker import run_worker

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def wait_for(tail: EventTail, predicate, timeout: float = 240.0) -> dict:
    """Poll the events until one satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in tail.poll():
            if predicate(event):
                return event
        time.sleep(0.05)
    raise AssertionError(f"no matching event within {timeout} s; saw up to offset {tail.offset}")


def wait_gone(run_dir, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while worker_alive(run_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker_alive(run_dir) is False


def test_kill_minus_nine_then_resume_loses_only_the_current_epoch(tmp_path):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", train_size=2400, test_size=200, batch_size=16, epochs=3
    )
    run_dir = create_run(tmp_path, config.to_dict())
    tail = EventTail(run_dir / "events.jsonl")

    try:
        launch = start_local(run_dir)
        wait_for(tail, lambda e: e["kind"] == "step" and e["epoch"] == 2)
        os.kill(launch["pid"], signal.SIGKILL)
        wait_gone(run_dir)
        assert run_status(run_dir).state == "died"

        launch = start_local(run_dir)
        start = wait_for(tail, lambda e: e["kind"] == "start")
        assert start["resumed_from_epoch"] == 1
        wait_for(tail, lambda e: e["kind"] == "step")
        os.kill(launch["pid"], signal.SIGTERM)
        end = wait_for(tail, lambda e: e["kind"] == "end")
        assert end["status"] == "stopped"
        wait_gone(run_dir)
        assert run_status(run_dir).state == "stopped"

        start_local(run_dir)
        end = wait_for(tail, lambda e: e["kind"] == "end")
        assert end["status"] == "finished", end
        events = read_events(run_dir)
        assert [e["epoch"] for e in events if e["kind"] == "epoch"] == [1, 2, 3]
        assert [e["seq"] for e in events] == list(range(len(events)))
        assert run_status(run_dir).state == "finished"
        assert "finished" in (run_dir / "worker.log").read_text()
    finally:
        if worker_alive(run_dir):
            os.kill(json.loads((run_dir / "launch.json").read_text())["pid"], signal.SIGKILL)


def test_control_stop_file_stops_and_clearing_it_lets_the_run_resume(tmp_path):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", train_size=64, test_size=32, epochs=1
    )
    run_dir = create_run(tmp_path, config.to_dict())
    request_stop(run_dir)
    end = run_worker(run_dir)
    assert end["status"] == "stopped" and "before the first step" in end["message"]
    clear_stop(run_dir)
    assert run_worker(run_dir)["status"] == "finished"
    heartbeat = (run_dir / "heartbeat.json").read_text()
    assert '"pid"' in heartbeat


def test_a_crash_ends_failed_with_its_traceback(tmp_path):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", train_size=64, test_size=32, epochs=1
    )
    run_dir = create_run(tmp_path, config.to_dict())
    torch.save({"model": {}}, run_dir / "checkpoints" / "last.pt")  # loads, then cannot fit
    seen = []
    end = run_worker(run_dir, seen.append)
    assert end["status"] == "failed" and "Traceback" in end["traceback"]
    assert seen[-1] == end and read_events(run_dir)[-1] == end
    assert run_status(run_dir).state == "failed"


def test_an_unreadable_checkpoint_ends_failed_with_a_message(tmp_path):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", train_size=64, test_size=32, epochs=1
    )
    run_dir = create_run(tmp_path, config.to_dict())
    (run_dir / "checkpoints" / "last.pt").write_bytes(b"not a checkpoint")
    end = run_worker(run_dir)
    assert end["status"] == "failed" and "not a readable checkpoint" in end["message"]
    assert "traceback" not in end


def test_bad_config_ends_failed_without_traceback(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5", "dataset": "shapes", "batch_size": 0})
    end = run_worker(run_dir)
    assert end["status"] == "failed" and "batch size" in end["message"]
    assert "traceback" not in end
