"""The Convolution lab's own widgets: the stage the step keys act on, the scrolling body, and
the answer box.

Keys typed at full speed must land where the student meant them: Enter or `a` on the stage
moves focus to the answer box *before* the next key is read (the stage's own bindings run in
typing order, `tui.key_order`), and in quiz mode the box empties itself when Enter is read, so
the digits of the next cell, typed right behind, are never wiped by a later clear. `R` and
`ctrl+r` in the box are its own keys too: they reveal, behind the answers sent before them.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input


class StageRow(Horizontal, can_focus=True):
    """The matrices of the current step; focus rests here while stepping."""

    BINDINGS = [
        Binding("enter", "screen.answer", "Answer", show=False),
        Binding("a", "screen.answer", "Answer", show=False),
    ]


class LabBody(VerticalScroll, can_focus=False):
    """Editors and matrices; not focusable, so the arrows step instead of scrolling."""


class AnswerInput(Input):
    """The answer box; in quiz mode Enter sends the text and empties the box at once (Enter
    runs in the box's queue, `tui.key_order`, so after the characters typed before it). No
    answer contains R: `R` (this cell) and `ctrl+r` (all) reveal, in typing order too."""

    BINDINGS = [
        Binding("R", "reveal(False)", "Reveal", show=False, tooltip="Quiz mode: show this cell."),
        Binding("ctrl+r", "reveal(True)", "Reveal all", show=False, tooltip="Quiz mode: show all."),
    ]

    class RevealAsked(Message):
        """R (one cell) or ctrl+r (all) pressed in the answer box."""

        def __init__(self, every: bool) -> None:
            super().__init__()
            self.every = every

    def action_reveal(self, every: bool) -> None:
        self.post_message(self.RevealAsked(every))

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable() and character != "R"

    async def action_submit(self) -> None:
        value = self.value
        validation = self.validate(value) if "submitted" in self.validate_on else None
        if getattr(self.screen, "quiz_on", False):
            self.value = ""
        self.post_message(self.Submitted(self, value, validation))
