"""Train → Monitor against a real worker on Shapes-10: launch, live epochs, stop, resume."""

from __future__ import annotations

import pytest

from core.runs.events import epoch_events, read_events
from screens.monitor.memory import Remembered, remember
from screens.monitor.screen import MonitorScreen
from tests.helpers.runs import wait_for, write_run
from tui.app import make_app
from tui.config import AppConfig
from tui.widgets.runs_table import RunsTable

pytestmark = pytest.mark.slow


def current(app):
    return app.screen.current if isinstance(app.screen, MonitorScreen) else None


async def confirm(pilot, key: str) -> None:
    """`key`, then `y` once its dialog is up (a loaded machine pushes it a moment later)."""
    from screens.monitor.dialogs import ConfirmScreen

    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), 30)
    await pilot.press("y")


async def test_launch_stop_and_resume_a_real_run(tmp_path):
    older = write_run(tmp_path, "older", "finished")
    remember(tmp_path, Remembered(frozenset({older.name}), older.name))  # marked last time
    app = make_app(AppConfig(start="train", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        for key, value in {
            "train_size": "256",
            "test_size": "64",
            "epochs": "30",
            "batch_size": "32",
            "device": "cpu",
        }.items():
            widget = form.query_one(f"#f-{key}")
            widget.value = value
        await pilot.pause()
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), 60)
        monitor = app.screen
        await wait_for(pilot, lambda: current(app) and current(app).id != older.name, 30)
        run = current(app)
        assert monitor.query_one(RunsTable).current_id == run.id
        assert monitor.selected == {older.name, run.id}, "plotted beside the remembered marks"
        await wait_for(pilot, lambda: len(epoch_events(list(current(app).events))) >= 1, 90)
        assert current(app).state == "running"
        await confirm(pilot, "k")
        await wait_for(pilot, lambda: current(app).state == "stopped", 60)
        stopped_after = len(epoch_events(read_events(run.path)))
        assert monitor.check_action("resume", ()) is True
        await confirm(pilot, "r")
        await wait_for(
            pilot, lambda: sum(e["kind"] == "start" for e in current(app).events) == 2, 60
        )
        await wait_for(
            pilot, lambda: len(epoch_events(list(current(app).events))) > stopped_after, 90
        )
        await confirm(pilot, "k")
        await wait_for(pilot, lambda: current(app).state == "stopped", 60)
    epochs = [e["epoch"] for e in read_events(run.path) if e["kind"] == "epoch"]
    assert epochs == list(range(1, len(epochs) + 1)), "resume must neither repeat nor skip epochs"
