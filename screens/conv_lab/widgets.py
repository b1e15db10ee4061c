"""The Convolution lab's own widgets: the stage the step keys act on, the scrolling body, and
the answer box.

Keys typed at full speed must land where the student meant them: Enter or `a` on the stage
moves focus to the answer box, `e` to the input x, *before* the next key is read (the stage's
own bindings run in typing order, `tui.key_order`), and in quiz mode the box empties itself
when Enter is read, so the digits of the next cell, typed right behind, are never wiped by a
later clear. `R` and
`ctrl+r` in the box are its own keys too: they reveal, behind the answers sent before them.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll

from tui.widgets.quiz_answer import QuizAnswerInput


class StageRow(Horizontal, can_focus=True):
    """The matrices of the current step; focus rests here while stepping."""

    BINDINGS = [
        Binding("enter", "screen.answer", "Answer", show=False),
        Binding("a", "screen.answer", "Answer", show=False),
        Binding("e", "screen.edit", "Edit", tooltip="Edit the input matrix (Tab for the others)."),
    ]
    """Keys that move focus to a text field are the stage's own, so the field has focus before
    the next key is read (`tui.key_order`): what is typed right behind them lands in it."""


class LabBody(VerticalScroll, can_focus=False):
    """Editors and matrices; not focusable, so the arrows step instead of scrolling."""


class AnswerInput(QuizAnswerInput):
    """The answer box; it empties on Enter only in quiz mode (outside it, the checked matrix
    stays in the box to be corrected)."""

    def empties_on_submit(self) -> bool:
        return bool(getattr(self.screen, "quiz_on", False))
