"""The monitor's run control: stop, resume, delete, variants and export, each confirmed first.

A mixin of `MonitorScreen`: it uses the screen's `current`, `plotted()`, `runs_dir`, `x_axis`,
`name_of()`, `wake()` and `show_run()`; blocking work runs in thread workers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from textual import work
from textual.message import Message

from core.runs.events import epoch_events
from screens.monitor.dialogs import ConfirmScreen, ExportScreen, TextScreen
from screens.monitor.view import failure_text
from tui.messages import FillFromRun, WorkspaceRequested
from tui.run_watch import RunSnapshot


class RunControls:
    """Actions on runs for the monitor screen (bindings and greying live on the screen)."""

    class ExportFinished(Message):
        """Sent when an export wrote its files (or failed with a message)."""

        def __init__(self, paths: list[Path], error: str | None) -> None:
            super().__init__()
            self.paths = paths
            self.error = error

    def action_stop(self) -> None:
        run = self.current

        def confirmed(yes: bool | None) -> None:
            if yes:
                from core.cluster.slurm import launch_record
                from core.runs.store import request_stop

                if launch_record(run.path) is not None:
                    self.stop_slurm_run(run.path)
                    return
                request_stop(run.path)
                self.notify(f"Asked {self.name_of(run.id)} to checkpoint and stop.")
                self.wake()

        self.app.push_screen(
            ConfirmScreen(
                f"Stop {run.id}? It saves a checkpoint and ends as stopped; r resumes it later."
            ),
            confirmed,
        )

    def action_resume(self) -> None:
        """Stopped, failed or died runs alike, with `runs resume`'s checks: a finished or live
        run gets a dialog saying why not; a resumable one asks first, then the remaining checks
        (data, device, weights, safe checkpoints) run before its worker starts. The status is
        read afresh (the table may be a refresh behind a stop or scancel just made)."""
        self.ask_resume(self.current)

    @work(thread=True, group="resume-ask", exclusive=True)
    def ask_resume(self, run: RunSnapshot) -> None:
        from core.cluster.resume import refusal
        from core.cluster.status import run_status

        status = run_status(run.path)
        why = refusal(run.id, status.state)
        if why:
            self.app.call_from_thread(
                self.app.push_screen, TextScreen(f"{run.id} cannot be resumed.\n\n{why}")
            )
            return
        done = len(epoch_events(list(run.events)))
        first_line = (status.message or "").strip().splitlines()[:1]
        state = f"{status.state}: {first_line[0]}" if first_line else status.state
        total = run.config.get("epochs", "?")
        where = (
            "from its last checkpoint"
            if (run.path / "checkpoints" / "last.pt").is_file()
            else "from epoch 1 (it saved no checkpoint)"
        )
        question = f"Resume {run.id} ({state}; {done}/{total} epochs done) {where}?"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.resume_run(run.path)

        self.app.call_from_thread(self.app.push_screen, ConfirmScreen(question), confirmed)

    @work(thread=True, group="slurm-stop")
    def stop_slurm_run(self, run_dir: Path) -> None:
        """Checkpoint through the control file; scancel the job if it outlives the grace."""
        from core.cluster.slurm import stop_slurm_run
        from core.errors import UserError
        from core.settings import load_settings

        name = self.name_of(run_dir.name)
        try:
            grace = load_settings().slurm.grace_seconds
            self.app.call_from_thread(
                self.notify, f"Asked {name} to checkpoint and stop; scancel after {grace} s."
            )
            outcome = stop_slurm_run(run_dir, grace_seconds=grace)
        except UserError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, f"{name}: {outcome}.")
        self.wake()

    @work(thread=True, exclusive=True, group="control")
    def resume_run(self, run_dir: Path) -> None:
        """Check as `runs resume` does, then start a fresh worker on the run folder; it
        continues from checkpoints/last.pt (the run reads "resuming" until its start event)."""
        from core.cluster.resume import resume_run
        from core.errors import UserError

        try:
            resume_run(run_dir)
        except UserError as error:
            text = f"{run_dir.name} cannot be resumed.\n\n{error}"
            self.app.call_from_thread(self.app.push_screen, TextScreen(text))
            return
        self.app.call_from_thread(self.notify, f"Resuming {self.name_of(run_dir.name)}.")
        self.wake()

    def action_delete(self) -> None:
        run = self.current

        def confirmed(yes: bool | None) -> None:
            if yes:
                shutil.rmtree(run.path, ignore_errors=True)
                self.selected.discard(run.id)
                self.notify(f"Deleted {run.path}.")
                self.wake()

        self.app.push_screen(
            ConfirmScreen(
                f"Delete {run.path} with its checkpoints and events? This cannot be undone."
            ),
            confirmed,
        )

    def action_variant(self) -> None:
        from core.models.architecture import variant_config

        run = self.current
        config = variant_config(run.config, run.path)  # a model.py is copied again at launch
        self.post_message(WorkspaceRequested("train", FillFromRun(config, run.id)))

    def action_twin(self) -> None:
        """C1/C3's comparison in two keys: the same run with augmentation switched on (or off)."""
        run = self.current
        config = dict(run.config)
        config["augment"] = [] if config.get("augment") else ["flip", "crop"]
        change = (
            "without augmentation" if run.config.get("augment") else "with flip + crop augmentation"
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.launch_twin(config, "noaug" if run.config.get("augment") else "aug", run.id)

        self.app.push_screen(ConfirmScreen(f"Launch {run.id} again {change}?"), confirmed)

    @work(thread=True, exclusive=True, group="control")
    def launch_twin(self, config: dict, suffix: str, original: str) -> None:
        """Validate, write and start the twin run, then put the cursor on it and mark both runs
        for the overlay (the comparison chart is on screen at once)."""
        from core.cluster.launch import launch_run
        from core.errors import UserError
        from core.training.config import TrainConfig

        try:
            train_config = TrainConfig.from_dict(config).validate()
            run_dir, where = launch_run(
                self.runs_dir, train_config, "local", f"{train_config.preset}-{suffix}"
            )
        except UserError as error:
            self.app.call_from_thread(self.notify, f"Not launched: {error}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Launched {run_dir.name} ({where}).")
        self.app.call_from_thread(self.show_run, run_dir.name, (original, run_dir.name))

    def action_message(self) -> None:
        run = self.current
        log = run.path / "worker.log"
        tail = (
            "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log.is_file() else ""
        )
        self.app.push_screen(TextScreen(failure_text(run, tail)))

    def action_export(self) -> None:
        runs = self.plotted()

        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self.export(runs, folder)

        self.app.push_screen(ExportScreen(Path("exports").resolve(), len(runs)), chosen)

    @work(thread=True, exclusive=True, group="export")
    def export(self, runs: list[RunSnapshot], folder: Path) -> None:
        """Write CSV + PNG off the UI thread (matplotlib is slow to import)."""
        from core.runs.export import ExportRun, export_runs

        try:
            paths = export_runs(
                [ExportRun(r.id, r.config, r.events) for r in runs], folder.resolve(), self.x_axis
            )
        except OSError as error:
            self.post_message(self.ExportFinished([], f"Could not write to {folder}: {error}"))
            return
        self.post_message(self.ExportFinished(paths, None))

    def on_run_controls_export_finished(self, message: ExportFinished) -> None:
        if message.error:
            self.notify(message.error, severity="error")
        else:
            self.notify("Wrote " + ", ".join(str(p) for p in message.paths))
