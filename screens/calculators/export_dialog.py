"""The export dialog: the text to copy (already on the clipboard) and a file name to save it."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, TextArea


class ExportScreen(ModalScreen[None]):
    """Shows exported text read-only; Enter in the file box saves it (never overwriting)."""

    CSS_PATH = "calculators.tcss"

    BINDINGS = [
        Binding("escape", "dismiss", "Close", tooltip="Back to the calculators."),
    ]
    """Escape closes; the text stays on the clipboard."""

    def __init__(self, text: str, suggested: Path) -> None:
        super().__init__()
        self.text = text
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(id="export-body"):
            yield Label(
                "Copied to the clipboard (where the terminal allows). "
                "Enter a file name and press Enter to save:"
            )
            yield Input(str(self.suggested), id="export-path")
            yield TextArea(self.text, read_only=True, id="export-text")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        if not event.value.strip():
            self.notify("Type a file name first.", severity="warning")
        elif path.exists():
            self.notify(f"{path} exists; choose another name.", severity="error")
        else:
            try:
                path.write_text(self.text, encoding="utf-8")
            except OSError as error:
                self.notify(f"Cannot write {path}: {error.strerror}", severity="error")
                return
            self.notify(f"Saved {path.resolve()}")
            self.dismiss()
