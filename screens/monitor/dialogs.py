"""Small dialogs of the Monitor: confirm, read a long message, pick an export folder."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks yes or no before something that cannot be undone (stop, delete, resume)."""

    CSS_PATH = "monitor.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", tooltip="Go ahead."),
        Binding("n,escape", "answer(False)", "No", tooltip="Leave everything as it is."),
    ]
    """y confirms; n or Escape cancels."""

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, id="confirm-question")
            yield Label("[b]y[/b] yes    [b]n[/b] / Escape no")
        yield Footer()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextScreen(ModalScreen[None]):
    """A long text (a failure message and traceback), scrollable, closed by Escape."""

    CSS_PATH = "monitor.tcss"

    BINDINGS = [Binding("escape,q,m", "close", "Close", tooltip="Back to the monitor.")]
    """Escape, q or m (the key that opened it) closes the text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="text-body"):
            yield Static(self.text, markup=False, id="text-content")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


class ExportScreen(ModalScreen[Path | None]):
    """Asks for the folder an export is written to (created when missing)."""

    CSS_PATH = "monitor.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Export nothing.")]
    """Enter in the field exports; Escape cancels."""

    def __init__(self, default: Path, count: int) -> None:
        super().__init__()
        self.default = default
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Export {self.count} run(s): a CSV of every epoch's metrics and a PNG of the "
                "accuracy and loss curves. Folder (Enter to write, Escape to cancel):"
            )
            yield Input(str(self.default), id="export-folder")
            yield Static(id="export-error")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#export-error", Static).update("Type a folder name.")
            return
        self.dismiss(Path(text).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)
