"""The single-layer calculator: type four of in/out/kernel/stride/padding, the rest is solved."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Select, Static

from core.arch.solver import FIELDS, Solved, solve
from core.course.calc_quiz import CalcQuiz, layer_quiz, task_quiz
from core.course.pack import Task
from core.course.solve import solve_task
from core.errors import UserError
from core.exercises.calc_presets import LAYER_EXAMPLES
from screens.calculators.views import solved_markup
from tui.widgets.checkbox import MarkedCheckbox

SOLVE_AFTER_S = 0.05
"""Quiet time after the last key before the layer is solved."""

KINDS = (("Conv2d", "conv"), ("ConvTranspose2d", "transposed"), ("MaxPool2d / AvgPool2d", "pool"))


class NumberField(Input, inherit_bindings=False):
    """A whole-number field: it takes digits and signs, and leaves letters and Enter to the
    screen's keys (quiz mode's q, a, R and Enter act at once while it has focus)."""

    BINDINGS = [b for b in Input.BINDINGS if getattr(b, "key", "") != "enter"]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character in "0123456789+-"


class LayerCalculator(VerticalScroll):
    """Fields for one layer along one axis and the answer, with the formula, live as you type."""

    class LayerSolved(Message):
        """Sent when the single-layer calculator has an answer (or an error) for the fields."""

        def __init__(
            self,
            solved: Solved | None,
            kind: str,
            error: str | None,
            dilation: int = 1,
        ) -> None:
            super().__init__()
            self.solved, self.kind, self.error, self.dilation = solved, kind, error, dilation

    quiz_on = False
    """Quiz mode (set by the screen): the solved values stay hidden until typed."""
    quiz: CalcQuiz | None = None
    """The quiz on the values shown, kept while they are unchanged."""
    task: tuple[tuple, Task] | None = None
    """A course calc task and the values it opened with: while the fields hold them, the
    quiz asks the task's value and is judged as the pack's task."""
    last: LayerSolved | None = None
    """The last answer, shown again when the quiz changes."""

    def compose(self) -> ComposeResult:
        yield Select(
            ((e.title, e.key) for e in LAYER_EXAMPLES), prompt="Exercise…", id="layer-example"
        )
        with HorizontalGroup(id="layer-fields"):
            for name, label in zip(FIELDS, ("in", "out", "kernel", "stride", "padding")):
                with VerticalGroup(classes="field"):
                    yield Label(label)
                    yield NumberField(type="integer", placeholder="solve", id=f"f-{name}")
            with VerticalGroup(classes="field"):
                yield Label("dilation")
                yield NumberField("1", type="integer", id="f-dilation")
        with HorizontalGroup(id="layer-kind"):
            yield Select(KINDS, value="conv", allow_blank=False, id="f-kind")
            yield MarkedCheckbox("ceil_mode", id="f-ceil")
            yield Label("output_padding", id="f-extra-label")
            yield NumberField("0", type="integer", placeholder="solve", id="f-extra")
        yield Static("Leave one or two fields blank to solve them.", id="layer-result")

    pending_solve: Timer | None = None
    """The solve due once typing pauses."""

    def on_mount(self) -> None:
        self._update_kind_fields()

    @on(Input.Changed, "#layer-fields Input, #f-extra")
    @on(Checkbox.Changed, "#f-ceil")
    def _layer_changed(self) -> None:
        """Solve once typing pauses: a burst of keys (a fast typist, a paste) starts one
        solve, not one thread per key, and the fields' text is never touched."""
        if self.pending_solve is not None:
            self.pending_solve.stop()
        self.pending_solve = self.set_timer(SOLVE_AFTER_S, self.solve_now)

    @on(Select.Changed, "#f-kind")
    def _kind_changed(self) -> None:
        self._update_kind_fields()
        self.solve_now()

    def _update_kind_fields(self) -> None:
        kind = self.query_one("#f-kind", Select).value
        self.query_one("#f-ceil").display = kind == "pool"
        for selector in ("#f-extra", "#f-extra-label"):
            self.query_one(selector).display = kind == "transposed"

    @on(Select.Changed, "#layer-example")
    def _example_picked(self, event: Select.Changed) -> None:
        self.load_example(event.value)

    def load_example(self, key: object) -> None:
        """Fill the fields with an exercise example (also when it is picked already)."""
        example = next((e for e in LAYER_EXAMPLES if e.key == key), None)
        if example is None:
            return
        picker = self.query_one("#layer-example", Select)
        if picker.value != key:
            with self.prevent(Select.Changed):
                picker.value = key
        self.fill(example)

    def fill(self, example) -> None:
        """Put a LayerExample's values into the fields (a course task's, too)."""
        self.query_one("#f-kind", Select).value = example.kind
        for name in FIELDS:
            value = example.values.get(name)
            self.query_one(f"#f-{name}", Input).value = "" if value is None else str(value)
        self.query_one("#f-dilation", Input).value = str(example.dilation)
        self.query_one("#f-ceil", Checkbox).value = example.ceil_mode
        extra = example.output_padding
        self.query_one("#f-extra", Input).value = "" if extra is None else str(extra)

    def example_key(self, example) -> tuple:
        """What the fields hold once `example` is filled in (compared with `values_key`)."""
        kind = example.kind
        return (
            kind,
            tuple(example.values.get(name) for name in FIELDS),
            example.dilation,
            example.ceil_mode and kind == "pool",
            example.output_padding if kind == "transposed" else 0,
        )

    def values_key(self) -> tuple:
        """The fields' values, as `example_key` words them."""
        kind = self.query_one("#f-kind", Select).value
        dilation, extra = self._int("#f-dilation"), self._int("#f-extra")
        return (
            kind,
            tuple(self._int(f"#f-{name}") for name in FIELDS),
            1 if dilation is None else dilation,
            self.query_one("#f-ceil", Checkbox).value and kind == "pool",
            extra if kind == "transposed" else 0,
        )

    def solve_now(self) -> None:
        if self.pending_solve is not None:
            self.pending_solve.stop()
            self.pending_solve = None
        kind, given, dilation, ceil, extra = self.values_key()
        self.quiz_now()
        self.solve_layer(
            dict(zip(FIELDS, given)),
            kind,
            dilation,
            extra,
            ceil,  # extra blank: solved
        )

    def quiz_now(self) -> CalcQuiz | None:
        """In quiz mode, the quiz on the fields' values: kept while they are unchanged, made
        at once when they change (so a key typed right behind finds it)."""
        if not self.quiz_on:
            return None
        key = self.values_key()
        task = self.task[1] if self.task is not None and self.task[0] == key else None
        source = (key, task.id if task else None)
        if self.quiz is None or self.quiz.source != source:
            self.quiz = make_quiz(key, task, source)
        return self.quiz

    def set_quiz(self, on: bool) -> None:
        """Quiz mode on or off: the answer is solved again and shown (or hidden)."""
        self.quiz_on, self.quiz = on, None
        self.solve_now()

    def _int(self, selector: str) -> int | None:
        text = self.query_one(selector, Input).value.strip()
        try:
            return int(text) if text else None
        except ValueError:
            return None

    @work(thread=True, exclusive=True, group="solve")
    def solve_layer(self, values, kind, dilation, extra, ceil) -> None:
        """Solve in a thread (bounded: milliseconds, at most a fraction of a second)."""
        try:
            solved = solve(
                values,
                dilation=dilation,
                kind=kind,
                ceil_mode=ceil and kind == "pool",
                output_padding=extra if kind == "transposed" else 0,
            )
        except UserError as error:
            self.post_message(self.LayerSolved(None, kind, str(error)))
            return
        self.post_message(self.LayerSolved(solved, kind, None, dilation))

    def on_layer_calculator_layer_solved(self, message: LayerSolved) -> None:
        self.last = message
        self.show_result()

    def show_result(self) -> None:
        """The last answer, its hidden values as "?" in quiz mode."""
        message = self.last
        if message is None:
            return
        result = self.query_one("#layer-result", Static)
        if message.error is not None:
            result.update(f"[$text-error]{escape(message.error)}[/]")
        else:
            quiz = self.quiz_now()
            result.update(solved_markup(message.solved, message.kind, message.dilation, quiz))


def make_quiz(key: tuple, task: Task | None, source: tuple) -> CalcQuiz:
    """A course task's quiz on its asked value, else a quiz on every blank of `key`
    (`LayerCalculator.values_key`)."""
    if task is not None:
        try:
            return task_quiz(solve_task(task), str(task.answer_for), source)
        except UserError:
            pass
    kind, given, dilation, ceil, extra = key
    options = calc_options(dict(zip(FIELDS, given)), kind, dilation, extra, ceil)
    return layer_quiz(options, source)


def calc_options(values: dict, kind: str, dilation: int, extra, ceil: bool) -> dict:
    """The calculator's values as `cnn-tui calc`'s options (blanks None)."""
    options = {name: values[dest] for name, dest in CLI_NAMES.items()}
    options.update(dilation=dilation, transposed=kind == "transposed", pool=kind == "pool")
    options.update(ceil_mode=ceil and kind == "pool")
    if kind == "transposed":
        options["output_padding"] = extra
    return options


CLI_NAMES = dict(zip(("in", "out", "kernel", "stride", "padding"), FIELDS))
