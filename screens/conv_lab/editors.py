"""The Convolution lab's editors: the input x (one matrix row per line), the kernels (one per
line), the bias and the loss field.

A mixin of `ConvLabScreen`. Typing keeps every key in the screen's `inputs` at once and
re-solves once the keys pause; Enter in a field solves at once and goes back to stepping. The
input x shows one row per line, so a matrix such as A1's (five rows of six) shows whole at 80
columns; the rows are kept as one line, split by "; ", as flags and course packs write them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalGroup
from textual.widgets import Input, Label, TextArea

from core.convlab.inputs import LabInputs
from tui.widgets.spec_editor import SpecEditor

TYPING_PAUSE = 0.15
"""Seconds without a key in an editor before the inputs are solved again."""


def matrix_rows(text: str) -> str:
    """A typed matrix ("1 0 2; 3 2 0", channels split by "|") with one row per line."""
    return "\n".join(row.strip() for row in text.replace("\n", ";").split(";") if row.strip())


def matrix_text(rows: str) -> str:
    """The matrix as one line again, rows split by "; " (how inputs, flags and packs write it)."""
    return "; ".join(row.strip() for row in rows.replace("\n", ";").split(";") if row.strip())


class MatrixEditor(SpecEditor):
    """The input x: one matrix row per line. Rows are typed split by ";" (a pasted new line is
    a row too) and laid out one per line again on Enter, which solves at once and goes back to
    stepping, as in the one-line fields. ctrl+a selects all, ctrl+l clears."""

    BINDINGS = [
        Binding("enter", "screen.edit_done", "Solve", show=False, tooltip="Solve, step on.")
    ]
    """Enter ends the edit; the screen moves focus to the stage before the next key is read,
    so step keys typed right behind it step."""

    def show_matrix(self, text: str) -> None:
        """Show `text` one row per line (only when that changes it: the cursor stays put)."""
        rows = matrix_rows(text)
        if self.text != rows:
            self.text = rows

    def move_to_end(self) -> None:
        """Put the cursor after the last row, where an edit goes on."""
        self.move_cursor(self.document.end)


class StepInput(Input):
    """The bias and the loss field: Enter solves at once and goes back to stepping before the
    next key is read, so step keys typed right behind it step (Input's own Enter posts a
    message, handled after keys already typed)."""

    BINDINGS = [
        Binding("enter", "screen.edit_done", "Solve", show=False, tooltip="Solve, step on.")
    ]


def compose_editors() -> ComposeResult:
    """Input x beside the kernels, then bias beside the loss field (Tab goes in that order)."""
    with Horizontal(id="conv-editors"):
        with HorizontalGroup(classes="field"):
            yield Label("input x", classes="field-label")
            yield MatrixEditor(
                id="field-input",
                soft_wrap=False,
                compact=True,
                placeholder="rows split by ;  e.g. 1 0 2; 3 2 0",
                tooltip="Rows split by ; (shown one per line)  channels by |",
            )
        with HorizontalGroup(classes="field"):
            yield Label("kernels", classes="field-label")
            yield TextArea(
                id="field-kernels",
                soft_wrap=False,
                compact=True,
                placeholder="one kernel per line, e.g. 1 0; 0 1",
                tooltip="One kernel per line; its channels split by |",
            )
    with Horizontal(id="conv-editors-2"):
        with HorizontalGroup(classes="field"):
            yield Label("bias", classes="field-label")
            yield StepInput(
                id="field-biases", compact=True, tooltip="One per kernel, or one for all"
            )
        with HorizontalGroup(classes="field"):
            yield Label("target y", id="loss-label", classes="field-label")
            yield StepInput(id="field-loss", compact=True, placeholder="empty: no backward pass")


class EditorsMixin:
    """What typing in the editors does to the screen's `inputs`."""

    inputs: LabInputs
    loss_kind: str
    check: object

    def fill_editors(self, inputs: LabInputs, loss: str) -> None:
        """Show `inputs` in the editors (`loss`: the target or dE/do, as `loss_kind` says);
        the change messages this sends are no-ops."""
        for field, text in (("biases", inputs.biases), ("loss", loss)):
            editor = self.query_one(f"#field-{field}", Input)
            editor.value = text
            editor.cursor_position = 0
        self.query_one("#field-input", MatrixEditor).show_matrix(inputs.input)
        self.query_one("#field-kernels", TextArea).text = "\n".join(inputs.kernels)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing re-solves when the keys pause; echoes of `load` (same text) change nothing."""
        if self.take_field(event.input):
            self.resolve_soon()

    def take_field(self, editor: Input) -> bool:
        """The bias or loss field's text, as it is now, into `inputs`; whether that changed it."""
        field = {
            "field-biases": "biases",
            "field-loss": "grad_output" if self.loss_kind == "grad" else "target",
        }.get(editor.id or "")
        if field is None or getattr(self.inputs, field) == editor.value:
            return False
        self.inputs = self.inputs.replace(**{field: editor.value})
        self.check = None
        return True

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Typing re-solves when the keys pause; `load`'s echoes (same matrix) change nothing.
        The text is read as it is now, so a burst of change messages changes `inputs` once."""
        if isinstance(event.text_area, MatrixEditor):
            if not self.take_matrix():
                return
        else:
            text = event.text_area.text
            kernels = tuple(line for line in text.splitlines() if line.strip())
            if kernels == self.inputs.kernels:
                return
            self.inputs = self.inputs.replace(kernels=kernels)
            self.check = None
        self.resolve_soon()

    def take_matrix(self) -> bool:
        """The input x's text, as it is now, into `inputs`; whether that changed it."""
        text = self.query_one("#field-input", MatrixEditor).text
        if matrix_rows(text) == matrix_rows(self.inputs.input):
            return False
        self.inputs = self.inputs.replace(input=matrix_text(text))
        self.check = None
        return True

    def action_edit_done(self) -> None:
        """Enter in the input x, the bias or the loss field: solve now, lay the input's rows out
        one per line, and focus the stage at once, so step keys typed right behind Enter step.
        The editors' text is read here: their change messages for the keys just typed may
        still be on their way."""
        changed = [self.take_matrix(), *(self.take_field(field) for field in self.query(StepInput))]
        if any(changed) or self.pending is not None:
            self.resolve()
        self.query_one("#field-input", MatrixEditor).show_matrix(self.inputs.input)
        self.set_focus(self.query_one("#conv-stage"))

    def action_edit(self) -> None:
        """Focus the input x now, with the cursor after its last row, so keys typed right
        behind `e` land in it."""
        editor = self.query_one("#field-input", MatrixEditor)
        editor.move_to_end()
        self.set_focus(editor)
