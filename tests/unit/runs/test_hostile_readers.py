"""Readers against hostile run folders: random truncations, byte garbage and valid JSON of the
wrong shape in every run file. `runs ls` and `runs show` always answer (a message, never a
traceback) and list every other run as it is; the incremental digest equals a whole-file read."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.cluster.states import RUN_STATES
from core.cluster.status import list_runs
from core.runs import digest as digest_module
from core.runs.digest import RunDigest, read_digest
from core.runs.events import EventWriter, epoch_events, read_events
from core.runs.summary_cache import cache_dir, cached_digest
from tests.helpers.runs import write_run
from tui.cli import main

RUN_FILES = ("config.json", "launch.json", "heartbeat.json", "events.jsonl")

wrong_shapes = st.sampled_from(
    [
        [],
        "text",
        7,
        None,
        {"kind": "epoch"},
        {"kind": "epoch", "epoch": "one"},
        {"kind": "step", "loss": "high"},
        {"kind": "end", "status": 3},
        {"kind": 5},
        {"pid": "1234", "launcher": "local"},
        {"pid": 1.5, "launcher": "local"},
        {"launcher": "slurm"},
        {"time": "now"},
        {"epochs": "ten"},
        {"kind": "epoch", "epoch": 0},
        [[[[[]]]]],
    ]
)


@st.composite
def damage(draw) -> tuple[str, bytes | None]:
    """(file name, what to do to it): truncate at a random byte, garbage, or wrong-shape JSON."""
    name = draw(st.sampled_from(RUN_FILES))
    how = draw(st.sampled_from(["truncate", "garbage", "shape", "append-shape"]))
    if how == "truncate":
        return name, None
    if how == "garbage":
        return name, draw(st.binary(min_size=0, max_size=64))
    shape = json.dumps(draw(wrong_shapes)).encode()
    return name, (b"+" if how == "append-shape" else b"") + shape


@pytest.fixture(scope="module")
def good_folder(tmp_path_factory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    write_run(runs, "good", "finished", epochs_done=3, epochs=3)
    write_run(runs, "victim", "died", epochs_done=2, epochs=4)
    return runs


def _apply(run_dir: Path, name: str, change: bytes | None, cut: float) -> None:
    path = run_dir / name
    if change is None:
        data = path.read_bytes() if path.exists() else b""
        path.write_bytes(data[: int(len(data) * cut)])
    elif change.startswith(b"+"):
        with open(path, "ab") as stream:
            stream.write(change[1:] + b"\n")
    else:
        path.write_bytes(change)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hits=st.lists(damage(), min_size=1, max_size=3), cut=st.floats(0, 1))
def test_cli_lists_and_shows_every_run_whatever_a_run_file_holds(
    good_folder, tmp_path_factory, capsys, hits, cut
):
    runs = tmp_path_factory.mktemp("hostile")
    shutil.rmtree(runs)
    shutil.copytree(good_folder, runs)
    victim = next(path for path in runs.iterdir() if path.name.endswith("victim"))
    good = next(path for path in runs.iterdir() if path.name.endswith("good"))
    for name, change in hits:
        _apply(victim, name, change, cut)
    summaries = {s.id: s for s in list_runs(runs)}
    assert set(summaries) == {victim.name, good.name}
    assert (summaries[good.name].state, summaries[good.name].epochs_done) == ("finished", 3)
    bad = summaries[victim.name]
    assert bad.state in RUN_STATES  # what is left of its files says which
    if bad.state == "unreadable":
        assert bad.message.startswith("unreadable: ")
    capsys.readouterr()
    assert main(["runs", "ls", "--runs-dir", str(runs)]) == 0
    listing = capsys.readouterr().out
    assert good.name[:12] in listing and "finished" in listing
    assert main(["runs", "show", victim.name, "--runs-dir", str(runs)]) in (0, 2)
    shown = capsys.readouterr()
    assert "Traceback" not in shown.out + shown.err
    _monitor_draws_every_run(runs, {good.name: 3, victim.name: None})


def _monitor_draws_every_run(runs: Path, epochs: dict[str, int | None]) -> None:
    """The Monitor's reader and drawing (what its thread and screen do with each snapshot)
    list every run and draw each one without raising (the Pilot tests drive the screen)."""
    from screens.monitor.view import details_text, metric_lines, result_row, step_lines
    from tui.run_watch import RunsWatcher
    from tui.widgets.runs_table import fit_columns, run_row

    snapshots = {run.id: run for run in RunsWatcher(runs, read_bytes=1 << 30).poll() or ()}
    assert set(snapshots) == set(epochs)
    for run_id, done in epochs.items():
        run = snapshots[run_id]
        if done is not None:
            assert (run.state, len(epoch_events(list(run.events)))) == ("finished", done)
        details_text(run)
        result_row(run).cells()
        fit_columns([run_row(run, False)], 120)
    for kind in ("acc", "loss"):
        metric_lines(list(snapshots.values()), kind, "epoch")
    step_lines(list(snapshots.values()), "step", "ema")


def test_unreadable_runs_say_why(tmp_path, capsys):
    cases = {
        "pid": ("launch.json", {"launcher": "local", "pid": "12x"}, "'pid' is not an integer"),
        "beat": ("heartbeat.json", [1, 2], "heartbeat.json is not a JSON object"),
        "config": ("config.json", b"\x00garbage", "config.json is not JSON"),
    }
    for name, (file, content, _) in cases.items():
        run_dir = write_run(tmp_path, name, "running")
        data = content if isinstance(content, bytes) else json.dumps(content).encode()
        (run_dir / file).write_bytes(data)
    write_run(tmp_path, "fine", "finished", epochs_done=2, epochs=2)
    summaries = {s.id.rsplit("-", 1)[-1]: s for s in list_runs(tmp_path)}
    for name, (_, _, why) in cases.items():
        assert summaries[name].state == "unreadable"
        assert summaries[name].message == f"unreadable: {why}" or why in summaries[name].message
    assert summaries["fine"].state == "finished"
    assert main(["runs", "ls", "--runs-dir", str(tmp_path)]) == 0
    assert "-pid: unreadable: launch.json: 'pid' is not an integer" in capsys.readouterr().out
    assert main(["runs", "show", "pid", "--runs-dir", str(tmp_path)]) == 2
    assert "unreadable: launch.json: 'pid' is not an integer" in capsys.readouterr().out


def test_a_bad_record_is_skipped_and_reported_once(tmp_path, capsys):
    run_dir = write_run(tmp_path, "odd", "finished", epochs_done=2, epochs=2)
    with open(run_dir / "events.jsonl", "a") as stream:
        stream.write('{"kind": "epoch"}\n{"kind": "epoch", "epoch": "3"}\n[1]\n')
    assert main(["runs", "show", "odd", "--runs-dir", str(tmp_path), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["epoch"] for e in shown["epochs"]] == [1, 2]
    assert shown["skipped"].startswith("3 unreadable record(s) in events.jsonl skipped")
    assert "line 25: epoch event: no 'epoch'" in shown["skipped"]
    assert "'epoch' is not an integer" in shown["skipped"]
    assert main(["runs", "show", "odd", "--runs-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("unreadable record(s)") == 1


def _step(epoch: int, step: int, loss: float | None) -> dict:
    return {"kind": "step", "epoch": epoch, "step": step, "steps_per_epoch": 50,
            "global_step": (epoch - 1) * 50 + step, "loss": loss, "lr": 0.1,
            "images_per_s": 10.0}  # fmt: skip


events_strategy = st.lists(
    st.one_of(
        st.builds(_step, st.integers(1, 6), st.integers(1, 50), st.floats(0, 5)),
        st.builds(
            lambda epoch, loss: {"kind": "epoch", "epoch": epoch, "train_loss": loss},
            st.integers(1, 6),
            st.floats(0, 5),
        ),
        st.builds(lambda d: {"kind": "step", "epoch": 1, "step": 1, "loss": d}, st.floats(0, 5)),
        st.just({"kind": "start", "parameters": 10}),
        st.just("garbage"),
        st.just({"kind": "epoch"}),
    ),
    max_size=120,
)


@settings(max_examples=60, deadline=None)
@given(events=events_strategy, cuts=st.lists(st.floats(0, 1), max_size=6))
def test_incremental_digest_equals_whole_file(tmp_path_factory, events, cuts):
    run_dir = tmp_path_factory.mktemp("digest")
    writer = EventWriter(run_dir)
    for event in events:
        if event == "garbage":
            writer._stream.write("{not json\n")
        else:
            writer.write(event)
    writer.close()
    data = (run_dir / "events.jsonl").read_bytes()
    (run_dir / "events.jsonl").write_bytes(b"")
    with mock.patch.object(digest_module, "STEP_BUCKETS", 4):
        incremental = RunDigest(run_dir / "events.jsonl")
        written = 0
        for point in sorted(int(cut * len(data)) for cut in cuts) + [len(data)]:
            with open(run_dir / "events.jsonl", "ab") as stream:
                stream.write(data[written:point])
            written = point
            incremental.update(max_bytes=97)
            while incremental.update(max_bytes=97):
                pass
        whole = read_digest(run_dir)
    kept = incremental.events()
    assert kept == whole.events()
    assert (incremental.tail.corrupt, incremental.tail.problems) == (
        whole.tail.corrupt,
        whole.tail.problems,
    )
    everything = read_events(run_dir)
    assert epoch_events(kept) == epoch_events(everything)
    assert [e for e in kept if e["kind"] != "step"] == [
        e for e in everything if e["kind"] != "step"
    ]
    steps = [e for e in everything if e["kind"] == "step"]
    kept_steps = [e for e in kept if e["kind"] == "step"]
    assert all(step in steps for step in kept_steps)
    if steps:
        assert kept_steps[-1] == steps[-1]  # the latest step is always kept
        losses = [s["loss"] for s in steps if s["loss"] is not None and math.isfinite(s["loss"])]
        if losses:
            kept_losses = [s["loss"] for s in kept_steps if s["loss"] is not None]
            assert (min(kept_losses), max(kept_losses)) == (min(losses), max(losses))
        assert len(kept_steps) <= 2 * 4 + 1 + sum(1 for s in steps if s.get("global_step") is None)


def test_summary_cache_is_per_user_json_and_never_trusted_over_the_log(tmp_path):
    run_dir = write_run(tmp_path, "cached", "finished", epochs_done=2, epochs=2)
    first = cached_digest(run_dir)
    files = list(cache_dir().glob("*.json"))
    assert len(files) == 1 and not list(run_dir.glob("*cache*"))
    json.loads(files[0].read_text())  # JSON, never pickle
    assert len(epoch_events(first.events())) == 2
    log = run_dir / "events.jsonl"
    text = log.read_text().replace('"epoch": 2,', '"epoch": 7,')  # same size, new content
    log.write_text(text)
    assert [e["epoch"] for e in epoch_events(cached_digest(run_dir).events())] == [1, 7]
    files[0].write_text('{"version": 1, "run_dir": 3}')  # a broken cache is rebuilt
    assert [e["epoch"] for e in epoch_events(cached_digest(run_dir).events())] == [1, 7]
    with open(log, "a") as stream:  # grown: only the new bytes are read
        stream.write('{"seq": 99, "kind": "epoch", "epoch": 8}\n')
    assert [e["epoch"] for e in epoch_events(cached_digest(run_dir).events())] == [1, 7, 8]


def test_a_log_cut_mid_line_loses_no_epoch_silently_and_monitor_and_cli_agree(tmp_path, capsys):
    from tui.run_watch import RunsWatcher

    run_dir = write_run(tmp_path, "live", "running", epochs_done=5, epochs=8)
    watcher = RunsWatcher(tmp_path)
    (before,) = watcher.poll()
    assert len(epoch_events(list(before.events))) == 5
    log = run_dir / "events.jsonl"
    data = log.read_bytes()
    log.write_bytes(data[: data.rindex(b'"kind": "epoch"') + 5])  # cut inside epoch 5's line
    (after,) = watcher.poll()
    assert main(["runs", "show", "live", "--runs-dir", str(tmp_path), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    monitor_epochs = [e["epoch"] for e in epoch_events(list(after.events))]
    assert monitor_epochs == [e["epoch"] for e in shown["epochs"]] == [1, 2, 3, 4]
    for said in (after.skipped, shown["skipped"]):
        assert "events.jsonl ends in an unfinished line" in said
    assert "shrank (truncated or replaced) and was read again" in after.skipped
