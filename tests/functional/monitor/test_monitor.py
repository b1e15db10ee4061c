"""Monitor screen on canned run folders: states, live appends, overlay, control keys, export."""

from __future__ import annotations

import csv
import json

from core.runs.export import CSV_COLUMNS
from screens.monitor.dialogs import ConfirmScreen, TextScreen
from screens.monitor.screen import MonitorScreen
from screens.monitor.view import RESULT_HEADERS
from tests.helpers.runs import (
    STEPS,
    append_text,
    canned_test_acc,
    epoch_events,
    wait_for,
    write_run,
)
from tui.app import make_app
from tui.config import AppConfig
from tui.widgets.curves import CurvePlot
from tui.widgets.runs_table import RunsTable

STATES = ("pending", "running", "stalled", "finished", "stopped", "failed", "died")


def monitor_app(runs_dir):
    return make_app(AppConfig(start="monitor", runs_dir=runs_dir))


def table_states(screen):
    table = screen.query_one(RunsTable)
    return {rid.rsplit("-", 1)[-1]: str(table.get_cell(rid, "state")) for rid in table.rows_by_id}


def cursor_to(screen, run_id):
    table = screen.query_one(RunsTable)
    table.move_cursor(row=table.get_row_index(run_id), animate=False)


async def test_table_lists_every_state_with_its_columns(tmp_path):
    for state in STATES:
        write_run(tmp_path, state, state, val=True)
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MonitorScreen)
        await wait_for(pilot, lambda: len(screen.runs) == len(STATES))
        await pilot.pause()
        assert table_states(screen) == {state: state for state in STATES}
        table = screen.query_one(RunsTable)
        finished = next(rid for rid in table.rows_by_id if rid.endswith("finished"))
        assert str(table.get_cell(finished, "epoch")) == "2/4"
        assert str(table.get_cell(finished, "best_test")) == f"{100 * canned_test_acc(2):.1f}%"
        assert str(table.get_cell(finished, "device")) == "cpu"
        assert "adam lr 0.001 bs 16" in str(table.get_cell(finished, "hyper"))


async def test_new_runs_appear_and_curves_follow_appends(tmp_path):
    run_dir = write_run(tmp_path, "live", "running", epochs_done=1)
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        acc = screen.query_one("#acc-plot", CurvePlot)
        await wait_for(pilot, lambda: acc.lines and len(acc.lines[0].series) == 1)
        events = epoch_events(2, 2, 1 + STEPS + 1)
        text = "".join(json.dumps(event) + "\n" for event in events)
        append_text(run_dir, "{corrupt line\n" + text[:-15])
        screen.wake()
        await wait_for(pilot, lambda: screen.runs[run_dir.name].corrupt_lines == 1)
        assert len(acc.lines[0].series) == 1, "the partial epoch line must be held back"
        append_text(run_dir, text[-15:])
        screen.wake()
        await wait_for(pilot, lambda: len(acc.lines[0].series) == 2)
        assert acc.lines[0].series.y[-1] == events[-1]["train_acc"]
        step = screen.query_one("#step-plot", CurvePlot)
        assert len(step.lines[0].series) == 2 * STEPS
        await pilot.pause(0.3)
        assert acc.builds >= 2
        details = str(screen.query_one("#details").render())
        assert "data Shapes-10 (synthetic) — generated shapes, not CIFAR-10" in details
        assert "1 unreadable record(s) in events.jsonl skipped (line 13: not JSON)" in details
        write_run(tmp_path, "newcomer", "pending")
        screen.wake()
        await wait_for(pilot, lambda: len(screen.runs) == 2)


async def test_space_overlays_runs_and_fills_the_results_table(tmp_path):
    a = write_run(tmp_path, "plain", "finished", epochs_done=3)
    b = write_run(tmp_path, "augmented", "finished", epochs_done=2, augment=["flip", "crop"])
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 2)
        for run in (a, b):
            cursor_to(screen, run.name)
            await pilot.press("space")
        assert screen.selected == {a.name, b.name}
        labels = [line.label for line in screen.query_one("#acc-plot", CurvePlot).lines]
        assert all(label.endswith(" · synthetic") for label in labels)
        assert any("plain" in label for label in labels) and any(
            "augmented" in label for label in labels
        )
        colors = {line.color for line in screen.query_one("#step-plot", CurvePlot).lines}
        assert len(colors) == 2
        results = screen.query_one("#results")
        assert results.row_count == 2
        rows = [[str(c) for c in results.get_row_at(i)] for i in range(2)]
        assert {row[RESULT_HEADERS.index("epochs")] for row in rows} == {"3", "2"}
        await pilot.press("x")
        assert screen.query_one("#acc-plot", CurvePlot).lines[0].series.x[-1] in (
            2 * STEPS,
            3 * STEPS,
        )
        await pilot.press("s")
        assert screen.smoothing == "mean"


async def test_keys_are_greyed_out_by_state(tmp_path):
    finished = write_run(tmp_path, "done", "finished")
    stopped = write_run(tmp_path, "halted", "stopped")
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 2)
        cursor_to(screen, finished.name)
        assert screen.check_action("stop", ()) is None
        assert screen.check_action("delete", ()) is True
        cursor_to(screen, stopped.name)
        assert screen.check_action("resume", ()) is True
        await pilot.press("k")
        assert not isinstance(app.screen, ConfirmScreen), "stop must do nothing on a stopped run"


async def test_the_footer_dims_and_undims_keys_as_the_cursor_moves_without_rebuilding(tmp_path):
    from tui.widgets.footer import HomeFirstFooter

    finished = write_run(tmp_path, "done", "finished")
    running = write_run(tmp_path, "going", "running")
    app = monitor_app(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 2)
        footer = screen.query_one(HomeFirstFooter)

        def key(action):
            return next(k for k in footer.children if getattr(k, "action", None) == action)

        seen = []
        for run in (finished, running, finished):
            cursor_to(screen, run.name)
            await pilot.pause()
            dims = run is finished  # a finished run cannot be stopped
            await wait_for(pilot, lambda d=dims: key("stop").has_class("-disabled") == d, 3.0)
            assert key("stop").has_class("-disabled") == (run is finished)  # finished: no Stop
            for action in ("stop", "resume", "delete", "export"):  # as the screen decides
                assert key(action).has_class("-disabled") == (
                    screen.check_action(action, ()) is None
                ), action
            seen.append(list(footer.children))
        assert seen[0] == seen[1] == seen[2]  # the same keys, dimmed in place
        assert key("home") is footer.children[0]
        # a click on Stop, enabled in place, asks to stop the running run
        cursor_to(screen, running.name)
        await wait_for(pilot, lambda: not key("stop").has_class("-disabled"), 3.0)
        await pilot.click(key("stop"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 3.0)


async def test_failed_run_shows_a_notice_and_its_message_one_key_away(tmp_path):
    run = write_run(tmp_path, "broken", "failed", message="The loss became nan at epoch 3, step 7.")
    (run / "worker.log").write_text("Traceback (most recent call last):\nboom\n")
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        await pilot.pause()
        notice = screen.query_one("#monitor-notice")
        assert notice.display and "failed" in str(notice.render())
        await pilot.press("m")
        assert isinstance(app.screen, TextScreen)
        assert "The loss became nan" in app.screen.text and "boom" in app.screen.text
        await pilot.press("escape")
        assert app.screen is screen


async def test_stop_asks_first_then_writes_the_control_file(tmp_path):
    run = write_run(tmp_path, "live", "running")
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        await pilot.press("k")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert not (run / "control" / "stop").exists()
        await pilot.press("k", "y")
        assert (run / "control" / "stop").exists()


async def test_delete_removes_the_folder_after_confirmation(tmp_path):
    run = write_run(tmp_path, "old", "finished")
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        await pilot.press("d", "y")
        assert not run.exists()
        await wait_for(pilot, lambda: not screen.runs)


async def test_export_writes_csv_with_every_epoch_and_a_png(tmp_path):
    runs_dir = tmp_path / "runs"
    a = write_run(runs_dir, "a", "finished", epochs_done=3, val=True)
    b = write_run(runs_dir, "b", "finished", epochs_done=2)
    app = monitor_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 2)
        for run in (a, b):
            cursor_to(screen, run.name)
            await pilot.press("space")
        await pilot.press("e")
        field = app.screen.query_one("#export-folder")
        field.value = str(tmp_path / "report")
        await pilot.press("enter")
        csv_path, png_path = (
            tmp_path / "report" / "compare.csv",
            tmp_path / "report" / "compare.png",
        )
        await wait_for(pilot, lambda: png_path.exists(), timeout=30)
    with open(csv_path, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["run"], r["epoch"]) for r in rows] == [
        (a.name, "1"),
        (a.name, "2"),
        (a.name, "3"),
        (b.name, "1"),
        (b.name, "2"),
    ]
    assert rows[1]["test_acc"] == str(canned_test_acc(2)) and rows[4]["val_acc"] == ""
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
