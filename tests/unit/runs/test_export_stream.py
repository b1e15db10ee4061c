"""`runs export` streams a run's log: memory stays bounded however many step events it holds,
and what it writes equals an export of the whole log read into memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from unittest import mock

from core.runs import events as events_module
from core.runs.events import EventWriter, read_events
from core.runs.export import ExportRun, load_export_run, write_class_files, write_csv
from core.runs.store import create_run
from core.runs.tensorboard import export_tensorboard, export_tensorboard_log

STEPS = 300  # steps per epoch of the long log


def _long_run(root: Path, epochs: int) -> Path:
    """A finished run whose log is mostly step events, written as the worker writes them."""
    run_dir = create_run(root, {"preset": "lenet5", "dataset": "shapes", "epochs": epochs})
    writer = EventWriter(run_dir)
    writer.write({"kind": "start", "parameters": 61706, "classes": ["a", "b"],
                  "dataset_title": "Shapes-10 (synthetic)", "resumed_from_epoch": 0})  # fmt: skip
    for epoch in range(1, epochs + 1):
        for step in range(1, STEPS + 1):
            g = (epoch - 1) * STEPS + step
            writer.write({"kind": "step", "epoch": epoch, "step": step, "steps_per_epoch": STEPS,
                          "global_step": g, "loss": 2.3 / (1 + g / 500) + (g % 7) / 70,
                          "lr": 0.001, "images_per_s": 5000.0 + g % 13})  # fmt: skip
        writer.write({"kind": "epoch", "epoch": epoch, "step": epoch * STEPS,
                      "train_loss": 1 / epoch, "train_acc": 1 - 0.5 / epoch, "test_loss": 1.1 / epoch,
                      "test_acc": 1 - 0.6 / epoch, "seconds": 3.0, "lr": 0.001,
                      "per_class_acc": [0.5, 0.25 * (epoch % 4)], "confusion": [[3, 1], [2, 2]],
                      "per_class_split": "test"})  # fmt: skip
    writer.write({"kind": "end", "status": "finished", "message": "Trained."})
    writer.close()
    return run_dir


def test_export_holds_a_bounded_part_of_the_log_and_writes_what_a_whole_read_writes(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run_dir = _long_run(tmp_path / "runs", epochs=60)  # 18,000 step events
    size = (run_dir / "events.jsonl").stat().st_size
    with mock.patch.object(events_module, "CHUNK_BYTES", 64 << 10):
        tracemalloc.start()
        try:
            streamed = load_export_run(run_dir)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # what is held is a fixed budget (512 buckets of kept steps, the epochs, one 64 KiB read),
    # a fraction of the 3.5 MB log; a whole read holds every event as a dict, ~5× the log
    assert peak < 1.5 * 2**20 and size > 3 * 2**20, (peak, size)
    whole = ExportRun(run_dir.name, streamed.config, read_events(run_dir))
    for name, run in (("streamed", streamed), ("whole", whole)):
        write_csv([run], tmp_path / name / "runs.csv")
        write_class_files([run], tmp_path / name, "run", png=False)
    for file in ("runs.csv", "run-classes.csv"):
        streamed_text = (tmp_path / "streamed" / file).read_text()
        assert streamed_text == (tmp_path / "whole" / file).read_text()
    assert streamed_text.count("\n") > 60  # every epoch is there
    cached = load_export_run(run_dir).events  # from the summary cache: no steps re-read

    def no_steps(events):
        return [event for event in events if event["kind"] != "step"]

    assert no_steps(cached) == no_steps(streamed.events) == no_steps(whole.events)


def _board(folder: Path) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    board = EventAccumulator(str(folder), size_guidance={"scalars": 0})
    board.Reload()
    return {
        tag: [(point.step, point.value) for point in board.Scalars(tag)]
        for tag in board.Tags()["scalars"]
    }


def test_tensorboard_export_of_a_log_equals_the_export_of_its_events(tmp_path):
    run_dir = create_run(tmp_path / "runs", {"preset": "lenet5"})
    writer = EventWriter(run_dir)
    for event in (
        {"kind": "start", "classes": ["a", "b"], "resumed_from_epoch": 0,
         "dataset_title": "Shapes-10 (synthetic)"},
        {"kind": "step", "global_step": 1, "loss": 2.0, "lr": 0.1},
        {"kind": "step", "global_step": 2, "loss": 1.5, "lr": 0.1},
        {"kind": "epoch", "epoch": 1, "step": 2, "train_loss": 1.4, "per_class_acc": [0.5, 0.1]},
        {"kind": "step", "global_step": 3, "loss": 1.4, "lr": 0.1},
        {"kind": "step", "loss": 9.0},  # no global step: only the last such is kept
        {"kind": "start", "classes": ["a", "b"], "resumed_from_epoch": 0},  # resumed at step 1
        {"kind": "step", "global_step": 2, "loss": 1.25, "lr": 0.1},
        {"kind": "step", "loss": 8.0},
        {"kind": "epoch", "epoch": 1, "step": 2, "train_loss": 1.3, "per_class_acc": [0.5, 0.2]},
        {"kind": "step", "global_step": 3, "loss": 1.2, "lr": 0.1},
        {"kind": "epoch", "epoch": 2, "step": 3, "train_loss": 1.1, "per_class_acc": [0.6, 0.3]},
    ):  # fmt: skip
        writer.write(event)
    writer.close()
    streamed = export_tensorboard_log(run_dir.name, {"preset": "lenet5"},
                                      run_dir / "events.jsonl", tmp_path / "log")  # fmt: skip
    whole = export_tensorboard(run_dir.name, {"preset": "lenet5"}, read_events(run_dir),
                               tmp_path / "list")  # fmt: skip
    board = _board(streamed)
    assert board == _board(whole)
    assert board["step/loss"] == [(1, 2.0), (2, 1.25), (3, 1.2000000476837158)]
    assert board["epoch/train_loss"] == [(1, 1.2999999523162842), (2, 1.100000023841858)]
    assert board["per_class/b"] == [(1, 0.20000000298023224), (2, 0.30000001192092896)]
