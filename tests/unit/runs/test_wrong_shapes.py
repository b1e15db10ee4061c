"""Valid JSON of the wrong shape for every event kind and in every run file: `runs ls` and
`runs show` always answer (exit 2 and a message only for a run that cannot be read), and every
other run is listed as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cluster.states import RUN_STATES
from core.cluster.status import list_runs
from core.runs.schema import EVENT_FIELDS
from tests.helpers.runs import canned_test_acc
from tests.helpers.wrong_shapes import RUN_FILES, clone, event_victim, template, victims
from tui.cli import main


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory) -> Path:
    return template(tmp_path_factory.mktemp("template"))


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def _everyone_answers(capsys, root: Path, victims: list[Path], good: Path) -> dict:
    """The checks every hostile folder passes; returns the summaries by id."""
    summaries = {s.id: s for s in list_runs(root)}
    assert set(summaries) == {good.name, *(victim.name for victim in victims)}
    kept = summaries[good.name]
    assert (kept.state, kept.epochs_done, kept.test_acc) == ("stopped", 2, canned_test_acc(2))
    code, out, _ = _cli(capsys, "runs", "ls", "--runs-dir", str(root), "--json")
    listed = {run["id"]: run for run in json.loads(out)["runs"]}
    assert code == 0 and set(listed) == set(summaries)
    assert listed[good.name]["state"] == "stopped"
    code, out, _ = _cli(capsys, "runs", "ls", "--runs-dir", str(root))
    assert code == 0 and "stopped" in out
    for victim in victims:
        summary = summaries[victim.name]
        assert summary.state in RUN_STATES and isinstance(summary.message, str)
        assert (listed[victim.name]["state"], listed[victim.name]["message"]) == (
            summary.state,
            summary.message,
        )
        code, out, err = _cli(capsys, "runs", "show", victim.name, "--runs-dir", str(root))
        assert code == (2 if summary.state == "unreadable" else 0), (victim.name, out, err)
        if summary.state == "unreadable":
            assert summary.message.startswith("unreadable: ")
            assert summary.message in " ".join(out.split())  # rich may wrap it
    return summaries


@pytest.mark.parametrize("kind", sorted(EVENT_FIELDS))
def test_wrong_shaped_events_of_every_kind_are_skipped_and_reported(
    template_dir, tmp_path, capsys, kind
):
    victim = event_victim(template_dir, tmp_path, kind)
    good = clone(template_dir, tmp_path, "good")
    summary = _everyone_answers(capsys, tmp_path, [victim], good)[victim.name]
    assert summary.state != "unreadable" and summary.epochs_done == 2
    _, out, _ = _cli(capsys, "runs", "show", victim.name, "--runs-dir", str(tmp_path), "--json")
    shown = json.loads(out)
    assert "unreadable record(s) in events.jsonl skipped" in shown["skipped"]
    assert [epoch["epoch"] for epoch in shown["epochs"]] == [1, 2]
    if kind != "epoch":  # a wrong epoch that still fits its schema may stand for epoch 2
        assert [e["test_acc"] for e in shown["epochs"]] == [canned_test_acc(1), canned_test_acc(2)]


@pytest.mark.parametrize("name", RUN_FILES)
def test_wrong_shaped_run_files_make_only_their_run_unreadable(
    template_dir, tmp_path, capsys, monkeypatch, name
):
    monkeypatch.setenv("PATH", str(tmp_path / "no-slurm-here"))  # the scheduler cannot answer
    hit = victims(template_dir, tmp_path, name)
    good = clone(template_dir, tmp_path, "good")
    summaries = _everyone_answers(capsys, tmp_path, hit, good)
    states = [summaries[victim.name].state for victim in hit]
    if name in ("config.json", "launch.json", "heartbeat.json"):
        assert "unreadable" in states
        for victim in hit:
            if summaries[victim.name].state == "unreadable":
                assert summaries[victim.name].message.startswith(f"unreadable: {name}")
    else:  # a cache of the wrong shape is ignored: the run is read from its own files
        assert "unreadable" not in states
    if name == "summary cache":  # never trusted over the log
        for victim in hit:
            summary = summaries[victim.name]
            assert (summary.state, summary.epochs_done) == ("stopped", 2)
            assert summary.test_acc == canned_test_acc(2)


def test_a_live_run_whose_pid_is_no_process_id_is_unreadable(tmp_path, capsys):
    from tests.helpers.runs import write_run

    for name, pid in (("huge", 10**30), ("zero", 0)):
        run_dir = write_run(tmp_path, name, "running")  # the pid is asked about: no end event
        launch = json.loads((run_dir / "launch.json").read_text())
        (run_dir / "launch.json").write_text(json.dumps({**launch, "pid": pid}))
    write_run(tmp_path, "fine", "running")
    summaries = {s.id.rsplit("-", 1)[-1]: s for s in list_runs(tmp_path)}
    for name in ("huge", "zero"):
        assert summaries[name].message == (
            "unreadable: launch.json: 'pid' is not a process id (1 to 4,194,304)"
        )
    assert summaries["fine"].state == "running"
    code, out, _ = _cli(capsys, "runs", "show", "huge", "--runs-dir", str(tmp_path))
    assert code == 2 and "'pid' is not a process id" in out


def test_a_sweep_record_of_the_wrong_shape_or_a_lost_run_is_told(tmp_path, capsys):
    import shutil

    from core.cluster.sweep import create_sweep, parse_grid

    sweep = create_sweep(tmp_path, "lenet5", parse_grid("lr=0.1,0.01"), {"dataset": "shapes"})
    shutil.rmtree(sweep.run_dirs[1])  # a run of the sweep deleted by hand
    results = ("sweep", "--results", sweep.id, "--runs-dir", str(tmp_path))
    code, out, _ = _cli(capsys, *results, "--json")
    assert code == 0
    assert [run["state"] for run in json.loads(out)["runs"]] == ["pending", "unreadable"]
    assert _cli(capsys, *results)[0] == 0
    record_file = sweep.path / "sweep.json"
    record = json.loads(record_file.read_text())
    for damage, why in (
        ({"runs": "ab"}, "'runs' is missing or not a list"),
        ({"runs": ["../../elsewhere"]}, "'../../elsewhere' is not a run id"),
        ({"grid": [1]}, "'grid' is missing or not a dict"),
        ({"id": None}, "'id' is missing or not a string"),
        ({"base": 3}, "'base' is not an object"),
    ):
        record_file.write_text(json.dumps({**record, **damage}))
        code, _, err = _cli(capsys, *results)
        assert code == 2 and f"is not a sweep record: {why}" in err
