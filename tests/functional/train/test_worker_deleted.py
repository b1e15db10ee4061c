"""A run folder deleted while its worker trains: the worker stops, says why on stderr and exits
1, and nothing (heartbeat, checkpoint, log) makes the folder again."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
import torch

from core.runs.events import EventTail
from core.runs.store import create_run
from core.training.config import TrainConfig
from core.worker import main

pytestmark = pytest.mark.slow


def _delete_after_first_step(run_dir: Path, deleted: threading.Event) -> None:
    tail = EventTail(run_dir / "events.jsonl")
    deadline = time.monotonic() + 120
    while not any(event["kind"] == "step" for event in tail.poll()):
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)
    for _ in range(50):  # a heartbeat written during the deletion leaves the folder non-empty
        try:
            shutil.rmtree(run_dir)
        except FileNotFoundError:
            break
        except OSError:
            time.sleep(0.02)
            continue
        break
    deleted.set()


def test_a_deleted_run_folder_stops_the_worker_without_recreating_it(tmp_path, capsys):
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", train_size=256, test_size=32, batch_size=16, epochs=50
    )
    run_dir = create_run(tmp_path / "runs", config.to_dict())
    deleted = threading.Event()
    deleter = threading.Thread(target=_delete_after_first_step, args=(run_dir, deleted))
    deleter.start()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        code = main([str(run_dir)])  # the worker's own entry point, in this process
    finally:
        torch.set_num_threads(threads)
        deleter.join()
    stderr = capsys.readouterr().err
    assert deleted.is_set()
    assert code == 1
    assert f"The run folder {run_dir} was deleted while its worker was training" in stderr
    assert "Traceback" not in stderr
    assert not run_dir.exists() and list((tmp_path / "runs").iterdir()) == []
    assert "heartbeat" not in [t.name for t in threading.enumerate()]  # none left to write again
