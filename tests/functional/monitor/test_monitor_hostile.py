"""The Monitor against hostile run folders and failing workers: it always answers, lists every
run (a bad one as unreadable, with why), and a worker's exception is shown, not fatal."""

from __future__ import annotations

import json

from screens.monitor.screen import MonitorScreen
from tests.helpers.runs import wait_for, write_run
from tui import run_watch
from tui.app import make_app
from tui.config import AppConfig
from tui.widgets.curves import CurvePlot
from tui.widgets.runs_table import RunsTable


def _table_states(screen) -> dict[str, str]:
    table = screen.query_one(RunsTable)
    return {rid.rsplit("-", 1)[-1]: str(table.get_cell(rid, "state")) for rid in table.rows_by_id}


async def test_monitor_lists_every_run_whatever_their_files_hold(tmp_path):
    write_run(tmp_path, "good", "finished", epochs_done=2, epochs=2)
    (write_run(tmp_path, "config", "finished") / "config.json").write_bytes(b"\xff{garbage")
    pid = write_run(tmp_path, "pid", "running")
    (pid / "launch.json").write_text(json.dumps({"launcher": "local", "pid": "12x"}))
    (write_run(tmp_path, "beat", "running") / "heartbeat.json").write_text("[1, 2]")
    odd = write_run(tmp_path, "odd", "finished", epochs_done=2, epochs=2)
    with open(odd / "events.jsonl", "a") as stream:
        stream.write('{"kind": "epoch"}\n{"kind": "step", "loss": "high"}\n{"seq": 40, "ki')
    app = make_app(AppConfig(start="monitor", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MonitorScreen)
        await wait_for(pilot, lambda: len(screen.query_one(RunsTable).rows_by_id) == 5)
        await wait_for(pilot, lambda: _table_states(screen)["beat"] == "unreadable")
        states = _table_states(screen)
        assert states == {
            "good": "finished",
            "config": "unreadable",
            "pid": "unreadable",
            "beat": "unreadable",
            "odd": "finished",
        }
        runs = {run.id.rsplit("-", 1)[-1]: run for run in screen.runs.values()}
        assert runs["pid"].message == "unreadable: launch.json: 'pid' is not an integer"
        assert runs["config"].message == "unreadable: config.json is not JSON"
        assert runs["beat"].message == "unreadable: heartbeat.json is not a JSON object"
        table = screen.query_one(RunsTable)
        table.move_cursor(row=table.get_row_index(runs["odd"].id), animate=False)
        await pilot.pause()
        details = str(screen.query_one("#details").render())
        assert "2 unreadable record(s) in events.jsonl skipped" in details
        assert "ends in an unfinished line (15 bytes)" in details
        assert runs["odd"].skipped.count("unreadable record(s)") == 1
        assert app.is_running and not app.worker_errors


async def test_an_exception_in_a_worker_is_shown_and_the_app_runs_on(tmp_path, monkeypatch):
    write_run(tmp_path, "good", "finished", epochs_done=1, epochs=1)

    def broken(self, now=None):
        raise RuntimeError("the disk said no")

    monkeypatch.setattr(run_watch.RunsWatcher, "poll", broken)
    app = make_app(AppConfig(start="monitor", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.worker_errors))
        assert str(app.worker_errors[0]) == "the disk said no"
        shown = [n.message for n in app._notifications]
        assert any("RuntimeError: the disk said no" in message for message in shown)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.current_mode == "home"
    assert app.return_code in (0, None)


async def test_monitor_answers_for_wrong_shaped_records_of_every_kind_and_file(
    tmp_path, monkeypatch
):
    from core.runs.schema import EVENT_FIELDS
    from tests.helpers.wrong_shapes import RUN_FILES, clone, event_victim, template, victims

    monkeypatch.setenv("PATH", str(tmp_path / "no-slurm-here"))  # the scheduler cannot answer
    runs = tmp_path / "runs"
    runs.mkdir()
    canned = template(tmp_path / "template")
    hit = [event_victim(canned, runs, kind) for kind in EVENT_FIELDS]
    for name in RUN_FILES:
        hit += victims(canned, runs, name, values=([], 10**30))
    good = clone(canned, runs, "good")
    app = make_app(AppConfig(start="monitor", runs_dir=runs))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        table = screen.query_one(RunsTable)
        await wait_for(pilot, lambda: len(table.rows_by_id) == len(hit) + 1, timeout=20)
        await wait_for(pilot, lambda: all(not run.loading for run in screen.runs.values()))
        for run_dir in [*hit[: len(EVENT_FIELDS)], good]:  # each event kind's run, drawn
            table.move_cursor(row=table.get_row_index(run_dir.name), animate=False)
            await pilot.pause()
            details = " ".join(str(screen.query_one("#details").render()).split())
            assert f"{run_dir.name} {screen.runs[run_dir.name].state}" in details
        screen.selected = set(screen.runs)  # every run overlaid: tables, legends, curves
        screen.redraw_plots(now=True)
        screen.redraw()
        await pilot.pause()
        for plot in screen.query(CurvePlot):  # built here, where an error is not caught
            _, _, _, theme, dark = plot.wanted_key()
            plot.build_text(100, 24, plot._get_plotext_theme_name(theme), dark)
        await pilot.press("x", "s")
        await pilot.pause()
        assert app.is_running and not app.worker_errors
        states = {run.id: run.state for run in screen.runs.values()}
        assert states[good.name] == "stopped"
        # a record that fits its kind counts (an appended start opens a session that died)
        assert "unreadable" not in {states[f"20260101-000000-event-{k}"] for k in EVENT_FIELDS}
        assert "unreadable" in set(states.values())
