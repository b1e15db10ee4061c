"""The runs watcher: incremental tailing, honest states, new/deleted runs, no change → None."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time

from core.runs.store import write_json_atomic
from tests.helpers.runs import append_events, append_text, epoch_events, write_run
from tui.run_watch import RunsWatcher

STATES = ("pending", "running", "stalled", "finished", "stopped", "failed", "died")


def test_every_state_is_reported(tmp_path):
    for state in STATES:
        write_run(tmp_path, state, state)
    snapshots = RunsWatcher(tmp_path).poll()
    assert {s.id.rsplit("-", 1)[-1]: s.state for s in snapshots} == {s: s for s in STATES}


def test_appends_partial_and_corrupt_lines(tmp_path):
    run_dir = write_run(tmp_path, "live", "running", epochs_done=1)
    watcher = RunsWatcher(tmp_path)
    (first,) = watcher.poll()
    assert watcher.poll() is None
    more = epoch_events(2, 2, len(first.events))
    append_text(run_dir, "{not json}\n")
    text = "".join(json.dumps(e) + "\n" for e in more)
    append_text(run_dir, text[:-20])
    (second,) = watcher.poll()
    assert second.corrupt_lines == 1
    assert len(second.events) == len(first.events) + len(more) - 1
    append_text(run_dir, text[-20:])
    (third,) = watcher.poll()
    assert third.events[-1]["kind"] == "epoch" and third.events[-1]["epoch"] == 2


def test_new_and_deleted_runs(tmp_path):
    watcher = RunsWatcher(tmp_path / "missing")
    assert watcher.poll() is None
    watcher = RunsWatcher(tmp_path)
    a = write_run(tmp_path, "a", "finished")
    assert len(watcher.poll()) == 1
    write_run(tmp_path, "b", "finished")
    assert [s.id for s in watcher.poll()][0] == a.name
    shutil.rmtree(a)
    assert len(watcher.poll()) == 1


def test_end_event_after_running(tmp_path):
    run_dir = write_run(tmp_path, "r", "running")
    watcher = RunsWatcher(tmp_path)
    assert watcher.poll()[0].state == "running"
    append_events(
        run_dir,
        [
            {
                "seq": 99,
                "time": 0,
                "kind": "end",
                "status": "failed",
                "message": "loss became NaN at epoch 3",
            }
        ],
    )
    (snap,) = watcher.poll()
    assert (snap.state, snap.message) == ("failed", "loss became NaN at epoch 3")


def test_a_resumed_run_reads_resuming_until_its_new_start(tmp_path):
    run_dir = write_run(tmp_path, "halted", "failed")
    watcher = RunsWatcher(tmp_path)
    assert watcher.poll()[0].state == "failed"
    assert watcher.poll() is None
    launch = {"launcher": "local", "pid": os.getpid(), "host": socket.gethostname()}
    write_json_atomic(run_dir / "launch.json", {**launch, "started": time.time()})
    (resumed,) = watcher.poll()
    assert resumed.state == "resuming", "a relaunch is seen although the run had ended"
    append_events(run_dir, [{"seq": 99, "time": time.time(), "kind": "start"}])
    write_json_atomic(run_dir / "heartbeat.json", {"time": time.time()})
    assert watcher.poll()[0].state == "running"
