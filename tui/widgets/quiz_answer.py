"""The answer box of a quiz (Convolution lab, Calculators): no answer contains R, so `R` (this
value) and `ctrl+r` (all) are the box's own keys and reveal; they run in the box's queue
(`tui.key_order`), behind the answers sent before them. Enter sends the text and, while the
box empties on submit, empties it at once, so the next answer typed at full speed lands in an
empty box instead of being wiped by a later clear."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class QuizAnswerInput(Input):
    """An Input whose R / ctrl+r reveal (a `RevealAsked` message) and whose Enter can empty it."""

    BINDINGS = [
        Binding("R", "reveal(False)", "Reveal", show=False, tooltip="Quiz mode: show this value."),
        Binding("ctrl+r", "reveal(True)", "Reveal all", show=False, tooltip="Quiz mode: show all."),
    ]

    class RevealAsked(Message):
        """R (one value) or ctrl+r (all) pressed in the answer box."""

        def __init__(self, every: bool) -> None:
            super().__init__()
            self.every = every

    def empties_on_submit(self) -> bool:
        """Whether Enter clears the box (a quiz moving on to its next value)."""
        return True

    def action_reveal(self, every: bool) -> None:
        self.post_message(self.RevealAsked(every))

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable() and character != "R"

    async def action_submit(self) -> None:
        value = self.value
        validation = self.validate(value) if "submitted" in self.validate_on else None
        if self.empties_on_submit():
            self.value = ""
        self.post_message(self.Submitted(self, value, validation))
