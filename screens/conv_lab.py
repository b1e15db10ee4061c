"""Convolution lab: type matrices, step through the exact arithmetic, check your own answers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.containers import Horizontal, HorizontalGroup, VerticalScroll
from textual.widgets import Input, Label, Static, TextArea

from core.conv_check import CheckResult, check_answer, describe
from core.conv_inputs import LabInputs
from core.conv_presets import conv_presets, random_inputs
from core.conv_problem import Solution, solve
from core.errors import UserError
from core.matrix import parse_channels
from screens.conv_lab_params import (
    ANSWER_LABELS, answer_quantities, cycle, describe_inputs, next_value,
)
from screens.conv_lab_views import VIEW_TITLES, available_views, stage
from tui.widgets.matrix import MatrixView
from tui.workspace_screen import WorkspaceScreen

class StageRow(Horizontal, can_focus=True):
    """The matrices of the current step; focused, it takes the stepping keys."""

    BINDINGS = [
        Binding("right", "screen.step(1)", "Next", tooltip="Next cell."),
        Binding("left", "screen.step(-1)", "Prev", tooltip="Previous cell."),
        Binding("down", "screen.row(1)", "Row↓", show=False, tooltip="Same column, next row."),
        Binding("up", "screen.row(-1)", "Row↑", show=False, tooltip="Same column, previous row."),
        Binding("home", "screen.jump(0)", "First", show=False, tooltip="First cell."),
        Binding("end", "screen.jump(-1)", "Last", show=False,
                tooltip="Last cell (everything computed)."),
    ]
    """Arrows step through cells here (they scroll the page elsewhere)."""


WIDE = 110
"""From this many columns on, the other kernels' outputs are shown beside the current one."""

SPEEDS = (2.0, 1.0, 0.5, 0.25, 0.1)
"""Seconds per step while playing, slow to fast."""


class ConvLabScreen(WorkspaceScreen):
    """Exercises A1–A4: conv, padding modes, pooling and backprop, one exact step at a time."""

    WORKSPACE = "conv_lab"
    CSS_PATH = "conv_lab.tcss"

    BINDINGS = [
        Binding("space", "play", "Play", tooltip="Play / pause stepping."),
        Binding("plus,equals_sign", "speed(1)", "Faster", show=False, tooltip="Step faster."),
        Binding("minus", "speed(-1)", "Slower", show=False, tooltip="Step slower."),
        Binding("v", "view", "View",
                tooltip="Cycle forward / pooling / dE/da through pooling / dE/dw / dE/dx."),
        Binding("k", "kernel", "Kernel", tooltip="Show the next kernel's output."),
        Binding("s", "cycle('stride')", "Stride", tooltip="Stride 1 → 2 → 3."),
        Binding("p", "cycle('padding')", "Pad", tooltip="Padding 0 → 1 → 2 → same."),
        Binding("m", "cycle('padding_mode')", "Pad mode", show=False,
                tooltip="zeros → reflect → replicate → circular."),
        Binding("c", "cycle('mode')", "Corr/Conv", show=False,
                tooltip="Cross-correlation (nn.Conv2d) or convolution (flipped kernel)."),
        Binding("d", "cycle('dilation')", "Dilation", show=False, tooltip="Dilation 1 ↔ 2."),
        Binding("r", "cycle('activation')", "ReLU", show=False, tooltip="ReLU on / off."),
        Binding("o", "cycle('pool')", "Pool", show=False, tooltip="Pooling none → max → avg."),
        Binding("t", "cycle('loss')", "Loss", show=False,
                tooltip="The loss field is an MSE target y, or an upstream gradient dE/do."),
        Binding("a", "answer", "Answer", tooltip="Type your answer; Enter checks it."),
        Binding("w", "answer_for", "Answer for", show=False,
                tooltip="What the answer is: output, pre-activation, pooled, dE/dw, dE/dx."),
        Binding("e", "edit", "Edit", tooltip="Edit the input matrix (Tab for the others)."),
        Binding("g", "random", "Random", show=False, tooltip="A new random exercise (seeded)."),
        *(Binding(p.key, f"preset('{p.id}')", p.id.upper(), show=False, tooltip=p.title)
          for p in conv_presets()),
    ]
    """Stepping, parameter toggles (matrices are kept), answer checking and F2–F9 presets."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: LabInputs = conv_presets()[0].inputs
        self.loss_kind = "target"  # "target" (MSE) or "grad" (upstream dE/do)
        self.solution: Solution | None = None
        self.check: CheckResult | None = None
        self.view, self.kernel, self.cursor = "forward", 0, 0
        self.answer_for = "output"
        self.seed = 0
        self.speed = 2
        self.timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="conv-body"):
            with Horizontal(id="conv-editors"):
                with HorizontalGroup(classes="field"):
                    yield Label("input x", classes="field-label")
                    yield Input(id="field-input", compact=True,
                                tooltip="Rows split by ;  channels by |")
                with HorizontalGroup(classes="field"):
                    yield Label("bias", classes="field-label")
                    yield Input(id="field-biases", compact=True,
                                tooltip="One per kernel, or one for all")
            with Horizontal(id="conv-editors-2"):
                with HorizontalGroup(classes="field"):
                    yield Label("kernels", classes="field-label")
                    yield TextArea(id="field-kernels", soft_wrap=False, compact=True,
                                   placeholder="one kernel per line, e.g. 1 0; 0 1",
                                   tooltip="One kernel per line; its channels split by |")
                with HorizontalGroup(classes="field"):
                    yield Label("target y", id="loss-label", classes="field-label")
                    yield Input(id="field-loss", compact=True,
                                placeholder="empty: no backward pass")
            yield Static(id="conv-params")
            yield StageRow(id="conv-stage")
            yield Static(id="conv-where")
            yield Static(id="conv-arith")
            yield Static(id="conv-history")
            with HorizontalGroup(id="answer-row"):
                yield Label("your output", id="answer-label", classes="field-label")
                yield Input(id="field-answer", compact=True,
                            placeholder="e.g. 1 0; 0 1   (Enter checks)")
            yield Static(id="conv-status")

    def on_mount(self) -> None:
        super().on_mount()
        self.load(self.inputs)
        self.query_one("#conv-stage").focus()

    # -- state -------------------------------------------------------------------------
    def load(self, inputs: LabInputs) -> None:
        """Put inputs into the editors and solve (the editors' change echoes are no-ops)."""
        self.inputs = inputs
        self.loss_kind = "grad" if inputs.grad_output.strip() else "target"
        loss = inputs.grad_output if self.loss_kind == "grad" else inputs.target
        for field, text in (("input", inputs.input), ("biases", inputs.biases), ("loss", loss)):
            editor = self.query_one(f"#field-{field}", Input)
            editor.value = text
            editor.cursor_position = 0
        self.query_one("#field-kernels", TextArea).text = "\n".join(inputs.kernels)
        self.check = None
        self.cursor = 0
        self.answer_for = ""
        self.resolve()

    def resolve(self) -> None:
        """Solve the current inputs; on bad input keep the last picture and say what is wrong."""
        try:
            self.solution = solve(self.inputs.problem())
        except UserError as error:
            self.set_status(str(error), error=True)
            self.refresh_params()
            return
        views = available_views(self.solution)
        if self.view not in views:
            self.view = "forward"
        self.kernel = min(self.kernel, len(self.solution.forward.results) - 1)
        quantities = answer_quantities(self.solution)
        if self.answer_for not in quantities:
            self.answer_for = quantities[0]
        self.set_status("")
        self.refresh_params()
        self.refresh_stage()

    def refresh_params(self) -> None:
        self.query_one("#conv-params", Static).update(
            describe_inputs(self.inputs, self.view, SPEEDS[self.speed], self.timer is not None)
        )
        self.query_one("#loss-label", Label).update(
            "dE/do" if self.loss_kind == "grad" else "target y")
        label = f"your {ANSWER_LABELS.get(self.answer_for, 'answer')}"
        if self.solution is not None and len(self.solution.forward.results) > 1 \
                and self.answer_for != "grad_input":
            label += f" (kernel {self.kernel + 1})"
        self.query_one("#answer-label", Label).update(f"{label}:")
        self.refresh_bindings()

    def refresh_stage(self) -> None:
        if self.solution is None:
            return
        wide = self.size.width >= WIDE
        shown = stage(self.solution, self.view, self.kernel, self.cursor, self.check, wide)
        self.cursor = min(self.cursor, shown.grid[0] * shown.grid[1] - 1)
        holder = self.query_one("#conv-stage", StageRow)
        views = list(holder.query(MatrixView))
        if len(views) != len(shown.pictures):
            holder.remove_children()
            holder.mount_all(MatrixView(p) for p in shown.pictures)
        else:
            for view, picture in zip(views, shown.pictures):
                view.show(picture)
        self.query_one("#conv-where", Static).update(f"{VIEW_TITLES[self.view]} · {shown.where}")
        self.query_one("#conv-arith", Static).update(shown.arithmetic)
        self.query_one("#conv-history", Static).update("\n".join(shown.history))

    def on_resize(self) -> None:
        self.set_class(self.size.height >= 34, "-tall")
        self.refresh_stage()

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#conv-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    # -- editors -------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing re-solves at once; echoes of `load` (same text) change nothing."""
        field = {"field-input": "input", "field-biases": "biases",
                 "field-loss": "grad_output" if self.loss_kind == "grad" else "target"}.get(
            event.input.id or "")
        if field is not None and getattr(self.inputs, field) != event.value:
            self.inputs = self.inputs.replace(**{field: event.value})
            self.check = None
            self.resolve()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        kernels = tuple(line for line in event.text_area.text.splitlines() if line.strip())
        if kernels != self.inputs.kernels:
            self.inputs = self.inputs.replace(kernels=kernels)
            self.check = None
            self.resolve()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "field-answer":
            self.check_typed_answer(event.value)
        self.query_one("#conv-stage").focus()

    def check_typed_answer(self, text: str) -> None:
        if self.solution is None:
            return
        try:
            answer = parse_channels(text, name="answer")
            self.check = check_answer(self.solution.problem, answer, self.answer_for, self.kernel)
        except UserError as error:
            self.set_status(str(error), error=True)
            return
        self.set_status(describe(self.check), error=not self.check.correct)
        target_view = {"pooled": "pool", "grad_weight": "grad_weight",
                       "grad_input": "grad_input"}.get(self.answer_for, "forward")
        if target_view in available_views(self.solution):
            self.view = target_view
        self.cursor = 10**9
        self.refresh_params()
        self.refresh_stage()

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Grey out keys that would do nothing now."""
        if action == "kernel":
            return self.solution is not None and len(self.solution.forward.results) > 1 or None
        if action == "view":
            return self.solution is not None and len(available_views(self.solution)) > 1 or None
        return True

    def action_step(self, delta: int) -> None:
        self.cursor = max(0, self.cursor + delta)
        self.refresh_stage()

    def action_row(self, delta: int) -> None:
        if self.solution is None:
            return
        cols = stage(self.solution, self.view, self.kernel, self.cursor).grid[1]
        self.cursor = max(0, self.cursor + delta * cols)
        self.refresh_stage()

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else 10**9
        self.refresh_stage()

    def action_play(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        else:
            self.timer = self.set_interval(SPEEDS[self.speed], self._tick)
        self.refresh_params()

    def _tick(self) -> None:
        before = self.cursor
        self.action_step(1)
        if self.cursor == before:
            self.action_play()

    def action_speed(self, delta: int) -> None:
        self.speed = max(0, min(len(SPEEDS) - 1, self.speed + delta))
        if self.timer is not None:
            self.timer.stop()
            self.timer = self.set_interval(SPEEDS[self.speed], self._tick)
        self.refresh_params()

    def action_view(self) -> None:
        if self.solution is not None:
            self.view = cycle(available_views(self.solution), self.view)
            self.cursor = 0
            self.refresh_params()
            self.refresh_stage()

    def action_kernel(self) -> None:
        if self.solution is not None:
            self.kernel = (self.kernel + 1) % len(self.solution.forward.results)
            self.check = None
            self.refresh_params()
            self.refresh_stage()

    def action_cycle(self, name: str) -> None:
        """Change one parameter; the typed matrices stay as they are."""
        if name == "loss":
            self.loss_kind = "grad" if self.loss_kind == "target" else "target"
            text = self.inputs.target or self.inputs.grad_output
            self.inputs = self.inputs.replace(
                target="" if self.loss_kind == "grad" else text,
                grad_output=text if self.loss_kind == "grad" else "")
        else:
            self.inputs = self.inputs.replace(**{name: next_value(self.inputs, name)})
        self.check = None
        self.resolve()

    def action_answer(self) -> None:
        self.query_one("#field-answer", Input).focus()

    def action_answer_for(self) -> None:
        if self.solution is not None:
            self.answer_for = cycle(answer_quantities(self.solution), self.answer_for)
            self.refresh_params()

    def action_edit(self) -> None:
        self.query_one("#field-input", Input).focus()

    def action_random(self) -> None:
        self.seed += 1
        self.load(random_inputs(self.seed))
        self.set_status(f"Random exercise, seed {self.seed} (g for another).")

    def action_preset(self, preset_id: str) -> None:
        preset = next(p for p in conv_presets() if p.id == preset_id)
        self.view, self.kernel = "forward", 0
        self.load(preset.inputs)
        self.set_status(preset.title)
