"""Train: a form over the training config, checked as you type, that launches a detached worker.

Launching writes the run folder and starts the worker, then opens the run in the Monitor; the
app itself never trains, so closing it (or losing SSH) leaves the run going.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from screens.train.arch_check import PythonFileCheck
from screens.train.form import (
    AUGMENTATIONS,
    CHOICE_FIELDS,
    FLAGS,
    TEXT_FIELDS,
    ParsedForm,
    choice_options,
    form_values,
    parse_form,
    preset_summary,
    sent_architecture,
)
from screens.train.run_picker import RunPickerScreen
from tui.messages import FillFromRun, OpenTask, ShowRun, UseArchitecture, WorkspaceRequested
from tui.widgets.checkbox import MarkedCheckbox
from tui.workspace_screen import WorkspaceScreen

CHECK_AFTER_S = 0.15
"""Quiet time after the last key before the form is checked."""

CHOICE_LABELS = {
    "preset": "preset",
    "dataset": "dataset",
    "optimizer": "optimizer",
    "schedule": "LR schedule",
    "normalize": "normalise",
    "device": "device",
    "pipeline": "data pipeline",
    "launcher": "launcher",
}
FORM_ORDER = (
    "preset",
    "arch",
    "dataset",
    "data_dir",
    "train_size",
    "test_size",
    "epochs",
    "batch_size",
    "optimizer",
    "lr",
    "betas",
    "momentum",
    "nesterov",
    "weight_decay",
    "schedule",
    "augment",
    "normalize",
    "resize",
    "freeze_bn",
    "val_split",
    "early_stop",
    "eval_every",
    "seed",
    "tensorboard_dir",
    "device",
    "pipeline",
    "launcher",
)
"""Top-to-bottom order of the form rows."""


class TrainScreen(PythonFileCheck, WorkspaceScreen):
    """The training form; ctrl+l launches when every field is valid."""

    WORKSPACE = "train"
    CSS_PATH = "train.tcss"

    BINDINGS = [
        Binding(
            "ctrl+l",
            "launch",
            "Launch",
            tooltip="Write the run and start its worker.",
            priority=True,
        ),
        Binding(
            "ctrl+r",
            "defaults",
            "Preset defaults",
            tooltip="Reset every field to the preset's exercise defaults.",
        ),
        Binding(
            "ctrl+o",
            "from_run",
            "Same as run…",
            tooltip="Fill the form from an existing run, to launch a variant.",
        ),
    ]
    """Control keys, so every letter and digit still reaches the focused field."""

    class Launched(Message):
        """Sent when a run folder was written and its worker started."""

        def __init__(self, run_dir: Path, where: str) -> None:
            super().__init__()
            self.run_dir = run_dir
            self.where = where

    class LaunchFailed(Message):
        """Sent when a launch was refused (missing data, no GPU, bad weights file)."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self) -> None:
        super().__init__()
        self.parsed: ParsedForm | None = None
        self.pending_check: Timer | None = None  # the form check due once typing pauses
        self.base: dict[str, Any] = {}
        self.variant_of: str | None = None
        self.launching = False
        self.status_form: dict[str, Any] | None = None  # the form the launch status is about

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="train-body"):
            yield Static(id="variant-banner")
            yield Static(id="preset-info")
            yield Static(id="dataset-info")
            with Grid(id="train-form"):
                for key in FORM_ORDER:
                    with Vertical(classes="form-row", id=f"row-{key}"):
                        with Horizontal(classes="form-line"):
                            yield from self._field(key)
                        yield Static(classes="field-error", id=f"err-{key}")
            yield Static(id="form-error")
            with Horizontal(id="launch-row"):
                yield Button("Launch (ctrl+l)", id="launch", variant="primary")
                yield Static(id="launch-status")

    def _field(self, key: str) -> ComposeResult:
        """The label and input widget(s) of one form row."""
        text_fields = {f.key: f for f in TEXT_FIELDS}
        if key in text_fields:
            yield Label(text_fields[key].label, classes="form-label")
            yield Input(placeholder=text_fields[key].hint, id=f"f-{key}")
        elif key in CHOICE_FIELDS:
            yield Label(CHOICE_LABELS[key], classes="form-label")
            yield Select(choice_options(key), allow_blank=False, id=f"f-{key}")
        elif key == "augment":
            yield Label("augmentation", classes="form-label")
            for name in AUGMENTATIONS:
                yield MarkedCheckbox(name, id=f"f-{name}")
        elif key == "freeze_bn":
            yield Label("freeze BatchNorm", classes="form-label")
            yield MarkedCheckbox("frozen layers in eval mode", id="f-freeze_bn")
        else:
            yield Label("Nesterov", classes="form-label")
            yield MarkedCheckbox("on", id="f-nesterov")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#variant-banner", Static).display = False
        self.load_preset("lenet5")
        self.set_focus(self.query_one("#f-epochs", Input))  # before the next key is read

    def load_preset(self, name: str) -> None:
        """Fill the form with a preset's exercise defaults, keeping the dataset choice."""
        from core.data.datasets import default_dataset_name
        from core.training.config import TrainConfig

        data_dir = self.query_one("#f-data_dir", Input).value.strip() or None
        dataset = self.base.get("dataset") or default_dataset_name(data_dir)
        self.fill(TrainConfig.for_preset(name, dataset=dataset, data_dir=data_dir).to_dict())

    def on_fill_from_run(self, message: FillFromRun) -> None:
        message.stop()
        self.load_variant(message.config, message.run_id)

    def on_open_task(self, message: OpenTask) -> None:
        """A course task from the Sheet: its configuration in the form, its target above."""
        from core.errors import UserError
        from tui.commands.course.cli_options import task_args
        from tui.commands.train import unchecked_config

        task = message.task
        try:
            config = unchecked_config(task_args(task, message.pack.source))
        except UserError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.fill(config.to_dict())
        target = ", ".join(f"{key} {value:g}" for key, value in task.target.items())
        title = f"Course task {task.id}: {task.title}" + (f" ({target})" if target else "")
        self.notify(title, markup=False)

    def on_use_architecture(self, message: UseArchitecture) -> None:
        """A SPEC from the Calculators: into the Architecture field (its image size as resize)."""
        message.stop()
        for key, value in sent_architecture(message.spec, message.input_shape).items():
            self.query_one(f"#f-{key}", Input).value = value
        self.query_one("#f-arch", Input).focus()

    def load_variant(self, config: dict[str, Any], run_id: str) -> None:
        """Fill the form from an existing run, to launch 'the same as run X but …'."""
        self.variant_of = run_id
        banner = self.query_one("#variant-banner", Static)
        banner.update(f"Variant of run [b]{run_id}[/b]: change what should differ, then ctrl+l.")
        banner.display = True
        self.fill(config)

    def fill(self, config: dict[str, Any]) -> None:
        """Put a config into the widgets without triggering a validation per widget."""
        from core.training.config import TrainConfig

        self.base = dict(config)
        values = form_values(TrainConfig.from_dict(config))
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            for key, value in values.items():
                widget = self.query_one(f"#f-{key}")
                widget.value = value
        self.validate_form()

    def values(self) -> dict[str, Any]:
        keys = (
            [f.key for f in TEXT_FIELDS] + list(CHOICE_FIELDS) + list(AUGMENTATIONS) + list(FLAGS)
        )
        return {key: self.query_one(f"#f-{key}").value for key in keys}

    def validate_form(self) -> None:
        """Check every field, show each problem under its field, and enable Launch if all is well."""
        if self.pending_check is not None:
            self.pending_check.stop()
            self.pending_check = None
        values = self.values()
        self.parsed = parse_form(values, self.base)
        for field in TEXT_FIELDS:
            error = self.query_one(f"#err-{field.key}", Static)
            message = self.parsed.field_errors.get(field.key)
            if message is None and field.key == "arch" and self.parsed.arch_info:
                message = self.parsed.arch_info  # the check's result, beside the field
            error.update(message or "")
            error.display = message is not None
        form_error = self.query_one("#form-error", Static)
        form_error.update(self.parsed.error or "")
        form_error.display = self.parsed.error is not None
        self.query_one("#preset-info", Static).update(preset_summary(values["preset"]))
        self.update_dataset_info(values)
        sgd = values["optimizer"] == "sgd"
        self.query_one("#row-betas").display = not sgd
        self.query_one("#row-momentum").display = sgd
        self.query_one("#row-nesterov").display = sgd
        self.query_one("#row-freeze_bn").display = values["preset"] == "resnet18-transfer"
        self.query_one("#launch", Button).disabled = self.parsed.config is None or self.launching
        if self.status_form is not None and values != self.status_form and not self.launching:
            self.set_launch_status("")  # it spoke of the form as it was
        self.check_python_file()  # a Python file: imported and run in a thread worker
        self.refresh_bindings()

    def set_launch_status(self, text: str) -> None:
        """The line under Launch, about the form as it is now (cleared once the form changes)."""
        self.query_one("#launch-status", Static).update(text)
        self.status_form = self.values() if text else None

    def update_dataset_info(self, values: dict[str, Any]) -> None:
        from core.data.datasets import cifar10_folder, cifar10_present

        data_dir = str(values.get("data_dir") or "").strip() or None
        folder = cifar10_folder(data_dir)
        if cifar10_present(data_dir):
            text = f"CIFAR-10 found in {folder}."
        else:
            text = (
                f"CIFAR-10 not found in {folder}: Shapes-10 (synthetic, built in) is used "
                "instead. Run `cnn-tui data fetch cifar10` on a node with internet for the real one."
            )
        if values.get("dataset") == "shapes" and cifar10_present(data_dir):
            text += " You chose Shapes-10 (synthetic)."
        self.query_one("#dataset-info", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Check the form once typing pauses: the check never touches a field's text, and a
        burst of keys (a fast typist, a paste) is checked once, not once per key."""
        if self.pending_check is not None:
            self.pending_check.stop()
        self.pending_check = self.set_timer(CHECK_AFTER_S, self.validate_form)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.validate_form()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A preset picked: its defaults in the form. The preset select also reports its first
        value after the first keys a loaded terminal delivers: that preset is in the form already,
        and what was typed stays."""
        preset = event.value
        if event.select.id == "f-preset" and isinstance(preset, str):
            if preset != self.base.get("preset"):
                self.load_preset(preset)
                return
        self.validate_form()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "launch":
            return True if self.parsed and self.parsed.config and not self.launching else None
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "launch":
            self.action_launch()

    def action_defaults(self) -> None:
        self.base = {"dataset": self.query_one("#f-dataset", Select).value}
        self.variant_of = None
        self.query_one("#variant-banner", Static).display = False
        self.load_preset(self.query_one("#f-preset", Select).value)

    def action_from_run(self) -> None:
        def chosen(picked: tuple[dict[str, Any], str] | None) -> None:
            if picked is not None:
                self.load_variant(*picked)

        self.app.push_screen(RunPickerScreen(self.app.config.runs_dir), chosen)

    def action_launch(self) -> None:
        if self.pending_check is not None:
            self.validate_form()  # the form as typed, not as last checked
        if not (self.parsed and self.parsed.config) or self.launching:
            return
        launcher = self.query_one("#f-launcher", Select).value
        if launcher == "slurm":
            self.review_slurm_request()
        else:
            self.start_launch(launcher, None)

    def review_slurm_request(self) -> None:
        """Show the Slurm request and batch script; submit what the user confirms."""
        from core.settings import SettingsError, load_settings
        from screens.train.slurm_dialog import SlurmRequestScreen

        try:
            settings = load_settings()
        except SettingsError as error:
            self.notify(str(error), severity="error")
            return
        preview = self.app.config.runs_dir / f"ID-{self.parsed.config.model_name}"

        def reviewed(request) -> None:
            if request is not None:
                self.start_launch("slurm", request)

        self.app.push_screen(SlurmRequestScreen(settings.slurm, preview), reviewed)

    def start_launch(self, launcher: str, slurm) -> None:
        self.launching = True
        self.set_launch_status("Checking data and device, then starting…")
        self.validate_form()
        self.launch(self.parsed.config, launcher, self.variant_of, slurm)

    def report_launch(self, text: str) -> None:
        """Say how the launch went, under Launch only if the form is still the launched one."""
        launched = self.status_form
        self.set_launch_status(text)
        if launched is not None and self.status_form != launched:
            self.set_launch_status("")
        self.validate_form()

    @work(thread=True, exclusive=True, group="launch")
    def launch(self, config, launcher: str, variant_of: str | None, slurm=None) -> None:
        """Preflight (data, device, weights), write the run folder, start the worker."""
        from core.cluster.launch import launch_run
        from core.errors import UserError

        name = f"{config.model_name}-variant" if variant_of else config.model_name
        try:
            run_dir, where = launch_run(self.app.config.runs_dir, config, launcher, name, slurm)
        except UserError as error:
            self.post_message(self.LaunchFailed(str(error)))
            return
        self.post_message(self.Launched(run_dir, where))

    def on_train_screen_launch_failed(self, message: LaunchFailed) -> None:
        self.launching = False
        self.report_launch(f"[b]Not launched:[/b] {message.message}")

    async def on_train_screen_launched(self, message: Launched) -> None:
        self.launching = False
        self.report_launch(f"Launched {message.run_dir.name} ({message.where}).")
        self.notify(f"Launched {message.run_dir.name}.")
        self.post_message(WorkspaceRequested("monitor", ShowRun(message.run_dir.name)))
