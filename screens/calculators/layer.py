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
from core.errors import UserError
from core.exercises.calc_presets import LAYER_EXAMPLES
from screens.calculators.views import solved_markup
from tui.widgets.checkbox import MarkedCheckbox

SOLVE_AFTER_S = 0.05
"""Quiet time after the last key before the layer is solved."""

KINDS = (("Conv2d", "conv"), ("ConvTranspose2d", "transposed"), ("MaxPool2d / AvgPool2d", "pool"))


class LayerCalculator(VerticalScroll):
    """Fields for one layer along one axis and the answer, with the formula, live as you type."""

    class LayerSolved(Message):
        """Sent when the single-layer calculator has an answer (or an error) for the fields."""

        def __init__(
            self, solved: Solved | None, kind: str, error: str | None, dilation: int = 1
        ) -> None:
            super().__init__()
            self.solved, self.kind, self.error, self.dilation = solved, kind, error, dilation

    def compose(self) -> ComposeResult:
        yield Select(
            ((e.title, e.key) for e in LAYER_EXAMPLES), prompt="Exercise…", id="layer-example"
        )
        with HorizontalGroup(id="layer-fields"):
            for name, label in zip(FIELDS, ("in", "out", "kernel", "stride", "padding")):
                with VerticalGroup(classes="field"):
                    yield Label(label)
                    yield Input(type="integer", placeholder="solve", id=f"f-{name}")
            with VerticalGroup(classes="field"):
                yield Label("dilation")
                yield Input("1", type="integer", id="f-dilation")
        with HorizontalGroup(id="layer-kind"):
            yield Select(KINDS, value="conv", allow_blank=False, id="f-kind")
            yield MarkedCheckbox("ceil_mode", id="f-ceil")
            yield Label("output_padding", id="f-extra-label")
            yield Input("0", type="integer", placeholder="solve", id="f-extra")
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
        self.pending_solve = self.set_timer(SOLVE_AFTER_S, self._solve)

    @on(Select.Changed, "#f-kind")
    def _kind_changed(self) -> None:
        self._update_kind_fields()
        self._solve()

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
        self.query_one("#f-dilation", Input).value = "1"

    def _solve(self) -> None:
        if self.pending_solve is not None:
            self.pending_solve.stop()
            self.pending_solve = None
        values = {name: self._int(f"#f-{name}") for name in FIELDS}
        kind = self.query_one("#f-kind", Select).value
        dilation, extra = self._int("#f-dilation"), self._int("#f-extra")
        self.solve_layer(
            values,
            kind,
            1 if dilation is None else dilation,
            extra,  # blank: solved when the output is given
            self.query_one("#f-ceil", Checkbox).value,
        )

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
        result = self.query_one("#layer-result", Static)
        if message.error is not None:
            result.update(f"[$text-error]{escape(message.error)}[/]")
        else:
            result.update(solved_markup(message.solved, message.kind, message.dilation))
