"""The Slurm request dialog of Train: edit partition, GPUs, time, … and extra `#SBATCH` lines,
and read the exact batch script before it is submitted."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static, TextArea

from core.settings import SettingsError, SlurmSettings

FIELDS = (
    ("partition", "partition", "cluster default"),
    ("gpus", "GPUs (--gpus)", "e.g. 1 or a100:1"),
    ("gres", "gres", "e.g. gpu:1"),
    ("cpus", "CPUs per task", "cluster default"),
    ("mem", "memory", "e.g. 16G"),
    ("time", "time limit", "e.g. 02:00:00"),
    ("account", "account", "cluster default"),
    ("qos", "QOS", "cluster default"),
    ("activate", "environment", "e.g. source ~/venv/bin/activate"),
)
"""(setting, label, placeholder) of each text field, top to bottom."""


class SlurmRequestScreen(ModalScreen[SlurmSettings | None]):
    """Shows the job request (from settings.toml) and its batch script; returns the edited
    request on submit, None on cancel."""

    CSS_PATH = "slurm_dialog.tcss"

    BINDINGS = [
        Binding(
            "ctrl+s", "submit", "Submit", tooltip="Submit the job with this request.", priority=True
        ),
        Binding("escape", "cancel", "Cancel", tooltip="Back to the form; nothing is submitted."),
    ]
    """ctrl+s submits (when the request is valid); Escape cancels."""

    def __init__(self, settings: SlurmSettings, run_dir: Path) -> None:
        super().__init__()
        self.settings = settings
        self.run_dir = run_dir  # where the run will be written (its id is not known yet)
        self.request: SlurmSettings | None = settings

    def compose(self) -> ComposeResult:
        with Vertical(id="slurm-dialog"):
            yield Label("[b]Slurm job request[/b]  (defaults from settings.toml)")
            with VerticalScroll(id="slurm-body"):
                with Grid(id="slurm-fields"):
                    for key, label, placeholder in FIELDS:
                        yield Label(label, classes="slurm-label")
                        value = getattr(self.settings, key)
                        yield Input(
                            "" if value is None else str(value),
                            placeholder=placeholder,
                            id=f"slurm-{key}",
                            compact=True,
                        )
                yield Label("extra #SBATCH options, one per line (e.g. --constraint=a100)")
                yield TextArea("\n".join(self.settings.extra), id="slurm-extra", compact=True)
                yield Static(id="slurm-error")
                yield Label("[b]Batch script[/b] (written to the run folder as job.sbatch)")
                yield Static(id="slurm-script", markup=False)
            with Horizontal(id="slurm-buttons"):
                yield Button("Submit (ctrl+s)", id="slurm-submit", variant="primary")
                yield Button("Cancel (Esc)", id="slurm-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_preview()
        self.query_one("#slurm-partition", Input).focus()

    def read_request(self) -> SlurmSettings:
        """The request the fields describe (raises SettingsError when a value is unusable)."""
        values = {
            key: self.query_one(f"#slurm-{key}", Input).value.strip() or None
            for key, _, _ in FIELDS
        }
        if values["cpus"] is not None:
            try:
                values["cpus"] = int(values["cpus"])
            except ValueError:
                raise SettingsError(
                    f"CPUs per task must be a whole number, not {values['cpus']!r}."
                ) from None
        extra = tuple(
            line.strip()
            for line in self.query_one("#slurm-extra", TextArea).text.splitlines()
            if line.strip()
        )
        return replace(self.settings, extra=extra, **values).validate()

    def refresh_preview(self) -> None:
        from core.cluster.slurm_script import batch_script

        error = self.query_one("#slurm-error", Static)
        try:
            self.request = self.read_request()
        except SettingsError as problem:
            self.request = None
            error.update(str(problem))
        else:
            error.update("")
            self.query_one("#slurm-script", Static).update(
                batch_script(
                    [self.run_dir],
                    self.request,
                    job_name=f"cnn-tui-{self.run_dir.name}",
                    output=str(self.run_dir.resolve() / "worker.log"),
                )
            )
        self.query_one("#slurm-submit", Button).disabled = self.request is None
        self.refresh_bindings()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_preview()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.refresh_preview()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "slurm-submit":
            self.action_submit()
        else:
            self.action_cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return True if self.request is not None else None
        return True

    def action_submit(self) -> None:
        if self.request is not None:
            self.dismiss(self.request)

    def action_cancel(self) -> None:
        self.dismiss(None)
