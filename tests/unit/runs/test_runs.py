"""Run directory: atomic config, event numbering, the tail reader, control files."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cluster.status import list_runs
from core.runs.events import EventTail, EventWriter
from core.runs.store import (
    RunNotFoundError,
    create_run,
    request_stop,
    resolve_run,
    stop_requested,
)


def test_create_run_writes_config_and_folders(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5", "epochs": 3}, name="my run")
    assert run_dir.parent == tmp_path
    assert run_dir.name.endswith("-my-run")
    assert json.loads((run_dir / "config.json").read_text()) == {"preset": "lenet5", "epochs": 3}
    assert (run_dir / "checkpoints").is_dir() and (run_dir / "control").is_dir()
    assert [p.name for p in run_dir.iterdir() if p.name.startswith(".")] == []
    second = create_run(tmp_path, {"preset": "lenet5"}, name="my run")
    assert second != run_dir


def test_resolve_run_by_prefix_and_suffix(tmp_path):
    run_dir = create_run(tmp_path, {"preset": "lenet5"}, name="alpha")
    assert resolve_run(tmp_path, run_dir.name) == run_dir
    assert resolve_run(tmp_path, "alpha") == run_dir
    with pytest.raises(RunNotFoundError, match="runs ls"):
        resolve_run(tmp_path, "nope")


def test_writer_numbers_on_after_partial_line(tmp_path):
    writer = EventWriter(tmp_path)
    writer.write({"kind": "start"})
    writer.write({"kind": "step", "epoch": 1, "step": 1, "loss": 1.5})
    writer.close()
    with open(tmp_path / "events.jsonl", "a") as stream:
        stream.write('{"seq": 2, "kind": "ep')  # killed mid-write
    writer = EventWriter(tmp_path)
    writer.write({"kind": "start"})
    writer.close()
    tail = EventTail(tmp_path / "events.jsonl")
    events = tail.poll()
    assert [event["seq"] for event in events] == [0, 1, 2]
    assert tail.corrupt == 1
    assert all(isinstance(event["time"], float) for event in events)


def test_writer_keeps_lines_strict_json(tmp_path):
    writer = EventWriter(tmp_path)
    writer.write({"kind": "eval", "val_loss": float("nan"), "values": [1.0, float("inf")]})
    writer.close()
    line = (tmp_path / "events.jsonl").read_text()
    event = json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in {line}"))
    assert event["val_loss"] is None and event["values"] == [1.0, None]


def test_tail_holds_back_unterminated_line_and_skips_corrupt(tmp_path):
    path = tmp_path / "events.jsonl"
    tail = EventTail(path)
    assert tail.poll() == []  # no file yet
    path.write_bytes(b'{"seq": 0, "kind": "start"}\n{"seq": 1, "ki')
    assert [event["seq"] for event in tail.poll()] == [0]
    assert tail.poll() == []
    with open(path, "ab") as stream:
        stream.write(b'nd": "step"}\nnot json\n[1, 2]\n{"seq": 2, "kind": "end"}\n')
    assert [event["seq"] for event in tail.poll()] == [1, 2]
    assert tail.corrupt == 2
    path.write_bytes(b'{"seq": 0, "kind": "start"}\n')  # replaced by a shorter file
    assert [event["seq"] for event in tail.poll()] == [0]


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(st.integers(0, 10**6), min_size=1, max_size=20),
    cuts=st.lists(st.integers(0, 10**4), max_size=6),
)
def test_tail_sees_each_event_once_whatever_the_chunking(tmp_path_factory, lines, cuts):
    path = tmp_path_factory.mktemp("tail") / "events.jsonl"
    data = b"".join(
        json.dumps({"seq": index, "kind": "step", "value": value}).encode() + b"\n"
        for index, value in enumerate(lines)
    )
    points = sorted({min(cut, len(data)) for cut in cuts} | {len(data)})
    tail = EventTail(path)
    seen = []
    written = 0
    with open(path, "wb") as stream:
        for point in points:
            stream.write(data[written:point])
            stream.flush()
            written = point
            seen += tail.poll()
    assert [event["value"] for event in seen] == lines
    assert tail.corrupt == 0


def test_request_stop_and_list_runs(tmp_path):
    first = create_run(tmp_path, {"preset": "lenet5", "dataset": "shapes", "epochs": 2})
    second = create_run(tmp_path, {"preset": "vgg-2x2", "dataset": "shapes", "epochs": 5})
    writer = EventWriter(first)
    writer.write({"kind": "start"})
    for epoch, acc in ((1, 0.4), (2, 0.6), (2, 0.5)):
        writer.write(
            {"kind": "epoch", "epoch": epoch, "train_acc": acc, "val_acc": acc, "test_acc": acc}
        )
    writer.write({"kind": "end", "status": "finished", "message": "ok"})
    writer.close()
    assert not stop_requested(second)
    request_stop(second)
    assert stop_requested(second)
    summaries = {summary.id: summary for summary in list_runs(tmp_path)}
    assert set(summaries) == {first.name, second.name}
    done = summaries[first.name]
    assert (done.state, done.epochs_done, done.epochs_total) == ("finished", 2, 2)
    assert done.test_acc == 0.5 and done.best_val_acc == 0.5
    assert summaries[second.name].state == "pending"
    json.dumps(done.to_dict())
