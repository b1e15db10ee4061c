"""Scratch lab (exercise A5): own Linear/Conv2d against PyTorch's, checked step by step, timed."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Collapsible, Input, Label, ProgressBar, Select, Static

from core.scratch.results import MAX_REPEATS
from tui.messages import OpenTask
from tui.workspace_screen import WorkspaceScreen

SEEDED = "seeded"
"""Select value for lenet-8-16 with seeded random weights (no run needed)."""

EQUATIONS = (
    "[b]Linear[/b]   y\\[s,d] = Σ_c W\\[d,c]·x\\[s,c] + b\\[d]\n"
    "[b]Conv2d[/b]   y\\[s,d,i,j] = Σ_c Σ_n Σ_m x\\[s,c,i·S+n,j·S+m]·W\\[d,c,n,m] + b\\[d]\n"
    "[b]loop[/b]: a Python loop over output features / pixels, each one a sum.  "
    "[b]vectorised[/b]: cut the input into patches (unfold), then one matrix product.  "
    "Both name their parameters [i]weight[/i] and [i]bias[/i] like PyTorch, so "
    "load_state_dict works both ways (core/scratch/layers.py)."
)

STEPS = (
    ("linear", "1  Linear(400, 128): scratch vs nn.Linear"),
    ("conv", "2  Conv2d(3, 8, 5): scratch vs nn.Conv2d"),
    ("network", "3  The whole network from scratch layers, on test images"),
    ("timing", "4  Inference time, side by side"),
)
"""Step ids and titles, in the order the checks run."""


class ScratchLabScreen(WorkspaceScreen):
    """Runs the A5 checks in a thread and fills in each step as it finishes."""

    WORKSPACE = "scratch_lab"
    CSS_PATH = "scratch_lab.tcss"

    BINDINGS = [
        Binding("r", "run_checks", "Run checks", tooltip="Run all four checks again.", id="run"),
        Binding("x", "cancel", "Cancel", tooltip="Stop the checks after the current step."),
        Binding("l", "reload_runs", "Reload runs", tooltip="Look for new trained runs."),
    ]
    """r runs the checks, x cancels them, l refreshes the list of runs."""

    class RunsListed(Message):
        """Sent when the runs with usable checkpoints (and the devices) have been listed."""

        def __init__(self, runs: list[tuple[str, str]], cuda: bool) -> None:
            super().__init__()
            self.runs = runs  # (run id, preset)
            self.cuda = cuda  # whether a CUDA GPU can run the checks

    class StepFinished(Message):
        """Sent when one check (or one timing repeat) of core.scratch.check has finished."""

        def __init__(self, step: object) -> None:
            super().__init__()
            self.step = step

    class InputsLoaded(Message):
        """Sent when the network and the test images are ready."""

        def __init__(self, source: str, dataset: str, class_names: tuple[str, ...]) -> None:
            super().__init__()
            self.source = source
            self.dataset = dataset
            self.class_names = class_names

    class ChecksEnded(Message):
        """Sent when the checks stopped: finished, cancelled, or failed with a message."""

        def __init__(self, outcome: str, error: str | None = None) -> None:
            super().__init__()
            self.outcome = outcome
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.running = False  # whether the checks are running now
        self.dataset = ""  # title of the dataset the test images come from
        self.class_names: tuple[str, ...] = ()  # its class names by label
        self.pending_step: str | None = None  # id of the step whose result comes next
        self.source_line = ""  # where the weights and images came from, once loaded

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="scratch-body"):
            with VerticalScroll(id="scratch-controls"):
                yield Label("Weights to copy")
                yield Select(
                    [("lenet-8-16, seeded random weights", SEEDED)],
                    value=SEEDED,
                    allow_blank=False,
                    id="scratch-source",
                )
                yield Label("Test images")
                yield Input("20", type="integer", id="scratch-samples")
                yield Label("Timing repeats (median)")
                yield Input("5", type="integer", id="scratch-repeats")
                yield Label("Device")
                yield Select([("CPU", "cpu")], value="cpu", allow_blank=False, id="scratch-device")
                yield Button("Run checks (r)", variant="primary", id="scratch-run")
                yield Static(id="scratch-status")
            with VerticalScroll(id="scratch-steps"):
                yield Static(EQUATIONS, id="scratch-equations")
                with Collapsible(title="The code (core/scratch/layers.py)", id="scratch-code"):
                    yield Static(id="scratch-code-text")
                for step_id, title in STEPS:
                    with Vertical(classes="scratch-step", id=f"step-{step_id}"):
                        yield Static(title, classes="step-title")
                        yield Static("waiting", classes="step-body", id=f"body-{step_id}")
                        if step_id == "timing":
                            yield ProgressBar(total=None, id="timing-progress", show_eta=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#timing-progress").display = False
        from tui.render.scratch import forward_code

        self.query_one("#scratch-code-text", Static).update(forward_code())
        self.action_reload_runs()
        self.set_focus(self.query_one("#scratch-run", Button))  # before the next key is read

    def on_open_task(self, message: OpenTask) -> None:
        """A course task from the Sheet: its numbers of test images and timing repeats."""
        options = message.task.options
        for name in ("samples", "repeats"):
            if name in options:
                self.query_one(f"#scratch-{name}", Input).value = str(options[name])
        self.notify(f"Course task {message.task.id}: {message.task.title}", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_checks":
            return not self.running or None
        if action == "cancel":
            return self.running or None
        return True

    def action_reload_runs(self) -> None:
        """List the runs the lab can copy weights from, off the UI thread."""
        self._list_runs()

    @work(thread=True, exclusive=True, group="scratch-runs")
    def _list_runs(self) -> None:
        import torch

        from core.scratch.inputs import runs_with_checkpoints

        runs = runs_with_checkpoints(self.app.config.runs_dir)
        self.post_message(self.RunsListed(runs, torch.cuda.is_available()))

    def on_scratch_lab_screen_runs_listed(self, message: RunsListed) -> None:
        select = self.query_one("#scratch-source", Select)
        current = select.value
        options = [("lenet-8-16, seeded random weights", SEEDED)]
        options += [(f"run {run_id} ({preset})", run_id) for run_id, preset in message.runs]
        select.set_options(options)
        values = {value for _, value in options}
        select.value = current if current in values else SEEDED
        if message.cuda:
            devices = self.query_one("#scratch-device", Select)
            chosen = devices.value
            devices.set_options([("CPU", "cpu"), ("GPU (cuda)", "cuda")])
            devices.value = chosen

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "scratch-run":
            self.action_run_checks()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run_checks()

    def _number(self, input_id: str, name: str, most: int) -> int | None:
        text = self.query_one(input_id, Input).value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= most:
            return int(text)
        self._status(f"{name} must be a whole number of at least 1 (at most {most}).", error=True)
        return None

    def action_run_checks(self) -> None:
        """Start the four checks with the chosen weights, image count and repeats."""
        if self.running:
            return
        samples = self._number("#scratch-samples", "Test images", 999_999)
        repeats = self._number("#scratch-repeats", "Timing repeats", MAX_REPEATS)
        if samples is None or repeats is None:
            return
        source = self.query_one("#scratch-source", Select).value
        device = str(self.query_one("#scratch-device", Select).value)
        for step_id, _ in STEPS:
            self.query_one(f"#body-{step_id}", Static).update("waiting")
        self.query_one("#body-linear", Static).update("running…")
        self.pending_step = "linear"
        self.source_line = ""
        self.running = True
        self.refresh_bindings()
        self._status("Loading the network and the test images…")
        self._run(None if source == SEEDED else str(source), samples, repeats, device)

    def action_cancel(self) -> None:
        """Stop after the step that is running now."""
        self.workers.cancel_group(self, "scratch")
        self._status("Cancelling after the current step…")

    @work(thread=True, exclusive=True, group="scratch")
    def _run(self, run: str | None, samples: int, repeats: int, device: str) -> None:
        from textual.worker import get_current_worker

        from core.errors import UserError
        from core.scratch.check import iter_checks
        from core.scratch.inputs import reference_network, sample_batch

        worker = get_current_worker()
        try:
            reference = reference_network(run, self.app.config.runs_dir)
            batch = sample_batch(reference, samples, device=device)
            self.post_message(self.InputsLoaded(reference.source, batch.dataset, batch.classes))
            steps = iter_checks(
                reference.model,
                reference.layers,
                batch.images,
                batch.labels,
                reference.source,
                repeats=repeats,
            )
            for step in steps:
                self.post_message(self.StepFinished(step))
                if worker.is_cancelled:
                    self.post_message(self.ChecksEnded("cancelled"))
                    return
        except UserError as error:
            self.post_message(self.ChecksEnded("failed", str(error)))
            return
        self.post_message(self.ChecksEnded("finished"))

    def on_scratch_lab_screen_inputs_loaded(self, message: InputsLoaded) -> None:
        self.dataset, self.class_names = message.dataset, message.class_names
        self.source_line = f"Weights: {message.source}\nImages: {message.dataset}"
        self._status("")

    def on_scratch_lab_screen_step_finished(self, message: StepFinished) -> None:
        from core.scratch.results import LayerCheck, NetworkCheck, TimingProgress
        from tui.render.scratch import layer_table, network_text, timing_table

        step = message.step
        progress = self.query_one("#timing-progress", ProgressBar)
        if isinstance(step, TimingProgress):
            progress.update(total=step.total, progress=step.done)
            return
        if isinstance(step, LayerCheck):
            shown = layer_table(step)
        elif isinstance(step, NetworkCheck):
            shown = network_text(step, self.dataset, self.class_names)
        else:
            shown = timing_table(step)
        self.query_one(f"#body-{self.pending_step}", Static).update(shown)
        order = [step_id for step_id, _ in STEPS]
        following = order.index(self.pending_step) + 1
        self.pending_step = order[following] if following < len(order) else None
        if self.pending_step is not None:
            self.query_one(f"#body-{self.pending_step}", Static).update("running…")
        progress.display = self.pending_step == "timing"
        if progress.display:
            progress.update(total=None, progress=0)

    def on_scratch_lab_screen_checks_ended(self, message: ChecksEnded) -> None:
        self.running = False
        self.refresh_bindings()
        self.query_one("#timing-progress").display = False
        if self.pending_step is not None:
            self.query_one(f"#body-{self.pending_step}", Static).update("not run")
            self.pending_step = None
        if message.outcome == "failed":
            self._status(message.error or "The checks failed.", error=True)
        elif message.outcome == "cancelled":
            self._status("Cancelled. Press r to run the checks again.")
        else:
            self._status("All checks done. Press r to run them again.")

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#scratch-status", Static)
        status.set_class(error, "error")
        status.update("\n".join(part for part in (self.source_line, text) if part))
