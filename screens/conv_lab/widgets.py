"""The Convolution lab's own widgets: the stage the step keys act on, the scrolling body, and
the answer box.

Keys typed at full speed must land where the student meant them: Enter or `a` on the stage
moves focus to the answer box *before* the next key is read (the stage's own bindings run in
typing order, `tui.key_order`), and in quiz mode the box empties itself when Enter is read, so
the digits of the next cell, typed right behind, are never wiped by a later clear.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
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
    """The answer box. Enter is handled in the box's own queue, after the characters typed
    before it (not ahead of them by the App); in quiz mode it also empties the box at once."""

    KEYS_IN_QUEUE = frozenset({"enter"})

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        value = self.value
        validation = self.validate(value) if "submitted" in self.validate_on else None
        if getattr(self.screen, "quiz_on", False):
            self.value = ""
        self.post_message(self.Submitted(self, value, validation))
