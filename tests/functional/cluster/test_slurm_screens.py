"""Train with the Slurm launcher: the request dialog shows the batch script before submission,
explains bad values, and submits the edited request to a real local cluster."""

from __future__ import annotations

import json
import subprocess
from functools import partial

from textual.widgets import Button, Input, Select, TextArea

from screens.train.slurm_dialog import SlurmRequestScreen
from tests.helpers import runs as helpers_monitor
from tui.app import make_app
from tui.config import AppConfig

wait_for = partial(helpers_monitor.wait_for, timeout=20.0)  # a scheduler answers slowly


def script_text(dialog) -> str:
    return str(dialog.query_one("#slurm-script").render())


async def open_dialog(pilot, app) -> SlurmRequestScreen:
    app.screen.query_one("#f-launcher", Select).value = "slurm"
    await pilot.pause()
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: isinstance(app.screen, SlurmRequestScreen))
    return app.screen


async def test_dialog_previews_the_script_and_blocks_bad_values(tmp_path, monkeypatch):
    config_dir = tmp_path / "config" / "cnn-tui"
    config_dir.mkdir(parents=True)
    (config_dir / "settings.toml").write_text('[slurm]\npartition = "gpu"\ngpus = "1"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = make_app(AppConfig(start="train", runs_dir=tmp_path / "runs"))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app)
        assert dialog.query_one("#slurm-partition", Input).value == "gpu"
        assert "#SBATCH --partition=gpu" in script_text(dialog)
        assert "#SBATCH --gpus=1" in script_text(dialog)
        dialog.query_one("#slurm-time", Input).value = "two hours"
        await pilot.pause()
        assert "slurm.time" in str(dialog.query_one("#slurm-error").render())
        assert dialog.query_one("#slurm-submit", Button).disabled
        assert dialog.check_action("submit", ()) is None
        dialog.query_one("#slurm-time", Input).value = "00:30:00"
        dialog.query_one("#slurm-extra", TextArea).text = "--constraint=a100"
        await pilot.pause()
        assert "#SBATCH --time=00:30:00" in script_text(dialog)
        assert "#SBATCH --constraint=a100" in script_text(dialog)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SlurmRequestScreen)
        assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


async def test_train_screen_submits_the_reviewed_request(slurm_cluster, tmp_path):
    runs = tmp_path / "runs"
    app = make_app(AppConfig(start="train", runs_dir=runs))
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.query_one("#f-epochs", Input).value = "1"
        app.screen.query_one("#f-train_size", Input).value = "64"
        app.screen.query_one("#f-test_size", Input).value = "64"
        await pilot.pause()
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#slurm-partition", Input).value = "debug"
        dialog.query_one("#slurm-cpus", Input).value = "1"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                runs.is_dir() and any((path / "launch.json").exists() for path in runs.iterdir())
            ),
        )
        (run_dir,) = [path for path in runs.iterdir() if (path / "launch.json").exists()]
        launch = json.loads((run_dir / "launch.json").read_text())
        subprocess.run(["scancel", launch["job_id"]], check=True)  # the test needs no training
        assert launch["launcher"] == "slurm"
        script = (run_dir / "job.sbatch").read_text()
        assert "#SBATCH --partition=debug" in script and "#SBATCH --cpus-per-task=1" in script


async def test_monitor_marks_a_whole_sweep_for_the_overlay(tmp_path):
    from tests.helpers.runs import write_run
    from tui.widgets.runs_table import RunsTable

    first = write_run(tmp_path, "s0", "finished", sweep="sweep-1", lr=1e-3)
    second = write_run(tmp_path, "s1", "finished", sweep="sweep-1", lr=5e-4)
    write_run(tmp_path, "other", "finished")
    app = make_app(AppConfig(start="monitor", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.runs) == 3)
        table = screen.query_one(RunsTable)
        lone = next(rid for rid in table.rows_by_id if rid.endswith("other"))
        table.move_cursor(row=table.get_row_index(lone), animate=False)
        await pilot.pause()
        assert screen.check_action("select_sweep", ()) is None
        table.move_cursor(row=table.get_row_index(first.name), animate=False)
        await pilot.pause()
        await pilot.press("g")
        await wait_for(pilot, lambda: screen.selected == {first.name, second.name})


async def test_monitor_stops_and_resubmits_a_slurm_run(slurm_cluster, tmp_path):
    from core.cluster.slurm import forget_snapshot, start_slurm
    from core.cluster.status import run_status
    from core.runs.store import create_run
    from core.settings import SlurmSettings
    from core.training.config import TrainConfig
    from tui.widgets.runs_table import RunsTable

    config = TrainConfig.for_preset("lenet5", dataset="shapes", epochs=1).to_dict()
    run_dir = create_run(tmp_path, config)
    first = start_slurm(run_dir, SlurmSettings(extra=("--hold",)))["job_id"]  # stays pending

    def state() -> str:
        forget_snapshot()
        return run_status(run_dir).state

    app = make_app(AppConfig(start="monitor", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: run_dir.name in screen.runs)
        table = screen.query_one(RunsTable)
        table.move_cursor(row=table.get_row_index(run_dir.name), animate=False)
        await wait_for(pilot, lambda: screen.runs[run_dir.name].state == "pending")
        assert f"job {first}" in screen.runs[run_dir.name].message
        await pilot.press("k", "y")
        await wait_for(pilot, lambda: state() == "cancelled")  # pending: scancel at once
        await wait_for(pilot, lambda: screen.check_action("resume", ()) is True)
        await pilot.press("r", "y")
        await wait_for(
            pilot,
            lambda: json.loads((run_dir / "launch.json").read_text())["previous_jobs"] == [first],
        )
        again = json.loads((run_dir / "launch.json").read_text())["job_id"]
        assert state() == "pending"
        subprocess.run(["scancel", again], check=True)
