"""Canned, deterministic run directories for the monitor's tests (one per run state)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from core.runs.store import create_run, write_json_atomic

T0 = 1_700_000_000.0  # unix seconds of every canned run's start event
STEPS = 10  # steps per epoch in canned runs


async def wait_for(pilot, predicate, timeout: float = 6.0) -> None:
    """Let the app run until `predicate()` holds; fail after about `timeout` seconds."""
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached in time")


def canned_config(**overrides: Any) -> dict[str, Any]:
    """A config.json as the Train screen writes it (C1's LeNet on Shapes-10)."""
    config = {
        "preset": "lenet5",
        "dataset": "shapes",
        "epochs": 4,
        "batch_size": 16,
        "optimizer": "adam",
        "lr": 0.001,
        "betas": [0.9, 0.999],
        "momentum": 0.0,
        "weight_decay": 0.0,
        "augment": [],
        "val_split": 0.0,
        "seed": 0,
        "device": "cpu",
        "pipeline": "fast",
    }
    config.update(overrides)
    return config


def canned_train_acc(epoch: int) -> float:
    return round(0.30 + 0.10 * epoch, 4)


def canned_test_acc(epoch: int) -> float:
    return round(0.25 + 0.08 * epoch, 4)


def epoch_events(first: int, last: int, seq: int, *, val: bool = False) -> list[dict[str, Any]]:
    """Step events (every step) and one epoch event per epoch, numbered from `seq`."""
    events = []
    for epoch in range(first, last + 1):
        for step in range(1, STEPS + 1):
            events.append(
                {
                    "seq": seq,
                    "time": T0 + seq,
                    "kind": "step",
                    "epoch": epoch,
                    "step": step,
                    "steps_per_epoch": STEPS,
                    "loss": round(2.5 / (epoch + step / STEPS), 4),
                    "lr": 0.001,
                    "images_per_s": 1000.0 + epoch,
                }
            )
            seq += 1
        metrics = {
            "train_loss": round(2.0 / epoch, 4),
            "train_acc": canned_train_acc(epoch),
            "test_loss": round(2.2 / epoch, 4),
            "test_acc": canned_test_acc(epoch),
        }
        if val:
            metrics |= {
                "val_loss": round(2.1 / epoch, 4),
                "val_acc": round(canned_test_acc(epoch) + 0.01, 4),
            }
        events.append(
            {
                "seq": seq,
                "time": T0 + seq,
                "kind": "epoch",
                "epoch": epoch,
                "step": epoch * STEPS,
                "seconds": 1.0,
                **metrics,
            }
        )
        seq += 1
    return events


def dead_pid() -> int:
    """The pid of a process that has certainly exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def append_text(run_dir: Path, text: str) -> None:
    """Append raw text to a run's events.jsonl (for partial and corrupt lines)."""
    with open(run_dir / "events.jsonl", "a", encoding="utf-8") as stream:
        stream.write(text)


def append_events(run_dir: Path, events: list[dict[str, Any]]) -> None:
    append_text(run_dir, "".join(json.dumps(event) + "\n" for event in events))


def write_run(
    runs_dir: Path,
    name: str,
    state: str,
    *,
    epochs_done: int = 2,
    epochs: int = 4,
    val: bool = False,
    message: str = "",
    **config: Any,
) -> Path:
    """A run directory in `state` (pending/running/stalled/finished/stopped/failed/died)."""
    run_dir = create_run(runs_dir, canned_config(epochs=epochs, **config), name=name)
    if state == "pending":
        return run_dir
    alive = state in ("running", "stalled")
    write_json_atomic(
        run_dir / "launch.json",
        {
            "launcher": "local",
            "pid": os.getpid() if alive else dead_pid(),
            "host": socket.gethostname(),
        },
    )
    start = {
        "seq": 0,
        "time": T0,
        "kind": "start",
        "device": "cpu",
        "torch": "2.x",
        "train_size": 800,
        "test_size": 200,
        "resumed_from_epoch": 0,
        "classes": [f"class{i}" for i in range(10)],
    }
    events = [start, *epoch_events(1, epochs_done, 1, val=val)]
    if state in ("finished", "stopped", "failed"):
        events.append(
            {
                "seq": len(events),
                "time": T0 + len(events),
                "kind": "end",
                "status": state,
                "message": message or f"run {state}",
            }
        )
    append_events(run_dir, events)
    beat_age = 120.0 if state == "stalled" else 0.0
    write_json_atomic(
        run_dir / "heartbeat.json", {"time": time.time() - beat_age, "pid": os.getpid()}
    )
    return run_dir
