"""A checkbox whose state reads without colour: a mark when on, an empty box when off."""

from __future__ import annotations

from textual.widgets import Checkbox


class MarkedCheckbox(Checkbox):
    """Textual's Checkbox draws its X in both states and tells them apart by colour only,
    which some themes and terminals make unreadable (dark on navy); this one draws the X
    only while checked."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - the name Textual's ToggleButton reads
        """The character inside the box: X when checked, a space when not."""
        return "X" if self.value else " "
