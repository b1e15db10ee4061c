"""The Dataset screen's pieces: the example grid with a cursor, and the large image view."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.widgets.halfblock import rgb_to_text


class ExampleGrid(Static, can_focus=True):
    """Examples per class; arrows move the cursor, Enter shows the picked image large."""

    BINDINGS = [
        Binding("left", "move(0, -1)", "←", tooltip="Previous example.", show=False),
        Binding("right", "move(0, 1)", "→", tooltip="Next example.", show=False),
        Binding("up", "move(-1, 0)", "↑", tooltip="Class above.", show=False),
        Binding("down", "move(1, 0)", "↓", tooltip="Class below.", show=False),
        Binding("enter", "pick", "View large", tooltip="Show the image under the cursor large."),
    ]
    """Arrows move between examples and classes; Enter opens the picked one."""

    class CursorMoved(Message):
        """Sent when the cursor moves to another example (the screen redraws the grid)."""

        def __init__(self, row: int, column: int) -> None:
            super().__init__()
            self.row = row  # class label
            self.column = column  # example on the current page

    class Picked(Message):
        """Sent when the student asks to see the example under the cursor large."""

        def __init__(self, row: int, column: int) -> None:
            super().__init__()
            self.row = row
            self.column = column

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.shape: tuple[int, ...] = ()  # examples shown per class row
        self.cursor = (0, 0)  # (class, column)

    def set_shape(self, per_row: tuple[int, ...]) -> None:
        """Tell the grid how many examples each class row holds; clamps the cursor."""
        self.shape = per_row
        self.cursor = self._clamp(*self.cursor)

    def _clamp(self, row: int, column: int) -> tuple[int, int]:
        if not self.shape:
            return (0, 0)
        row = min(max(row, 0), len(self.shape) - 1)
        column = min(max(column, 0), max(self.shape[row] - 1, 0))
        return (row, column)

    def action_move(self, rows: int, columns: int) -> None:
        """Move the cursor by whole examples / classes."""
        cursor = self._clamp(self.cursor[0] + rows, self.cursor[1] + columns)
        if cursor != self.cursor:
            self.cursor = cursor
            self.post_message(self.CursorMoved(*cursor))

    def action_pick(self) -> None:
        """Open the example under the cursor."""
        if self.shape and self.shape[self.cursor[0]]:
            self.post_message(self.Picked(*self.cursor))


def enlarge(image: np.ndarray, max_width: int, max_height_cells: int) -> np.ndarray:
    """The image scaled by the largest whole factor that fits (crisp pixels), at least 1."""
    height, width = image.shape[:2]
    factor = max(1, min(max_width // width, (2 * max_height_cells) // height))
    return image.repeat(factor, axis=0).repeat(factor, axis=1)  # (H*f, W*f, 3)


class ImageScreen(ModalScreen[None]):
    """One dataset image, large, with its split, index and label."""

    CSS_PATH = "dataset.tcss"
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", tooltip="Back to the grid.")]
    """Escape, Enter or q closes the view."""

    def __init__(self, image: np.ndarray, caption: str, truecolor: bool) -> None:
        super().__init__()
        self.image = image  # (H, W, 3) uint8
        self.caption = caption  # e.g. "train #1234 · label 3: cat"
        self.truecolor = truecolor

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="image-view"):
            yield Static(Text(self.caption, style="bold"), id="image-caption")
            with Center():
                yield Static(id="image-pixels")
        yield Footer()

    def on_mount(self) -> None:
        width, height = self.app.size
        large = enlarge(self.image, max(width - 8, 8), max(height - 8, 4))
        self.query_one("#image-pixels", Static).update(rgb_to_text(large, self.truecolor))

    def action_dismiss(self) -> None:
        self.dismiss(None)
