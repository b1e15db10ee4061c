"""Convolution lab: type matrices, step through the exact arithmetic, check your own answers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, Vertical
from textual.markup import escape
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from core.convlab.check import CheckResult, check_answer, describe
from core.convlab.conv import unread_note
from core.convlab.inputs import LabInputs
from core.convlab.matrix import parse_channels
from core.convlab.problem import Solution, solve
from core.course.conv_options import conv_inputs
from core.course.progress import record
from core.course.solve import conv_problem
from core.errors import UserError
from core.exercises.conv_presets import conv_preset, conv_presets, random_inputs
from screens.conv_lab.autograd import AutogradMixin
from screens.conv_lab.editors import TYPING_PAUSE, EditorsMixin, compose_editors
from screens.conv_lab.keys import BINDINGS as LAB_BINDINGS
from screens.conv_lab.keys import SPEEDS, STEP_ACTIONS, SteppingMixin
from screens.conv_lab.matches import MatchesMixin
from screens.conv_lab.params import (
    ANSWER_LABELS,
    answer_quantities,
    cycle,
    describe_inputs,
    next_value,
)
from screens.conv_lab.quiz import QuizMixin
from screens.conv_lab.views import VIEW_TITLES, available_views, stage, step_grid
from screens.conv_lab.widgets import AnswerInput, LabBody, StageRow
from tui.messages import OpenTask
from tui.widgets.matrix import MatrixView
from tui.widgets.phrases import PhraseLine
from tui.workspace_screen import WorkspaceScreen

MODE_NOTES = {
    "correlation": "Cross-correlation: the kernel slides as typed, o[i,j] = Σ w[k,l]·x[i+k, j+l]"
    " — what nn.Conv2d computes.",
    "convolution": "Convolution: the kernel is flipped by 180° first, o[i,j] = Σ w[k,l]·"
    "x[i−k, j−l] — the signal-processing definition of A2/A3.",
}
"""Said when `c` switches the mode, so the difference is explained where it happens."""


WIDE = 110
"""From this many columns on, the other kernels' outputs are shown beside the current one."""


class ConvLabScreen(
    EditorsMixin, QuizMixin, MatchesMixin, SteppingMixin, AutogradMixin, WorkspaceScreen
):
    """Exercises A1–A4: conv, padding modes, pooling and backprop, one exact step at a time."""

    WORKSPACE = "conv_lab"
    CSS_PATH = "conv_lab.tcss"

    BINDINGS = LAB_BINDINGS

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
        self.compact = True  # gradient sums without their zero terms
        self.course_task = None  # (pack, task, its inputs) when opened from the Sheet
        self.quiz_on, self.quizzes = False, {}  # quiz mode (q) and its quizzes (quiz.py)
        self.autograd = None  # (solution, AutogradCheck) once `x` has computed it
        self.pending: Timer | None = None  # a re-solve waiting for typing to pause
        self.solves = 0  # how often the inputs were solved

    def compose_body(self) -> ComposeResult:
        with LabBody(id="conv-body"):
            yield from compose_editors()
            yield PhraseLine(id="conv-params")
            yield StageRow(id="conv-stage")
            yield Static(id="conv-history")
        with Vertical(id="conv-bottom"):
            yield Static(id="conv-arith")
            with HorizontalGroup(id="answer-row"):
                yield Label("your output", id="answer-label", classes="field-label")
                yield AnswerInput(
                    id="field-answer", compact=True, placeholder="e.g. 1 0; 0 1   (Enter checks)"
                )
            yield Static(id="conv-status")

    def on_mount(self) -> None:
        super().on_mount()
        self.load(self.inputs)
        self.set_focus(self.query_one("#conv-stage"))  # before the next key is read

    # -- state -------------------------------------------------------------------------
    def load(self, inputs: LabInputs) -> None:
        """Put inputs into the editors, clear the answer box and solve (the editors' change
        echoes are no-ops)."""
        self.inputs = inputs
        self.loss_kind = "grad" if inputs.grad_output.strip() else "target"
        loss = inputs.grad_output if self.loss_kind == "grad" else inputs.target
        self.fill_editors(inputs, loss)
        self.query_one("#field-answer", Input).value = ""  # an answer to the last exercise
        self.check = None
        self.cursor = 0
        self.answer_for = ""
        self.resolve()

    def resolve_soon(self) -> None:
        """Typing re-solves once the keys pause (every key is kept in `inputs` at once)."""
        if self.pending is not None:
            self.pending.stop()
        self.pending = self.set_timer(TYPING_PAUSE, self.resolve)

    def resolve(self) -> None:
        """Solve the current inputs; on bad input keep the last picture and say what is wrong."""
        if self.pending is not None:
            self.pending.stop()
            self.pending = None
        self.solves += 1
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
        self.reset_quizzes()
        if self.quiz_on:
            self.enter_quiz_view()
        self.set_status("")
        self.refresh_params()
        self.refresh_stage()

    def refresh_params(self) -> None:
        text = describe_inputs(self.inputs, self.view, SPEEDS[self.speed], self.timer is not None)
        note = unread_note(self.solution.forward) if self.solution is not None else ""
        if note:
            text += f"\n[$text-warning]{escape(note)}[/]"
        self.query_one("#conv-params", Static).update(text)
        self.query_one("#loss-label", Label).update(
            "dE/do" if self.loss_kind == "grad" else "target y"
        )
        label = f"your {ANSWER_LABELS.get(self.answer_for, 'answer')}"
        if (
            self.solution is not None
            and len(self.solution.forward.results) > 1
            and self.answer_for != "grad_input"
        ):
            label += f" (kernel {self.kernel + 1})"
        self.query_one("#answer-label", Label).update(self.quiz_label() or f"{label}:")
        self.refresh_bindings()

    def refresh_stage(self) -> None:
        if self.solution is None:
            return
        wide = self.size.width >= WIDE
        shown = stage(
            self.solution, self.view, self.kernel, self.cursor, self.check, wide, self.compact
        )
        shown = self.matches_stage(self.quiz_stage(shown))
        self.cursor = min(self.cursor, shown.grid[0] * shown.grid[1] - 1)
        holder = self.query_one("#conv-stage", StageRow)
        views = list(holder.query(MatrixView))
        if len(views) != len(shown.pictures):
            holder.remove_children()
            holder.mount_all(MatrixView(p) for p in shown.pictures)
        else:
            for view, picture in zip(views, shown.pictures):
                view.show(picture)
        arith = self.query_one("#conv-arith", Static)
        arith.border_title = f"{VIEW_TITLES[self.view]} · {shown.where}"
        arith.update(shown.arithmetic)
        history = "\n".join(shown.history)
        if self.autograd and self.autograd[0] is self.solution and not self.quiz_on:
            history = "\n".join(
                ["PyTorch autograd beside the exact values:", *self.autograd[1].lines()]
            )
        self.query_one("#conv-history", Static).update(history)

    def on_resize(self) -> None:
        self.set_class(self.size.height >= 34, "-tall")
        self.refresh_stage()

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#conv-status", Static)
        status.update(text)
        status.display = bool(text)
        status.set_class(error, "-error")

    # -- editors (their typing: editors.py) -------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.pending is not None:
            self.resolve()  # the editors changed just now: check against what they show
        if event.input.id == "field-answer" and self.quiz_on:
            if self.quiz_submit(event.value):
                return  # the next hidden cell is typed in the same box
        elif event.input.id == "field-answer":
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
        self.save_course_answer(text)
        target_view = {
            "pooled": "pool",
            "grad_weight": "grad_weight",
            "grad_input": "grad_input",
        }.get(self.answer_for, "forward")
        if target_view in available_views(self.solution):
            self.view = target_view
        self.cursor = 10**9
        self.refresh_params()
        self.refresh_stage()

    def on_open_task(self, message: OpenTask) -> None:
        """A course task from the Sheet: its inputs, quantity and kernel; answers checked
        while they are unchanged are saved to the pack's progress (`quiz` is passed on)."""
        _, quantity, kernel = conv_problem(message.task)
        self.view = "forward"
        self.load(conv_inputs(message.task.options))
        self.kernel, self.answer_for = kernel, quantity
        self.course_task = (message.pack, message.task, self.inputs)
        self.quiz_on = message.quiz
        self.enter_quiz_view()
        self.refresh_params()
        self.refresh_stage()
        self.set_status(f"Course task {message.task.id}: {message.task.title}")

    def save_course_answer(self, text: str) -> None:
        if self.course_task is None or self.check is None:
            return
        pack, task, inputs = self.course_task
        _, quantity, kernel = conv_problem(task)
        if (self.inputs, self.answer_for, self.kernel) == (inputs, quantity, kernel):
            record(pack, task.id, text, self.check.correct)

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Grey out keys that would do nothing now; leave the arrows to a focused text field."""
        if action in STEP_ACTIONS and self.text_field_focused():
            return False
        if action == "kernel":
            return self.solution is not None and len(self.solution.forward.results) > 1 or None
        if action == "view":
            views = self.solution is not None and len(available_views(self.solution)) > 1
            return views and not self.quiz_on or None
        return True

    def grid_columns(self) -> int:
        """Columns of the cells the current view steps through (for ↑/↓)."""
        return step_grid(self.solution, self.view, self.kernel)[1]

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
            self.enter_quiz_view()
            self.refresh_params()
            self.refresh_stage()

    def action_cycle(self, name: str) -> None:
        """Change one parameter; the typed matrices stay as they are."""
        if name == "loss":
            self.loss_kind = "grad" if self.loss_kind == "target" else "target"
            text = self.inputs.target or self.inputs.grad_output
            self.inputs = self.inputs.replace(
                target="" if self.loss_kind == "grad" else text,
                grad_output=text if self.loss_kind == "grad" else "",
            )
        else:
            self.inputs = self.inputs.replace(**{name: next_value(self.inputs, name)})
        self.check = None
        self.resolve()
        if name == "mode" and self.solution is not None:
            self.set_status(MODE_NOTES[self.inputs.mode])

    def action_compact(self) -> None:
        """Show gradient sums with or without the terms whose product is 0."""
        self.compact = not self.compact
        self.refresh_stage()
        self.set_status(
            "Gradient sums leave out zero terms (z shows them)."
            if self.compact
            else "Gradient sums list every term (z leaves out the zeros)."
        )

    def action_answer(self) -> None:
        """Focus the answer box now, so keys typed right behind the key land in it."""
        self.set_focus(self.query_one("#field-answer", Input))

    def action_answer_for(self) -> None:
        if self.solution is not None:
            self.answer_for = cycle(answer_quantities(self.solution), self.answer_for)
            self.enter_quiz_view()
            self.refresh_params()
            self.refresh_stage()

    def action_random(self) -> None:
        self.seed += 1
        self.load(random_inputs(self.seed))
        self.set_status(f"Random exercise, seed {self.seed} (g for another).")

    def action_preset(self, preset_id: str) -> None:
        preset = conv_preset(preset_id)
        self.view, self.kernel = "forward", 0
        self.load(preset.inputs)
        self.set_status(preset.title)
