"""Self-requeue at the Slurm time limit on the real test cluster: a one-minute job whose run
needs longer passes through its time limit, requeues itself, resumes from the checkpoint by
itself and finishes with every epoch exactly once."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from core.cluster.requeue import decide
from core.cluster.slurm import forget_snapshot, job_alive, start_slurm
from core.cluster.status import run_status
from core.runs.events import read_events
from core.runs.store import create_run
from core.settings import SlurmSettings
from core.training.config import TrainConfig

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

SETTINGS = SlurmSettings(
    cpus=1,
    activate="export OMP_NUM_THREADS=1",
    time="1",  # one minute: the shortest Slurm limit
    signal_seconds=45,  # Slurm checks limits every ~30 s: USR1 15-45 s in, the limit later
    max_requeues=20,  # a loaded machine trains only a few epochs per one-minute job
)
EPOCHS = 100  # ~0.5 s each on one CPU: longer than the 15-45 s before the first signal


def test_run_requeues_itself_at_the_time_limit_and_finishes_every_epoch_once(
    slurm_cluster, tmp_path
):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", epochs=EPOCHS, train_size=2048, test_size=64,
        batch_size=64, device="cpu",
    ).validate()  # fmt: skip
    run_dir = create_run(tmp_path, config.to_dict())
    job_id = start_slurm(run_dir, SETTINGS)["job_id"]
    began = time.monotonic()
    timeline: list[tuple[float, str, str]] = []  # (seconds, state, message) at each change
    deadline = began + 900
    while time.monotonic() < deadline:
        forget_snapshot()
        status = run_status(run_dir)
        if not timeline or timeline[-1][1] != status.state:
            timeline.append((time.monotonic() - began, status.state, status.message))
        if status.state not in ("pending", "running", "requeued", "stalled", "completing"):
            if status.state != "stopped" or not job_alive(run_dir):
                break  # "stopped" while the job lives: the moment before it requeues itself
        time.sleep(0.5)
    print("\nstate timeline (s since submission):")
    for seconds, state, message in timeline:
        print(f"  {seconds:6.1f}  {state:9} {message}")
    events = read_events(run_dir)
    for event in events:
        if event["kind"] in ("start", "requeue", "end"):
            detail = {k: event.get(k) for k in ("resumed_from_epoch", "count", "status")}
            print(f"  event {event['kind']:8} at {event['time']:.1f}: {detail}")
    states = [state for _, state, _ in timeline]
    assert states[-1] == "finished", timeline
    requeues = [e for e in events if e["kind"] == "requeue"]
    assert requeues, "the run never reached its time limit"
    assert all(r["job_id"] == job_id and r["reason"] == "time limit" for r in requeues)
    assert [r["count"] for r in requeues] == list(range(1, len(requeues) + 1))
    # the Monitor's words: requeued (time limit), then running again
    first = states.index("requeued")
    assert "running" in states[first:]
    requeued_message = timeline[first][2]
    assert requeued_message.startswith("requeued (time limit) 1/20")
    starts = [e for e in events if e["kind"] == "start"]
    assert len(starts) == len(requeues) + 1
    for start in starts[1:]:  # each job resumes from the epochs finished before it
        done = [e for e in events if e["kind"] == "epoch" and e["seq"] < start["seq"]]
        assert start["resumed_from_epoch"] == len(done)
    epochs = [e["epoch"] for e in events if e["kind"] == "epoch"]
    assert epochs == list(range(1, EPOCHS + 1))  # every epoch exactly once, in order
    assert events[-1]["kind"] == "end" and events[-1]["status"] == "finished"
    log = (run_dir / "worker.log").read_text()
    assert f"restart {len(requeues)}" in log and "requeueing job" in log


def test_a_failed_run_or_the_cap_is_never_requeued():
    stopped = [{"kind": "start"}, {"kind": "end", "status": "stopped"}]
    assert decide(stopped, 3) is None
    assert "failed" in decide([{"kind": "start"}, {"kind": "end", "status": "failed"}], 3)
    capped = [{"kind": "requeue"}] * 3 + stopped
    assert "3 times" in decide(capped, 3)
    assert decide([*stopped, {"kind": "requeue"}], 3) == "the worker left no end event"
    assert replace(SETTINGS, requeue=False).requeue is False
