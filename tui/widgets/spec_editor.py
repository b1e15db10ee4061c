"""A text area for typing SPECs: select all, clear all, Home/End on the lines as typed.

Textual's TextArea puts select-all on F7 (which the Calculators use for exercise B1) and, with
soft wrap on, sends Home/End (and ctrl+u/ctrl+k, shift+Home/End) to the edge of the wrapped
row on screen, so End on a long wrapped line stopped mid-line and what was typed next landed
inside the SPEC instead of at its end.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import TextArea
from textual.widgets.text_area import Location


class SpecEditor(TextArea):
    """A TextArea whose line keys act on logical lines, with select-all and clear-all keys."""

    BINDINGS = [
        Binding("ctrl+a", "select_all", "Select all", tooltip="Select the whole text."),
        Binding(
            "ctrl+l",
            "clear_all",
            "Clear",
            tooltip="Delete the whole text (ctrl+z brings it back).",
        ),
    ]
    """ctrl+a selects everything (Home still goes to the line start), ctrl+l clears it; both
    are plain control keys, so they reach the app through tmux and SSH."""

    def action_clear_all(self) -> None:
        """Delete everything, as one edit that ctrl+z undoes."""
        if not self.read_only:
            self.clear()

    def get_cursor_line_start_location(self, smart_home: bool = False) -> Location:
        """The start of the cursor's logical line (with `smart_home`, its first non-blank
        character first, then column 0), however the line wraps on screen."""
        row, column = self.cursor_location
        line = self.document[row]
        first = len(line) - len(line.lstrip())
        if smart_home and (column == 0 or column > first):
            return row, first
        return row, 0

    def get_cursor_line_end_location(self) -> Location:
        """The end of the cursor's logical line, however it wraps on screen."""
        row, _ = self.cursor_location
        return row, len(self.document[row])
