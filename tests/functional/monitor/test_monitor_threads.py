"""The Monitor keeps the thread: resume refused or confirmed with the CLI's checks, "resuming"
until the new start, a new run plotted beside the marked ones, marks remembered across reopen,
unique display names, the epoch in progress and an early ETA."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from core.runs.events import read_events
from core.runs.names import display_name
from screens.monitor.dialogs import ConfirmScreen, TextScreen
from screens.monitor.memory import Remembered, memory_file, recall
from tests.functional.monitor.test_monitor import cursor_to, monitor_app
from tests.helpers.runs import STEPS, append_events, wait_for, write_run
from tui.messages import ShowRun, WorkspaceRequested
from tui.widgets.curves import CurvePlot
from tui.widgets.runs_table import RunsTable


def cell(screen, run_id: str, column: str) -> str:
    return str(screen.query_one(RunsTable).get_cell(run_id, column))


async def test_r_explains_why_a_run_cannot_resume(tmp_path):
    finished = write_run(tmp_path, "done", "finished")
    live = write_run(tmp_path, "live", "running")
    no_data = write_run(
        tmp_path, "nodata", "stopped", dataset="cifar10", data_dir=str(tmp_path / "nowhere")
    )
    launch = (live / "launch.json").read_text()
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 3)
        cursor_to(screen, no_data.name)
        await pilot.press("r")  # the run's state is read afresh in a thread, then asked
        await wait_for(pilot, lambda: app.screen is not screen, 30)
        await pilot.press("y")  # the data check (as `runs resume`'s) follows the yes
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen), 30)
        assert "cannot be resumed" in app.screen.text and "nowhere" in app.screen.text
        await pilot.press("escape")
        assert screen.runs[no_data.name].state == "stopped"
        for run, why in ((finished, "has finished"), (live, "Stop it first")):
            cursor_to(screen, run.name)
            await pilot.press("r")
            assert isinstance(app.screen, TextScreen), "no yes/no: a dialog saying why"
            assert why in app.screen.text and run.name in app.screen.text
            await pilot.press("escape")
            assert app.screen is screen
    assert (live / "launch.json").read_text() == launch, "nothing was started"


async def test_r_resumes_a_failed_run_which_shows_resuming_until_its_new_start(tmp_path):
    run = write_run(
        tmp_path,
        "broken",
        "failed",
        epochs_done=0,
        epochs=1,
        train_size=64,
        test_size=32,
        batch_size=32,
        message="CUDA out of memory.",
    )
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 1)
        assert cell(screen, run.name, "state") == "failed"
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "failed: CUDA out of memory." in question and "0/1 epochs done" in question
        await pilot.press("y")
        await wait_for(pilot, lambda: cell(screen, run.name, "state") == "resuming", 30)
        assert sum(e["kind"] == "start" for e in screen.runs[run.name].events) == 1
        assert screen.check_action("stop", ()) is True and screen.check_action("delete", ()) is None
        await wait_for(
            pilot, lambda: sum(e["kind"] == "start" for e in screen.runs[run.name].events) == 2, 60
        )
        await wait_for(pilot, lambda: screen.runs[run.name].state == "finished", 60)
        assert cell(screen, run.name, "state") == "finished"
    ends = [e["status"] for e in read_events(run) if e["kind"] == "end"]
    assert ends == ["failed", "finished"]


async def test_a_new_run_is_plotted_beside_the_marked_runs(tmp_path):
    a = write_run(tmp_path, "plain", "finished", epochs_done=2)
    b = write_run(tmp_path, "augmented", "finished", epochs_done=2)
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 2)
        for run in (a, b):
            cursor_to(screen, run.name)
            await pilot.press("space")
        new = write_run(tmp_path, "fresh", "running", epochs_done=1)
        app.post_message(WorkspaceRequested("monitor", ShowRun(new.name)))  # as Train does
        await wait_for(pilot, lambda: screen.selected == {a.name, b.name, new.name})
        assert screen.query_one(RunsTable).current_id == new.name
        acc = screen.query_one("#acc-plot", CurvePlot)
        await wait_for(pilot, lambda: any("fresh" in line.label for line in acc.lines))
        assert {line.group for line in acc.lines} == {screen.name_of(r.name) for r in (a, b, new)}


async def test_marks_and_the_current_run_are_remembered_across_reopen(tmp_path):
    runs_dir = tmp_path / "runs"
    a, b, c = (write_run(runs_dir, name, "finished") for name in ("one", "two", "three"))
    app = monitor_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 3)
        for run in (a, b):
            cursor_to(screen, run.name)
            await pilot.press("space")
        cursor_to(screen, c.name)
        await pilot.pause()
    saved = json.loads(memory_file().read_text())
    assert memory_file() == Path(os.environ["XDG_STATE_HOME"]) / "cnn-tui" / "monitor.json"
    assert not any(runs_dir.rglob("monitor.json")), "never inside the shared runs folder"
    assert saved["folders"][str(runs_dir.resolve())] == {
        "marked": sorted([a.name, b.name]),
        "current": c.name,
    }
    app = monitor_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one(RunsTable).current_id == c.name)
        assert screen.selected == {a.name, b.name}
        assert cell(screen, a.name, "name").startswith("●")
    for garbage in ('{"folders": {"x": 5}}', f'{{"folders": {{"{runs_dir.resolve()}": 5}}}}'):
        memory_file().write_text(garbage)
        assert recall(runs_dir) == Remembered()
    memory_file().write_text("{not json")
    app = monitor_app(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 3)
        assert screen.selected == set()
        await pilot.press("space")
        await wait_for(pilot, lambda: len(screen.selected) == 1)
    assert json.loads(memory_file().read_text())["folders"][str(runs_dir.resolve())]["marked"]


async def test_display_names_are_unique_epoch_counts_the_one_in_progress_eta_shows_early(
    tmp_path,
):
    ids = ("20261121-120501-lenet5", "20261121-120540-lenet5")
    for run_id in ids:
        write_run(tmp_path, "x", "finished").rename(tmp_path / run_id)
    live = write_run(tmp_path, "live", "running", epochs_done=0, epochs=3)
    now = time.time()
    append_events(
        live,
        [
            {
                "seq": step,
                "time": now - 5 + step,  # 4 steps in 3 s, the latest a second ago
                "kind": "step",
                "epoch": 1,
                "step": step,
                "steps_per_epoch": STEPS,
                "global_step": step,
                "loss": 2.0,
                "images_per_s": 100.0,
            }
            for step in range(1, 5)
        ],
    )
    app = monitor_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 3)
        names = [cell(screen, run_id, "name").strip("● ") for run_id in ids]
        assert names == ["lenet5 12:05:01", "lenet5 12:05:40"]
        for run_id in ids:
            cursor_to(screen, run_id)
            await pilot.press("space")
        acc = screen.query_one("#acc-plot", CurvePlot)
        await wait_for(pilot, lambda: {line.group for line in acc.lines} == set(names))
        assert cell(screen, live.name, "epoch") == "1/3"
        eta = cell(screen, live.name, "eta")
        # 1 s per step, 26 steps left, the latest step a second ago: about 25 s, less the
        # seconds this test has taken since (a loaded machine may take several)
        waited = time.time() - now
        assert eta != "—" and 25 - waited - 10 <= int(eta.rstrip("s")) <= 26
        assert display_name(live.name) in cell(screen, live.name, "name")
